import type { Comment } from '../comments/schema.js'
import type { Deps } from '../deps.js'
import { AppError } from '../errors.js'
import { toWireTime, toWireTimeOrNull } from '../lib/time.js'
import type { Tx } from '../store/db.js'
import type { StoryRow, StoryRowPatch, StoryStatus } from '../store/schema.js'
import { storyRef } from '../store/story-ref.js'
import type { Story } from '../stories/schema.js'
import type { Update } from '../updates/schema.js'
import { encodeBusMessage, encodeStoryChange, STORY_CHANGES_TOPIC, storyTopic } from './bus-message.js'
import type { EventType } from './schema.js'

/** The write path: lock the story, take seqs, append events, let hooks join, publish after commit. */

/** One event a change appends; `seq` comes from ChangeContext.nextSeq(). */
export type EventDraft =
  | { seq: number; type: Extract<EventType, 'update.created' | 'update.edited'>; update: Update }
  | { seq: number; type: Extract<EventType, 'update.deleted'>; updateId: string }
  | { seq: number; type: Extract<EventType, 'story.updated'>; storyState: Story }
  | { seq: number; type: Extract<EventType, 'comment.published'>; comment: Comment }
  | { seq: number; type: Extract<EventType, 'comment.removed'>; commentId: string }

export interface ChangeContext {
  tx: Tx
  /** The story as locked for this change. */
  story: StoryRow
  now: Date
  /** The next seq of the story's log: 1, 2, 3 … with no gaps. */
  nextSeq(): number
  /** The story row as it will be committed with `patch` (and the head seq taken so far). */
  storyAfter(patch: StoryRowPatch): StoryRow
}

/** What a change did. No events means nothing changed: the story row is left as it was. */
export interface ChangeOutcome<T> {
  result: T
  storyPatch?: StoryRowPatch
  events: EventDraft[]
}

/** The events one change appended, as a hook sees them. */
export interface AppendedChange {
  storyId: string
  /** The story's status once this change commits (drafts are newsroom-internal). */
  statusAfter: StoryStatus
  events: ReadonlyArray<{ seq: number; type: EventType }>
  at: Date
}

/**
 * Another feature's part in every change, in the same transaction, so a committed event can never
 * miss it (webhooks queue their deliveries here: the outbox). It runs under the story's row lock,
 * after the events are appended; what it returns runs after commit.
 */
export type ChangeHook = (tx: Tx, change: AppendedChange) => Promise<(() => void) | undefined>

/**
 * The one write path of the service. In a single transaction it locks the story row (found by
 * id or slug), runs `change` (domain rows), then moves the story head to the last seq taken and
 * appends one event row per draft, in one statement, and lets the change hooks join. Only after
 * commit does it publish the events: the log is the truth, the bus a hint. Writers may see
 * drafts: no visibility check here.
 * @example await recordChange(deps, 'rafah-talks', async (ctx) => ({ result, events: [{ seq: ctx.nextSeq(), type: 'update.deleted', updateId }] }))
 */
export function recordChange<T>(
  deps: Deps,
  ref: string,
  change: (ctx: ChangeContext) => Promise<ChangeOutcome<T>>,
): Promise<T> {
  // A few writes of one story hold a connection at once; the rest wait in memory (story-write-turns.ts).
  return deps.storyWrites.run(ref, (lockedStory) => recordChangeNow(deps, ref, change, lockedStory))
}

async function recordChangeNow<T>(
  deps: Deps,
  ref: string,
  change: (ctx: ChangeContext) => Promise<ChangeOutcome<T>>,
  lockedStory: (storyId: string) => void,
): Promise<T> {
  const committed = await deps.db.transaction().execute(async (tx) => {
    const story = await tx
      .selectFrom('stories')
      .selectAll()
      .where(storyRef(ref))
      .forUpdate()
      .executeTakeFirst()
    if (!story) throw new AppError('not_found', `story ${ref} does not exist`)
    lockedStory(story.id)
    let head = story.seq
    const now = deps.clock()
    const ctx: ChangeContext = {
      tx,
      story,
      now,
      nextSeq: () => ++head,
      storyAfter: (patch) => ({ ...story, ...patch, seq: head }) as StoryRow,
    }
    const outcome = await change(ctx)
    if (outcome.events.length === 0)
      return { storyId: story.id, result: outcome.result, bodies: [], after: [] }
    const patch = outcome.storyPatch ?? {}
    const lastUpdateAt = patch.last_update_at !== undefined ? patch.last_update_at : story.last_update_at
    const rows = outcome.events.map((draft) => ({
      story_id: story.id,
      seq: draft.seq,
      type: draft.type,
      at: now,
      body: serializeEvent(story.id, draft, now, lastUpdateAt ?? null),
    }))
    // One round trip for both: the row lock is held across as few as possible.
    await tx
      .with('head', (db) =>
        db
          .updateTable('stories')
          .set({ ...patch, seq: head })
          .where('id', '=', story.id),
      )
      .insertInto('events')
      .values(rows)
      .execute()
    const appended: AppendedChange = {
      storyId: story.id,
      statusAfter: patch.status ?? story.status,
      events: outcome.events.map((e) => ({ seq: e.seq, type: e.type })),
      at: now,
    }
    const after: Array<() => void> = []
    for (const hook of deps.changeHooks) {
      const then = await hook(tx, appended)
      if (then) after.push(then)
    }
    return {
      storyId: story.id,
      result: outcome.result,
      bodies: rows,
      after,
      statusAfter: appended.statusAfter,
    }
  })
  for (const { seq, body } of committed.bodies) publishEvent(deps, committed.storyId, seq, body)
  const last = committed.bodies.at(-1)
  if (last && committed.statusAfter) publishChange(deps, committed.storyId, last.seq, committed.statusAfter)
  for (const then of committed.after) then()
  return committed.result
}

function publishEvent(deps: Deps, storyId: string, seq: number, body: string): void {
  deps.metrics.eventsPublished.inc()
  deps.bus.publish(storyTopic(storyId), encodeBusMessage(seq, body)).catch((err: unknown) => {
    // Committed already: readers on every instance catch up from the log (head checks, gap backfill).
    deps.metrics.busPublishFailures.inc()
    deps.log.warn({ err, storyId, seq }, 'bus publish failed; readers will backfill from the events table')
  })
}

function publishChange(deps: Deps, storyId: string, seq: number, status: StoryStatus): void {
  deps.bus.publish(STORY_CHANGES_TOPIC, encodeStoryChange(storyId, seq, status)).catch((err: unknown) => {
    // Caches re-read the story within their trust bound anyway.
    deps.log.warn({ err, storyId, seq }, 'story change hint not published')
  })
}

/** The Event wire object, keys in the contract's order, serialised once for every reader. */
function serializeEvent(storyId: string, draft: EventDraft, at: Date, lastUpdateAt: Date | null): string {
  const event: Record<string, unknown> = {
    story: storyId,
    seq: draft.seq,
    type: draft.type,
    at: toWireTime(at),
    lastUpdateAt: toWireTimeOrNull(lastUpdateAt),
  }
  if ('update' in draft) event.update = draft.update
  if ('updateId' in draft) event.updateId = draft.updateId
  if ('storyState' in draft) event.storyState = draft.storyState
  if ('comment' in draft) event.comment = draft.comment
  if ('commentId' in draft) event.commentId = draft.commentId
  return JSON.stringify(event)
}
