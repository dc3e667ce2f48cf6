import { canSeeStory, type Principal } from '../auth/roles.js'
import { AppError } from '../errors.js'
import { toWireTimeOrNull } from '../lib/time.js'
import type { Queryable } from '../store/db.js'
import type { StoryRow, StoryStatus } from '../store/schema.js'
import { storyRef } from '../store/story-ref.js'

/** Reading the event log: events after a seq, heads, a story's position, the story a reader names. */

/** A stored event: its seq, its type and its wire JSON. */
export interface StoredEvent {
  seq: number
  type: string
  body: string
}

/** Events with seq > since, ascending, at most `limit`. */
export async function readEvents(
  db: Queryable,
  storyId: string,
  since: number,
  limit: number,
): Promise<StoredEvent[]> {
  return db
    .selectFrom('events')
    .select(['seq', 'type', 'body'])
    .where('story_id', '=', storyId)
    .where('seq', '>', since)
    .orderBy('seq', 'asc')
    .limit(limit)
    .execute()
}

/** Heads of several stories in one query: the periodic check that catches lost bus messages. */
export async function readHeads(db: Queryable, storyIds: string[]): Promise<Map<string, number>> {
  if (storyIds.length === 0) return new Map()
  const rows = await db.selectFrom('stories').select(['id', 'seq']).where('id', 'in', storyIds).execute()
  return new Map(rows.map((r) => [r.id, r.seq]))
}

/** Where a story's log stands: its head seq, status and last-update stamp. */
export interface StoryPosition {
  seq: number
  status: StoryStatus
  lastUpdateAt: string | null
}

export async function readStoryPosition(db: Queryable, storyId: string): Promise<StoryPosition> {
  const row = await db
    .selectFrom('stories')
    .select(['seq', 'status', 'last_update_at'])
    .where('id', '=', storyId)
    .executeTakeFirstOrThrow()
  return { seq: row.seq, status: row.status, lastUpdateAt: toWireTimeOrNull(row.last_update_at) }
}

/**
 * The story `ref` (id or slug) names, as `principal` may see it.
 * @throws AppError('not_found') when there is none, or it is a draft the caller may not see
 */
export async function getStoryRowOrThrow(
  db: Queryable,
  principal: Principal | null,
  ref: string,
): Promise<StoryRow> {
  const row = await readStoryByRef(db, ref)
  // A draft is 404, not 403, to those who may not see it: its existence is newsroom-internal.
  if (!row || !canSeeStory(principal, row.status))
    throw new AppError('not_found', `story ${ref} does not exist`)
  return row
}

/** The story `ref` (id or slug) names, whoever asks; undefined when there is none. */
export function readStoryByRef(db: Queryable, ref: string): Promise<StoryRow | undefined> {
  return db.selectFrom('stories').selectAll().where(storyRef(ref)).executeTakeFirst()
}
