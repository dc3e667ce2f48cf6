import { sql, type Updateable } from 'kysely'
import { can, type Principal } from '../auth/roles.js'
import type { Deps } from '../deps.js'
import { AppError } from '../errors.js'
import { getStoryRowOrThrow } from '../events/event-log.js'
import { type ChangeContext, type EventDraft, recordChange } from '../events/record-change.js'
import { type Page, toPage } from '../lib/cursor.js'
import type { Queryable, Tx } from '../store/db.js'
import { newestFirst } from '../store/keyset.js'
import type { StoryRowPatch, UpdateRow, UpdatesTable } from '../store/schema.js'
import { presentStory } from '../stories/present.js'
import {
  findIdempotentUpdateId,
  type IdempotentRequest,
  requestHash,
  saveIdempotentUpdateId,
} from './idempotency.js'
import { presentUpdate } from './present.js'
import { renderUpdateHtml } from './render.js'
import type { Correction, CreateUpdateInput, EditUpdateInput, Update, UpdateListQuery } from './schema.js'

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

/** A key that may only submit (a contributor): its posts wait for an editor. */
const submitsOnly = (principal: Principal) => !can(principal, 'stories:write')

function forbidden(message: string): AppError {
  return new AppError('forbidden', message)
}

type Byline = Pick<UpdatesTable, 'author_id' | 'author_name'> & {
  author_title: string | null
  author_avatar_url: string | null
}

/** The byline: the named person, else the key's person, else the key's own name (as before people). */
async function bylineFor(tx: Queryable, principal: Principal, authorId: string | undefined): Promise<Byline> {
  const personId = authorId ?? principal.personId ?? null
  if (personId) {
    const person = await tx.selectFrom('people').selectAll().where('id', '=', personId).executeTakeFirst()
    if (person)
      return {
        author_id: person.id,
        author_name: person.name,
        author_title: person.title,
        author_avatar_url: person.avatar_url,
      }
    if (authorId)
      throw new AppError('invalid_request', 'authorId must name a person', { authorId: 'no such person' })
  }
  return {
    author_id: principal.keyId,
    author_name: principal.name,
    author_title: null,
    author_avatar_url: null,
  }
}

/**
 * Posts an update. Published at once: one `update.created` event (and a `story.updated` when it is
 * pinned). From a contributor it waits as `submitted`; with a future `publishAt` it waits as
 * `scheduled`: no event, nothing public, until it is published.
 * With an Idempotency-Key, a retry of the same request returns the first update instead of posting twice.
 */
export async function createUpdate(deps: Deps, args: CreateUpdateArgs): Promise<CreatedUpdate> {
  const { input, author } = args
  if (submitsOnly(author)) {
    if (input.publishAt) throw forbidden('a contributor may not schedule updates; an editor publishes them')
    if (input.pinned) throw forbidden('a contributor may not pin updates')
    if (input.authorId) throw forbidden('a contributor may not post under another byline')
  }
  const hash = args.idempotencyKey ? requestHash(args.input) : ''
  const created = await recordChange<CreatedUpdate>(deps, args.story, async (ctx) => {
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
    const scheduled =
      input.publishAt && input.publishAt.getTime() > ctx.now.getTime() ? input.publishAt : null
    const status = submitsOnly(author) ? 'submitted' : scheduled ? 'scheduled' : 'published'
    if (status === 'scheduled' && input.pinned)
      throw new AppError('invalid_request', 'a scheduled update cannot be pinned yet', {
        pinned: 'pin it once it is published',
      })
    const published = status === 'published'
    const seq = published ? ctx.nextSeq() : 0
    const row = await ctx.tx
      .insertInto('updates')
      .values({
        id: deps.newId(),
        story_id: storyId,
        status,
        headline: input.headline ?? null,
        blocks: JSON.stringify(input.blocks),
        html: renderUpdateHtml(input.headline, input.blocks),
        key_event: input.keyEvent,
        ...(await bylineFor(ctx.tx, author, input.authorId)),
        created_by: author.keyId,
        created_at: ctx.now,
        // Unpublished, it only orders the queue; publication sets the real time.
        published_at: scheduled ?? ctx.now,
        publish_at: scheduled,
        edited_at: null,
        deleted_at: null,
        seq,
      })
      .returningAll()
      .executeTakeFirstOrThrow()
    if (idempotent) await saveIdempotentUpdateId(ctx.tx, idempotent, row.id, ctx.now)
    const update = presentUpdate(row)
    if (!published) return { result: { update, replayed: false }, events: [] }
    const storyPatch: StoryRowPatch = { last_update_at: ctx.now, update_count: ctx.story.update_count + 1 }
    const events: EventDraft[] = [{ seq, type: 'update.created', update }]
    if (input.pinned) events.push(pinEvent(ctx, storyPatch, row.id))
    return { result: { update, replayed: false }, storyPatch, events }
  })
  if (created.update.status === 'scheduled') deps.scheduleWake.notify()
  return created
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

async function getLiveUpdateRowOrThrow(tx: Queryable, storyId: string, id: string): Promise<UpdateRow> {
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

/** Whether the caller may see an unpublished update: editors all of them, a contributor its own. */
function canSeeUnpublished(principal: Principal | null, row: Pick<UpdateRow, 'created_by'>): boolean {
  if (!principal) return false
  if (can(principal, 'stories:write')) return true
  return can(principal, 'updates:submit') && row.created_by === principal.keyId
}

export async function getUpdate(
  deps: Deps,
  principal: Principal | null,
  story: string,
  id: string,
): Promise<Update> {
  const { id: storyId } = await getStoryRowOrThrow(deps.db, principal, story)
  const row = await getLiveUpdateRowOrThrow(deps.db, storyId, id)
  // Unpublished updates do not exist for readers: the same 404 as a deleted one.
  if (row.status !== 'published' && !canSeeUnpublished(principal, row))
    throw new AppError('not_found', `update ${id} does not exist in this story`)
  return presentUpdate(row)
}

/**
 * Published updates newest first; deleted ones are absent. `status=submitted|scheduled` lists a
 * queue instead (newest first by creation): editors see all of it, a contributor its own.
 */
export async function listUpdates(
  deps: Deps,
  principal: Principal | null,
  story: string,
  query: UpdateListQuery,
): Promise<Page<Update>> {
  const status = query.status ?? 'published'
  if (status !== 'published') {
    if (!principal) throw new AppError('unauthorized', `listing ${status} updates needs an API key`)
    if (!can(principal, 'updates:submit'))
      throw forbidden(`the ${principal.role} role may not list ${status} updates`)
  }
  const { id: storyId } = await getStoryRowOrThrow(deps.db, principal, story)
  const after = query.cursor
  let q = deps.db
    .selectFrom('updates')
    .selectAll()
    .where('story_id', '=', storyId)
    .where('deleted_at', 'is', null)
    .where('status', '=', status)
  if (status === 'published') {
    const rows = await newestFirst(q, 'published_at', after, query.limit).execute()
    return toPage(rows, query.limit, (r) => ({ at: r.published_at, id: r.id }), presentUpdate)
  }
  if (principal && !can(principal, 'stories:write')) q = q.where('created_by', '=', principal.keyId)
  const rows = await newestFirst(q, 'created_at', after, query.limit).execute()
  return toPage(rows, query.limit, (r) => ({ at: r.created_at, id: r.id }), presentUpdate)
}

/**
 * The row a caller may change. A contributor may change only its own submissions (403 otherwise,
 * and for anything but content); editors any update.
 */
async function editableRowOrThrow(
  tx: Tx,
  principal: Principal,
  storyId: string,
  id: string,
  input: EditUpdateInput | null,
): Promise<UpdateRow> {
  const row = await getLiveUpdateRowOrThrow(tx, storyId, id)
  if (!submitsOnly(principal)) return row
  if (row.status !== 'submitted' || row.created_by !== principal.keyId)
    throw forbidden('a contributor may change only its own submissions')
  if (input && (input.status || input.publishAt || input.correction !== undefined || input.authorId))
    throw forbidden('a contributor may not publish, schedule, correct or re-byline updates')
  return row
}

/**
 * Edits an update. Published: `editedAt` is set and an `update.edited` event carries the new state;
 * `correction` appends a note readers see. Unpublished: changed quietly (no event), and
 * `status: "published"` (or a `publishAt` that has passed) publishes it: `update.created`.
 */
export async function editUpdate(
  deps: Deps,
  principal: Principal,
  story: string,
  id: string,
  input: EditUpdateInput,
): Promise<Update> {
  const edited = await recordChange(deps, story, async (ctx) => {
    const storyId = ctx.story.id
    const current = await editableRowOrThrow(ctx.tx, principal, storyId, id, input)
    const wasPublished = current.status === 'published'
    if (wasPublished && input.publishAt)
      throw new AppError('invalid_request', 'this update is already published', {
        publishAt: 'only an unpublished update can be scheduled',
      })
    if (!wasPublished && input.correction !== undefined)
      throw new AppError('invalid_request', 'only a published update can be corrected', {
        correction: 'edit the update instead: readers have not seen it',
      })
    const headline = input.headline !== undefined ? input.headline : current.headline
    const blocks = input.blocks ?? (current.blocks as CreateUpdateInput['blocks'])
    const keyEvent = input.keyEvent ?? current.key_event
    const corrections = [...((current.corrections as Correction[] | null) ?? [])]
    if (input.correction !== undefined)
      corrections.push({ at: ctx.now.toISOString(), note: input.correction })
    const byline = input.authorId ? await bylineFor(ctx.tx, principal, input.authorId) : null
    const set: Updateable<UpdatesTable> = {
      headline,
      blocks: JSON.stringify(blocks),
      html: renderUpdateHtml(headline, blocks),
      key_event: keyEvent,
      corrections: JSON.stringify(corrections),
      ...byline,
    }
    if (!wasPublished) {
      const publishAt = input.publishAt ?? null
      const publishNow =
        input.status === 'published' || (publishAt !== null && publishAt.getTime() <= ctx.now.getTime())
      if (publishNow) return publishInChange(ctx, current, set)
      // A new time drops any claim on the old one, so it is not skipped when it falls due.
      if (publishAt)
        Object.assign(set, {
          status: 'scheduled',
          publish_at: publishAt,
          published_at: publishAt,
          claimed_until: null,
        })
      const row = await ctx.tx
        .updateTable('updates')
        .set(set)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow()
      return { result: presentUpdate(row), events: [] }
    }
    const unchanged =
      headline === current.headline &&
      keyEvent === current.key_event &&
      input.correction === undefined &&
      (byline === null || byline.author_id === current.author_id) &&
      JSON.stringify(blocks) === JSON.stringify(current.blocks)
    // Like a story PATCH: saving without changes is not a correction readers need to see.
    if (unchanged) return { result: presentUpdate(current), events: [] }
    const seq = ctx.nextSeq()
    const row = await ctx.tx
      .updateTable('updates')
      .set({ ...set, edited_at: ctx.now, seq })
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
  if (edited.status === 'scheduled') deps.scheduleWake.notify()
  return edited
}

/**
 * Publishes an unpublished update inside a change: now is its publication time, and readers get
 * `update.created` as if it had just been posted. An ended story takes no new updates.
 */
function publishInChange(
  ctx: ChangeContext,
  current: UpdateRow,
  set: Updateable<UpdatesTable> = {},
): Promise<{ result: Update; storyPatch: StoryRowPatch; events: EventDraft[] }> {
  if (ctx.story.status === 'ended') throw new AppError('story_ended', `story ${ctx.story.slug} has ended`)
  return (async () => {
    const seq = ctx.nextSeq()
    const row = await ctx.tx
      .updateTable('updates')
      .set({ ...set, status: 'published', published_at: ctx.now, seq })
      .where('id', '=', current.id)
      .returningAll()
      .executeTakeFirstOrThrow()
    const update = presentUpdate(row)
    const storyPatch: StoryRowPatch = { last_update_at: ctx.now, update_count: ctx.story.update_count + 1 }
    return { result: update, storyPatch, events: [{ seq, type: 'update.created', update }] }
  })()
}

/**
 * Publishes one scheduled update if it is still scheduled and due: every instance's scheduler may
 * try the same one, and the story lock plus `FOR UPDATE` and the status check make it
 * happen once. Returns whether this call published it. Due for an ended story, it goes back to the
 * editors' queue as `submitted` instead.
 */
export async function publishScheduledUpdate(deps: Deps, storyId: string, id: string): Promise<boolean> {
  return recordChange(deps, storyId, async (ctx) => {
    const due = await ctx.tx
      .selectFrom('updates')
      .selectAll()
      .where('id', '=', id)
      .where('status', '=', 'scheduled')
      .where('deleted_at', 'is', null)
      .where('publish_at', '<=', ctx.now)
      // Waits for a lock rather than skipping: another instance's claim can hold this row for a
      // moment after ours committed, and a skipped row stayed claimed by us, unpublished, until
      // the claim ran out (5 s late). A concurrent publish of the same row holds the story's lock
      // first, so what waits here is a claim; once it lets go the row is checked again, and one
      // already published is not found.
      .forUpdate()
      .executeTakeFirst()
    if (!due) return { result: false, events: [] }
    if (ctx.story.status === 'ended') {
      await ctx.tx.updateTable('updates').set({ status: 'submitted' }).where('id', '=', id).execute()
      deps.log.warn(
        { storyId, updateId: id },
        'scheduled update was due after its story ended; back to submitted',
      )
      return { result: false, events: [] }
    }
    const outcome = await publishInChange(ctx, due)
    return { ...outcome, result: true }
  })
}

/**
 * Claims due scheduled updates, oldest due first, for `claimMs`: `FOR UPDATE SKIP LOCKED` lets
 * instances claim at the same moment without waiting on or taking each other's. A claim that runs
 * out (its instance died) is taken again.
 */
export async function claimDueScheduledUpdates(
  deps: Deps,
  limit: number,
  claimMs: number,
): Promise<Array<{ id: string; storyId: string }>> {
  const now = deps.clock()
  const rows = await deps.db
    .updateTable('updates')
    .set({ claimed_until: new Date(now.getTime() + claimMs) })
    .where('id', 'in', (db) =>
      db
        .selectFrom('updates')
        .select('id')
        .where('status', '=', 'scheduled')
        .where('deleted_at', 'is', null)
        .where('publish_at', '<=', now)
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
        .orderBy('publish_at')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returning(['id', 'story_id', 'publish_at'])
    .execute()
  rows.sort((x, y) => (x.publish_at?.getTime() ?? 0) - (y.publish_at?.getTime() ?? 0))
  return rows.map((r) => ({ id: r.id, storyId: r.story_id }))
}

/**
 * When this instance should next look: the earliest due time of a scheduled update, or for one
 * another instance has claimed, when that claim runs out (so nobody spins on it meanwhile).
 */
export async function nextScheduledAt(deps: Deps): Promise<Date | null> {
  const row = await deps.db
    .selectFrom('updates')
    .select(sql<Date | null>`min(greatest(publish_at, coalesce(claimed_until, publish_at)))`.as('next'))
    .where('status', '=', 'scheduled')
    .where('deleted_at', 'is', null)
    .executeTakeFirst()
  return row?.next ? new Date(row.next) : null
}

/**
 * Deletes an update. Published: an `update.deleted` event, and the story is unpinned if it was
 * the pinned one. Unpublished (discarded or withdrawn): gone quietly, readers never saw it.
 */
export async function deleteUpdate(
  deps: Deps,
  principal: Principal,
  story: string,
  id: string,
): Promise<void> {
  await recordChange(deps, story, async (ctx) => {
    const storyId = ctx.story.id
    const current = await editableRowOrThrow(ctx.tx, principal, storyId, id, null)
    if (current.status !== 'published') {
      await ctx.tx.updateTable('updates').set({ deleted_at: ctx.now }).where('id', '=', id).execute()
      return { result: undefined, events: [] }
    }
    const seq = ctx.nextSeq()
    await ctx.tx.updateTable('updates').set({ deleted_at: ctx.now, seq }).where('id', '=', id).execute()
    const storyPatch: StoryRowPatch = { last_update_at: ctx.now, update_count: ctx.story.update_count - 1 }
    const events: EventDraft[] = [{ seq, type: 'update.deleted', updateId: id }]
    if (ctx.story.pinned_update_id === id) events.push(pinEvent(ctx, storyPatch, null))
    return { result: undefined, storyPatch, events }
  })
}
