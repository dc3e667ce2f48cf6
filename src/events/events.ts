import { type ExpressionBuilder, sql, type UpdateResult } from 'kysely'
import { storyTopic } from '../bus/bus.js'
import type { Deps } from '../deps.js'
import { AppError } from '../errors.js'
import { toWireTime, toWireTimeOrNull } from '../lib/time.js'
import type { Queryable, Tx } from '../store/db.js'
import type { Database, StoryRow, StoryRowPatch, StoryStatus } from '../store/schema.js'

export type EventType = 'update.created' | 'update.edited' | 'update.deleted' | 'story.updated'

/** One event a change appends; `seq` comes from ChangeContext.nextSeq(). */
export type EventDraft =
  | { seq: number; type: 'update.created' | 'update.edited'; update: unknown }
  | { seq: number; type: 'update.deleted'; updateId: string }
  | { seq: number; type: 'story.updated'; storyState: unknown }

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

/**
 * The one write path of the service. In a single transaction it locks the story row (found by
 * id or slug), runs `change` (domain rows), then moves the story head to the last seq taken and
 * appends one event row per draft, in one statement. Only after commit does it publish the
 * events: the log is the truth, the bus a hint. Writers may see drafts: no visibility check here.
 * @example await recordChange(deps, 'rafah-talks', async (ctx) => ({ result, events: [{ seq: ctx.nextSeq(), type: 'update.deleted', updateId }] }))
 */
export async function recordChange<T>(
  deps: Deps,
  storyRef: string,
  change: (ctx: ChangeContext) => Promise<ChangeOutcome<T>>,
): Promise<T> {
  const committed = await deps.db.transaction().execute(async (tx) => {
    const story = await tx
      .selectFrom('stories')
      .selectAll()
      .where((eb) => eb.or([eb('id', '=', storyRef), eb('slug', '=', storyRef)]))
      .forUpdate()
      .executeTakeFirst()
    if (!story) throw new AppError('not_found', `story ${storyRef} does not exist`)
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
      return { queuedDeliveries: 0n, storyId: story.id, result: outcome.result, bodies: [] }
    const patch = outcome.storyPatch ?? {}
    const lastUpdateAt = patch.last_update_at !== undefined ? patch.last_update_at : story.last_update_at
    const rows = outcome.events.map((draft) => ({
      story_id: story.id,
      seq: draft.seq,
      type: draft.type,
      at: now,
      body: serializeEvent(story.id, draft, now, lastUpdateAt ?? null),
    }))
    // One round trip for all three: the row lock is held across as few as possible.
    const queued = await tx
      .with('head', (db) =>
        db
          .updateTable('stories')
          .set({ ...patch, seq: head })
          .where('id', '=', story.id),
      )
      .with('appended', (db) => db.insertInto('events').values(rows).returning(['story_id', 'seq', 'type']))
      .insertInto('webhook_deliveries')
      .columns(WEBHOOK_DELIVERY_COLUMNS)
      .expression((db) => webhookDeliveriesFor(db, story.id, patch.status ?? story.status, now))
      .executeTakeFirst()
    return {
      queuedDeliveries: queued.numInsertedOrUpdatedRows ?? 0n,
      storyId: story.id,
      result: outcome.result,
      bodies: rows.map((r) => ({ seq: r.seq, body: r.body })),
    }
  })
  for (const { seq, body } of committed.bodies) publishEvent(deps, committed.storyId, seq, body)
  if (committed.queuedDeliveries > 0n) deps.webhooks.wake.notify()
  return committed.result
}

type AppendedEvent = { story_id: string; seq: number; type: string }

const WEBHOOK_DELIVERY_COLUMNS = [
  'id',
  'webhook_id',
  'story_id',
  'seq',
  'event_type',
  'status',
  'next_attempt_at',
  'created_at',
] as const

/**
 * The outbox half of webhooks: one pending delivery per appended event and enabled endpoint that
 * follows the story ('*' or its id), wants the event's type, and may see the story as it stands
 * after this change (partners never get drafts). Queued in the write transaction, so a committed
 * event can never miss its deliveries; the worker (src/webhooks/worker.ts) sends them.
 */
function webhookDeliveriesFor(
  db: ExpressionBuilder<Database & { head: UpdateResult; appended: AppendedEvent }, 'webhook_deliveries'>,
  storyId: string,
  statusAfter: StoryStatus,
  now: Date,
) {
  let query = db
    .selectFrom('appended')
    .innerJoin('webhooks as w', (join) => join.on('w.disabled_at', 'is', null))
    .where(sql<boolean>`w.stories && array['*', ${storyId}]::text[]`)
    .where(sql<boolean>`(w.events is null or appended.type = any(w.events))`)
    // A revoked key's endpoints stop receiving along with the key.
    .where((eb) =>
      eb.or([
        eb('w.owner_key_id', '=', 'admin'),
        eb.exists(
          eb
            .selectFrom('api_keys as k')
            .select('k.id')
            .whereRef('k.id', '=', 'w.owner_key_id')
            .where('k.revoked_at', 'is', null),
        ),
      ]),
    )
  if (statusAfter === 'draft') query = query.where('w.owner_role', '=', 'admin')
  return query.select([
    // The Standard Webhooks message id, drawn here because the number of rows is known only here.
    sql<string>`'msg' || replace(gen_random_uuid()::text, '-', '')`.as('id'),
    'w.id as webhook_id',
    'appended.story_id',
    'appended.seq',
    'appended.type as event_type',
    sql<'pending'>`'pending'`.as('status'),
    sql<Date>`${now}::timestamptz`.as('next_attempt_at'),
    sql<Date>`${now}::timestamptz`.as('created_at'),
  ])
}

function publishEvent(deps: Deps, storyId: string, seq: number, body: string): void {
  deps.metrics.eventsPublished.inc()
  deps.bus.publish(storyTopic(storyId), encodeBusMessage(seq, body)).catch((err: unknown) => {
    // Committed already: readers on every instance catch up from the log (head checks, gap backfill).
    deps.metrics.busPublishFailures.inc()
    deps.log.warn({ err, storyId, seq }, 'bus publish failed; readers will backfill from the events table')
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
  return JSON.stringify(event)
}

/** Bus messages are `<seq> <event JSON>`, so an instance learns the seq without parsing the event. */
export function encodeBusMessage(seq: number, body: string): string {
  return `${seq} ${body}`
}

export function decodeBusMessage(message: string): { seq: number; body: string } | null {
  const space = message.indexOf(' ')
  const seq = Number(message.slice(0, space))
  if (space < 1 || !Number.isSafeInteger(seq)) return null
  return { seq, body: message.slice(space + 1) }
}

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
export async function readStoryPosition(
  db: Queryable,
  storyId: string,
): Promise<{ seq: number; status: StoryRow['status']; lastUpdateAt: string | null }> {
  const row = await db
    .selectFrom('stories')
    .select(['seq', 'status', 'last_update_at'])
    .where('id', '=', storyId)
    .executeTakeFirstOrThrow()
  return { seq: row.seq, status: row.status, lastUpdateAt: toWireTimeOrNull(row.last_update_at) }
}
