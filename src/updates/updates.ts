import type { Principal } from '../auth/roles.js'
import type { Deps } from '../deps.js'
import { AppError } from '../errors.js'
import { getStoryRowOrThrow } from '../events/event-log.js'
import { type ChangeContext, type EventDraft, recordChange } from '../events/record-change.js'
import { type Page, toPage } from '../lib/cursor.js'
import type { PageQuery } from '../lib/page-query.js'
import type { Tx } from '../store/db.js'
import { newestFirst } from '../store/keyset.js'
import type { StoryRowPatch, UpdateRow } from '../store/schema.js'
import { presentStory } from '../stories/present.js'
import {
  findIdempotentUpdateId,
  type IdempotentRequest,
  requestHash,
  saveIdempotentUpdateId,
} from './idempotency.js'
import { presentUpdate } from './present.js'
import { renderUpdateHtml } from './render.js'
import type { CreateUpdateInput, EditUpdateInput, Update } from './schema.js'

export interface CreateUpdateArgs {
  story: string
  input: CreateUpdateInput
  author: Principal
  idempotencyKey?: string | undefined
}

/** The result of createUpdate: `replayed` is true when an Idempotency-Key retry returned an earlier update. */
export interface CreatedUpdate {
  update: Update
  replayed: boolean
}

/**
 * Posts an update: one `update.created` event (and a `story.updated` when it is pinned).
 * With an Idempotency-Key, a retry of the same request returns the first update instead of posting twice.
 */
export async function createUpdate(deps: Deps, args: CreateUpdateArgs): Promise<CreatedUpdate> {
  const hash = args.idempotencyKey ? requestHash(args.input) : ''
  return recordChange<CreatedUpdate>(deps, args.story, async (ctx) => {
    const storyId = ctx.story.id
    const idempotent: IdempotentRequest | null = args.idempotencyKey
      ? {
          apiKeyId: args.author.keyId,
          key: args.idempotencyKey,
          storyId,
          hash,
          expiredBefore: new Date(ctx.now.getTime() - deps.limits.idempotencyKeyTtlMs),
        }
      : null
    if (idempotent) {
      const earlierId = await findIdempotentUpdateId(ctx.tx, idempotent)
      if (earlierId)
        return {
          result: { update: presentUpdate(await getUpdateRow(ctx.tx, earlierId)), replayed: true },
          events: [],
        }
    }
    // Checked under the story lock, so a concurrent PATCH to `ended` cannot slip in between.
    if (ctx.story.status === 'ended') throw new AppError('story_ended', `story ${ctx.story.slug} has ended`)
    const { input, author } = args
    const seq = ctx.nextSeq()
    const row = await ctx.tx
      .insertInto('updates')
      .values({
        id: deps.newId(),
        story_id: storyId,
        headline: input.headline ?? null,
        blocks: JSON.stringify(input.blocks),
        html: renderUpdateHtml(input.headline, input.blocks),
        key_event: input.keyEvent,
        author_id: author.keyId,
        author_name: author.name,
        created_at: ctx.now,
        published_at: ctx.now,
        edited_at: null,
        deleted_at: null,
        seq,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    if (idempotent) await saveIdempotentUpdateId(ctx.tx, idempotent, row.id, ctx.now)
    const update = presentUpdate(row)
    const storyPatch: StoryRowPatch = { last_update_at: ctx.now, update_count: ctx.story.update_count + 1 }
    const events: EventDraft[] = [{ seq, type: 'update.created', update }]
    if (input.pinned) events.push(pinEvent(ctx, storyPatch, row.id))
    return { result: { update, replayed: false }, storyPatch, events }
  })
}

/** Pinning changes the story itself, so it is a change of its own: a `story.updated` event. */
function pinEvent(ctx: ChangeContext, storyPatch: StoryRowPatch, pinnedUpdateId: string | null): EventDraft {
  storyPatch.pinned_update_id = pinnedUpdateId
  storyPatch.updated_at = ctx.now
  const seq = ctx.nextSeq()
  return { seq, type: 'story.updated', storyState: presentStory(ctx.storyAfter(storyPatch)) }
}

async function getUpdateRow(tx: Tx, id: string): Promise<UpdateRow> {
  return tx.selectFrom('updates').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
}

async function getLiveUpdateRowOrThrow(tx: Tx | Deps['db'], storyId: string, id: string): Promise<UpdateRow> {
  const row = await tx
    .selectFrom('updates')
    .selectAll()
    .where('id', '=', id)
    .where('story_id', '=', storyId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  if (!row) throw new AppError('not_found', `update ${id} does not exist in this story`)
  return row
}

export async function getUpdate(
  deps: Deps,
  principal: Principal | null,
  story: string,
  id: string,
): Promise<Update> {
  const { id: storyId } = await getStoryRowOrThrow(deps.db, principal, story)
  return presentUpdate(await getLiveUpdateRowOrThrow(deps.db, storyId, id))
}

/** Updates newest first; deleted ones are absent. */
export async function listUpdates(
  deps: Deps,
  principal: Principal | null,
  story: string,
  query: PageQuery,
): Promise<Page<Update>> {
  const { id: storyId } = await getStoryRowOrThrow(deps.db, principal, story)
  const after = query.cursor
  const q = deps.db
    .selectFrom('updates')
    .selectAll()
    .where('story_id', '=', storyId)
    .where('deleted_at', 'is', null)
  const rows = await newestFirst(q, 'published_at', after, query.limit).execute()
  return toPage(rows, query.limit, (r) => ({ at: r.published_at, id: r.id }), presentUpdate)
}

/** Edits an update in place: `editedAt` is set and an `update.edited` event carries the new state. */
export async function editUpdate(
  deps: Deps,
  story: string,
  id: string,
  input: EditUpdateInput,
): Promise<Update> {
  return recordChange(deps, story, async (ctx) => {
    const storyId = ctx.story.id
    const current = await getLiveUpdateRowOrThrow(ctx.tx, storyId, id)
    const headline = input.headline !== undefined ? input.headline : current.headline
    const blocks = input.blocks ?? (current.blocks as CreateUpdateInput['blocks'])
    const keyEvent = input.keyEvent ?? current.key_event
    const unchanged =
      headline === current.headline &&
      keyEvent === current.key_event &&
      JSON.stringify(blocks) === JSON.stringify(current.blocks)
    // Like a story PATCH: saving without changes is not a correction readers need to see.
    if (unchanged) return { result: presentUpdate(current), events: [] }
    const seq = ctx.nextSeq()
    const row = await ctx.tx
      .updateTable('updates')
      .set({
        headline,
        blocks: JSON.stringify(blocks),
        html: renderUpdateHtml(headline, blocks),
        key_event: keyEvent,
        edited_at: ctx.now,
        seq,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow()
    const update = presentUpdate(row)
    return {
      result: update,
      storyPatch: { last_update_at: ctx.now },
      events: [{ seq, type: 'update.edited', update }],
    }
  })
}

/** Deletes an update: an `update.deleted` event, and the story is unpinned if it was the pinned one. */
export async function deleteUpdate(deps: Deps, story: string, id: string): Promise<void> {
  await recordChange(deps, story, async (ctx) => {
    const storyId = ctx.story.id
    await getLiveUpdateRowOrThrow(ctx.tx, storyId, id)
    const seq = ctx.nextSeq()
    await ctx.tx.updateTable('updates').set({ deleted_at: ctx.now, seq }).where('id', '=', id).execute()
    const storyPatch: StoryRowPatch = { last_update_at: ctx.now, update_count: ctx.story.update_count - 1 }
    const events: EventDraft[] = [{ seq, type: 'update.deleted', updateId: id }]
    if (ctx.story.pinned_update_id === id) events.push(pinEvent(ctx, storyPatch, null))
    return { result: undefined, storyPatch, events }
  })
}
