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

/** A story's position and its latest events up to it, read together. */
export interface StoryTail extends StoryPosition {
  /** At most the `recent` latest events, ascending, the last at the head. */
  recent: StoredEvent[]
}

/**
 * Where a story stands and its latest `recent` events, in one statement (one snapshot, one round
 * trip): what a live channel needs when it opens, which in a reconnect storm is on every joiner's path.
 * @throws when the story does not exist
 */
export async function readStoryTail(db: Queryable, storyId: string, recent: number): Promise<StoryTail> {
  const rows = await db
    .selectFrom('stories as s')
    .leftJoinLateral(
      (eb) =>
        eb
          .selectFrom('events')
          .select(['events.seq', 'events.type', 'events.body'])
          .whereRef('events.story_id', '=', 's.id')
          .whereRef('events.seq', '<=', 's.seq')
          .orderBy('events.seq', 'desc')
          .limit(recent)
          .as('e'),
      (join) => join.onTrue(),
    )
    .select(['s.seq as head', 's.status', 's.last_update_at', 'e.seq', 'e.type', 'e.body'])
    .where('s.id', '=', storyId)
    .execute()
  const first = rows[0]
  if (!first) throw new Error(`story ${storyId} does not exist`)
  const events: StoredEvent[] = []
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i] as (typeof rows)[number]
    if (row.seq !== null && row.type !== null && row.body !== null)
      events.push({ seq: row.seq, type: row.type, body: row.body })
  }
  return {
    seq: first.head,
    status: first.status,
    lastUpdateAt: toWireTimeOrNull(first.last_update_at),
    recent: events,
  }
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
