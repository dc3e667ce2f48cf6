import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import type { Db } from '../store/db.js'
import type { SendResult } from './send.js'

/** A delivery one worker holds until `leaseUntil`, with what it needs to send it. */
export interface ClaimedDelivery {
  id: string
  webhookId: string
  storyId: string
  seq: number
  /** Attempts already made in this run of the retry schedule. */
  attempts: number
  url: string
  secret: string
  /** The secret a rotation replaced and when it stops signing (null: none). */
  previousSecret: string | null
  previousSecretExpiresAt: Date | null
  body: string
  leaseToken: string
  leaseUntil: Date
}

/** Consecutive deliveries of one (endpoint, story) queue, in seq order: sent one after another. */
export type DeliveryRun = ClaimedDelivery[]

/**
 * Claims up to `maxRuns` runs of due deliveries, in one statement. A run starts at the head of an
 * (endpoint, story) queue, the earliest pending delivery, which must be due and not leased (while
 * an earlier event for the same endpoint and story is still pending, even leased to another
 * instance, later ones wait), and goes on with the deliveries after it, up to `runLength`, while
 * they are due and not leased: so each endpoint gets a story's events in seq order, and the worker
 * holding a queue's head is the only one that may take the rest of that queue. `SKIP LOCKED` lets
 * instances claim side by side without blocking; the lease (`lease_until`) hands a delivery back if
 * its worker dies mid-send.
 */
export async function claimRuns(
  db: Db,
  maxRuns: number,
  runLength: number,
  now: Date,
  leaseMs: number,
): Promise<DeliveryRun[]> {
  const token = randomBytes(12).toString('base64url')
  const leaseUntil = new Date(now.getTime() + leaseMs)
  const { rows } = await sql<{
    head_id: string
    ord: string | number
    id: string
    webhook_id: string
    story_id: string
    seq: string | number
    attempts: number
    url: string
    secret: string
    previous_secret: string | null
    previous_secret_expires_at: Date | null
    body: string
  }>`
    WITH heads AS (
      SELECT c.id, c.webhook_id, c.story_id, c.seq FROM webhook_deliveries c
      JOIN webhooks cw ON cw.id = c.webhook_id AND cw.disabled_at IS NULL
      WHERE c.status = 'pending'
        AND c.next_attempt_at <= ${now}::timestamptz
        AND (c.lease_until IS NULL OR c.lease_until <= ${now}::timestamptz)
        AND NOT EXISTS (
          SELECT 1 FROM webhook_deliveries p
          WHERE p.webhook_id = c.webhook_id AND p.story_id = c.story_id
            AND p.status = 'pending' AND p.seq < c.seq
        )
      ORDER BY c.next_attempt_at, c.seq
      LIMIT ${maxRuns}
      FOR UPDATE OF c SKIP LOCKED
    ), runs AS (
      SELECT h.id AS head_id, q.id, q.story_id, q.seq, q.ord
      FROM heads h
      CROSS JOIN LATERAL (
        -- The queue from its head on; a run ends before the first delivery that is not due or is leased.
        SELECT n.*, row_number() OVER w AS ord, bool_and(n.open) OVER w AS run_open
        FROM (
          SELECT n.id, n.story_id, n.seq,
            n.next_attempt_at <= ${now}::timestamptz
              AND (n.lease_until IS NULL OR n.lease_until <= ${now}::timestamptz) AS open
          FROM webhook_deliveries n
          WHERE n.webhook_id = h.webhook_id AND n.story_id = h.story_id
            AND n.status = 'pending' AND n.seq >= h.seq
          ORDER BY n.seq
          LIMIT ${runLength}
        ) n
        WINDOW w AS (ORDER BY n.seq)
      ) q
      WHERE q.run_open
    )
    UPDATE webhook_deliveries d
    SET lease_until = ${leaseUntil}::timestamptz, lease_token = ${token}
    FROM runs, webhooks w, events e
    -- The lease is checked again on the row's latest version if another claim changed it meanwhile.
    WHERE d.id = runs.id AND d.status = 'pending'
      AND (d.lease_until IS NULL OR d.lease_until <= ${now}::timestamptz)
      AND w.id = d.webhook_id AND e.story_id = d.story_id AND e.seq = d.seq
    RETURNING runs.head_id, runs.ord, d.id, d.webhook_id, d.story_id, d.seq, d.attempts, w.url, w.secret, w.previous_secret, w.previous_secret_expires_at, e.body
  `.execute(db)
  rows.sort((a, b) =>
    a.head_id < b.head_id ? -1 : a.head_id > b.head_id ? 1 : Number(a.ord) - Number(b.ord),
  )
  const runs = new Map<string, DeliveryRun>()
  const stray: ClaimedDelivery[] = []
  for (const r of rows) {
    const run = runs.get(r.head_id) ?? []
    runs.set(r.head_id, run)
    const delivery: ClaimedDelivery = {
      id: r.id,
      webhookId: r.webhook_id,
      storyId: r.story_id,
      seq: Number(r.seq),
      attempts: r.attempts,
      url: r.url,
      secret: r.secret,
      previousSecret: r.previous_secret,
      previousSecretExpiresAt: r.previous_secret_expires_at ? new Date(r.previous_secret_expires_at) : null,
      body: r.body,
      leaseToken: token,
      leaseUntil,
    }
    // A row another claim took between our snapshot and our update leaves a gap: what we got
    // after it must not be sent before it, so it goes back at once.
    if (Number(r.ord) === run.length + 1) run.push(delivery)
    else stray.push(delivery)
  }
  if (stray.length > 0) await releaseLeases(db, stray)
  return [...runs.values()].filter((run) => run.length > 0)
}

/** What to do after a failed attempt: try again at `at`, or give up. */
export type NextStep = { retryAt: Date } | { giveUp: true }

/**
 * The retry schedule with jitter: after failed attempt n (1-based) wait `schedule[n - 1]` plus up
 * to a quarter more (jitter only lengthens, so the whole schedule lasts at least its sum).
 */
export function nextStep(schedule: readonly number[], attemptsMade: number, now: Date): NextStep {
  const delay = schedule[attemptsMade - 1]
  if (delay === undefined) return { giveUp: true }
  return { retryAt: new Date(now.getTime() + delay + Math.floor(Math.random() * (delay / 4))) }
}

/** One attempt to record: the delivery, what the endpoint answered, and what comes next. */
export interface AttemptRecord {
  delivery: ClaimedDelivery
  result: SendResult
  at: Date
  /** null after a success. */
  next: NextStep | null
}

/** What recording an attempt found. */
export interface RecordedAttempt {
  /** false when the lease was no longer ours (the delivery was deleted or taken over): nothing was written. */
  recorded: boolean
  /** This attempt made its endpoint disabled. */
  disabledNow: boolean
  /** The endpoint as it is now: a run stops when it was disabled or its URL changed. */
  endpointEnabled: boolean
  endpointUrl: string | null
}

/**
 * Records attempts and moves their deliveries on, many in one statement: each succeeded, due again
 * later, or failed. A delivery that fails for good disables its endpoint when nothing else reached
 * it since that delivery's first attempt (the endpoint keeps failing, not just one event), nor in
 * this batch. Writes nothing for a delivery whose lease is no longer ours.
 * @returns what was found for each record, in the same order
 */
export async function recordAttempts(db: Db, records: AttemptRecord[]): Promise<RecordedAttempt[]> {
  if (records.length === 0) return []
  const input = records.map(({ delivery, result, at, next }) => {
    const outcome = result.ok ? 'succeeded' : next && 'retryAt' in next ? 'retry' : 'failed'
    return {
      id: delivery.id,
      token: delivery.leaseToken,
      outcome,
      at: at.toISOString(),
      next_at: next && 'retryAt' in next ? next.retryAt.toISOString() : null,
      status_code: result.statusCode,
      latency_ms: result.latencyMs,
      error: result.error,
      reason:
        outcome === 'failed'
          ? `delivery ${delivery.id} (story ${delivery.storyId}, seq ${delivery.seq}) failed ${delivery.attempts + 1} times; last error: ${result.error ?? 'none'}`
          : null,
    }
  })
  const { rows } = await sql<{ id: string; url: string; enabled: boolean; disabled_now: boolean }>`
    WITH r AS (
      SELECT * FROM json_to_recordset(${JSON.stringify(input)}::json) AS r(
        id text, token text, outcome text, at timestamptz, next_at timestamptz,
        status_code integer, latency_ms integer, error text, reason text)
    ), d AS (
      UPDATE webhook_deliveries w
      SET status = CASE WHEN r.outcome = 'retry' THEN 'pending' ELSE r.outcome END,
          attempts = w.attempts + 1,
          next_attempt_at = coalesce(r.next_at, w.next_attempt_at),
          delivered_at = CASE WHEN r.outcome = 'succeeded' THEN r.at ELSE w.delivered_at END,
          first_attempt_at = coalesce(w.first_attempt_at, r.at),
          finished_at = CASE WHEN r.outcome = 'retry' THEN NULL ELSE r.at END,
          lease_until = NULL, lease_token = NULL
      FROM r
      WHERE w.id = r.id AND w.lease_token = r.token
      RETURNING w.id, w.webhook_id, w.first_attempt_at, r.outcome, r.at, r.reason
    ), a AS (
      INSERT INTO webhook_attempts (delivery_id, at, status_code, latency_ms, error)
      SELECT r.id, r.at, r.status_code, r.latency_ms, r.error FROM r JOIN d ON d.id = r.id
    ), ok AS (
      -- At most once a second per endpoint: a busy endpoint's row is not rewritten on every success.
      UPDATE webhooks h SET last_success_at = s.at
      FROM (SELECT webhook_id, max(at) AS at FROM d WHERE outcome = 'succeeded' GROUP BY webhook_id) s
      WHERE h.id = s.webhook_id
        AND (h.last_success_at IS NULL OR h.last_success_at < s.at - interval '1 second')
    ), off AS (
      UPDATE webhooks h SET disabled_at = f.at, disabled_reason = f.reason, updated_at = f.at
      FROM (
        SELECT DISTINCT ON (webhook_id) webhook_id, at, reason, first_attempt_at FROM d
        WHERE outcome = 'failed'
          AND NOT EXISTS (SELECT 1 FROM d s WHERE s.webhook_id = d.webhook_id AND s.outcome = 'succeeded')
        ORDER BY webhook_id, first_attempt_at DESC
      ) f
      WHERE h.id = f.webhook_id AND h.disabled_at IS NULL
        AND (h.last_success_at IS NULL OR h.last_success_at < f.first_attempt_at)
      RETURNING h.id
    )
    SELECT d.id, h.url, (h.disabled_at IS NULL AND off.id IS NULL) AS enabled,
      (off.id IS NOT NULL AND d.outcome = 'failed') AS disabled_now
    FROM d
    JOIN webhooks h ON h.id = d.webhook_id
    LEFT JOIN off ON off.id = d.webhook_id
  `.execute(db)
  const byId = new Map(rows.map((r) => [r.id, r]))
  return records.map(({ delivery }) => {
    const row = byId.get(delivery.id)
    return {
      recorded: row !== undefined,
      disabledNow: row?.disabled_now ?? false,
      endpointEnabled: row?.enabled ?? false,
      endpointUrl: row?.url ?? null,
    }
  })
}

/** Hands deliveries back at once (a run cut short, shutdown): another worker may claim them without waiting for the lease. */
export async function releaseLeases(db: Db, deliveries: ClaimedDelivery[]): Promise<void> {
  if (deliveries.length === 0) return
  const input = deliveries.map((d) => ({ id: d.id, token: d.leaseToken }))
  await sql`
    UPDATE webhook_deliveries w SET lease_until = NULL, lease_token = NULL
    FROM json_to_recordset(${JSON.stringify(input)}::json) AS r(id text, token text)
    WHERE w.id = r.id AND w.lease_token = r.token
  `.execute(db)
}
