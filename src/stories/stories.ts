import { randomBytes } from 'node:crypto'
import { canSeeStory, type Principal } from '../auth/roles.js'
import type { Deps } from '../deps.js'
import { AppError } from '../errors.js'
import { getStoryRowOrThrow } from '../events/event-log.js'
import { recordChange } from '../events/record-change.js'
import { type Page, toPage } from '../lib/cursor.js'
import { slugify } from '../lib/slug.js'
import { isUniqueViolation } from '../store/db.js'
import { newestFirst } from '../store/keyset.js'
import type { StoryRowPatch } from '../store/schema.js'
import { presentStory } from './present.js'
import type { CreateStoryInput, ListStoriesQuery, Story, UpdateStoryInput } from './schema.js'

export async function getStory(deps: Deps, principal: Principal | null, ref: string): Promise<Story> {
  return presentStory(await getStoryRowOrThrow(deps.db, principal, ref))
}

export async function createStory(deps: Deps, input: CreateStoryInput): Promise<Story> {
  const now = deps.clock()
  const base = {
    id: deps.newId(),
    title: input.title,
    summary: input.summary ?? null,
    section: input.section ?? null,
    language: input.language,
    status: input.status,
    created_at: now,
    updated_at: now,
    last_update_at: null,
    pinned_update_id: null,
  }
  const insert = (slug: string) =>
    deps.db
      .insertInto('stories')
      .values({ ...base, slug })
      .returningAll()
      .executeTakeFirstOrThrow()
  if (input.slug) {
    try {
      return presentStory(await insert(input.slug))
    } catch (err) {
      if (isUniqueViolation(err))
        throw new AppError('slug_taken', `the slug ${input.slug} is taken`, { slug: input.slug })
      throw err
    }
  }
  // A derived slug that is taken gets a short random suffix: two stories may share a headline.
  const derived = slugify(input.title)
  for (const slug of [derived, `${derived.slice(0, 73)}-${randomBytes(4).toString('hex').slice(0, 6)}`]) {
    try {
      return presentStory(await insert(slug))
    } catch (err) {
      if (!isUniqueViolation(err)) throw err
    }
  }
  throw new AppError('slug_taken', `no free slug could be derived from the title; give one`, {
    slug: derived,
  })
}

export async function listStories(
  deps: Deps,
  principal: Principal | null,
  query: ListStoriesQuery,
): Promise<Page<Story>> {
  const after = query.cursor
  if (query.status === 'draft' && !canSeeStory(principal, 'draft')) return { items: [], nextCursor: null }
  let q = deps.db.selectFrom('stories').selectAll()
  if (query.status) q = q.where('status', '=', query.status)
  else if (!canSeeStory(principal, 'draft')) q = q.where('status', '!=', 'draft')
  const rows = await newestFirst(q, 'created_at', after, query.limit).execute()
  return toPage(rows, query.limit, (r) => ({ at: r.created_at, id: r.id }), presentStory)
}

/** Edits a story and appends `story.updated` carrying its new state; a no-op patch changes nothing. */
export async function updateStory(deps: Deps, ref: string, input: UpdateStoryInput): Promise<Story> {
  return recordChange(deps, ref, async (ctx) => {
    const { story } = ctx
    if (input.status && story.status === 'ended' && input.status !== 'ended') {
      throw new AppError('story_ended', 'an ended story cannot be reopened')
    }
    if (input.pinnedUpdateId) {
      const pinned = await ctx.tx
        .selectFrom('updates')
        .select('id')
        .where('id', '=', input.pinnedUpdateId)
        .where('story_id', '=', story.id)
        .where('deleted_at', 'is', null)
        .where('status', '=', 'published')
        .executeTakeFirst()
      if (!pinned) {
        throw new AppError('invalid_request', 'pinnedUpdateId must name an update of this story', {
          pinnedUpdateId: 'no such update in this story',
        })
      }
    }
    const patch: StoryRowPatch = {}
    if (input.title !== undefined && input.title !== story.title) patch.title = input.title
    if (input.summary !== undefined && input.summary !== story.summary) patch.summary = input.summary
    if (input.section !== undefined && input.section !== story.section) patch.section = input.section
    if (input.language !== undefined && input.language !== story.language) patch.language = input.language
    if (input.status !== undefined && input.status !== story.status) patch.status = input.status
    if (input.comments !== undefined && input.comments !== story.comments) patch.comments = input.comments
    if (input.pinnedUpdateId !== undefined && input.pinnedUpdateId !== story.pinned_update_id)
      patch.pinned_update_id = input.pinnedUpdateId
    if (Object.keys(patch).length === 0) return { result: presentStory(story), events: [] }
    patch.updated_at = ctx.now
    const seq = ctx.nextSeq()
    const storyState = presentStory(ctx.storyAfter(patch))
    return { result: storyState, storyPatch: patch, events: [{ seq, type: 'story.updated', storyState }] }
  })
}
