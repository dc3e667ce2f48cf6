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
  body: string
  leaseToken: string
}

/**
 * Claims up to `limit` due deliveries for this worker, in one statement. Only the head of each
 * (endpoint, story) queue is due: while an earlier event for the same endpoint and story is still
 * pending (even leased to another instance), later ones wait, so each endpoint gets a story's
 * events in seq order. `SKIP LOCKED` lets instances claim side by side without blocking; the
 * lease (`lease_until`) hands a delivery back if its worker dies mid-send.
 */
export async function claimDeliveries(
  db: Db,
  limit: number,
  now: Date,
  leaseMs: number,
): Promise<ClaimedDelivery[]> {
  const token = randomBytes(12).toString('base64url')
  const leaseUntil = new Date(now.getTime() + leaseMs)
  const { rows } = await sql<{
    id: string
    webhook_id: string
    story_id: string
    seq: number
    attempts: number
    url: string
    secret: string
    body: string
  }>`
    UPDATE webhook_deliveries d
    SET lease_until = ${leaseUntil}::timestamptz, lease_token = ${token}
    FROM webhooks w, events e
    WHERE d.id IN (
      SELECT c.id FROM webhook_deliveries c
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
      LIMIT ${limit}
      FOR UPDATE OF c SKIP LOCKED
    )
    AND w.id = d.webhook_id AND e.story_id = d.story_id AND e.seq = d.seq
    RETURNING d.id, d.webhook_id, d.story_id, d.seq, d.attempts, w.url, w.secret, e.body
  `.execute(db)
  return rows.map((r) => ({
    id: r.id,
    webhookId: r.webhook_id,
    storyId: r.story_id,
    seq: Number(r.seq),
    attempts: r.attempts,
    url: r.url,
    secret: r.secret,
    body: r.body,
    leaseToken: token,
  }))
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

/**
 * Records an attempt and moves the delivery on, in one statement: succeeded, due again later, or
 * failed. A delivery that fails for good disables its endpoint when nothing else reached it since
 * this delivery's first attempt (the endpoint keeps failing, not just one event). Writes nothing
 * when the lease is no longer ours (the delivery was deleted or taken over).
 * @returns true when the endpoint was disabled by this attempt
 */
export async function recordAttempt(
  db: Db,
  delivery: ClaimedDelivery,
  result: SendResult,
  at: Date,
  next: NextStep | null,
): Promise<boolean> {
  const attempt = sql`
    INSERT INTO webhook_attempts (delivery_id, at, status_code, latency_ms, error)
    SELECT id, ${at}::timestamptz, ${result.statusCode}::integer, ${result.latencyMs}::integer, ${result.error}
    FROM d
  `
  const owned = sql`id = ${delivery.id} AND lease_token = ${delivery.leaseToken}`
  if (result.ok) {
    await sql`
      WITH d AS (
        UPDATE webhook_deliveries
        SET status = 'succeeded', attempts = attempts + 1, delivered_at = ${at}::timestamptz,
            first_attempt_at = coalesce(first_attempt_at, ${at}::timestamptz),
            lease_until = NULL, lease_token = NULL
        WHERE ${owned}
        RETURNING id, webhook_id
      ), a AS (${attempt})
      -- At most once a second per endpoint: a busy endpoint's row is not rewritten on every success.
      UPDATE webhooks SET last_success_at = ${at}::timestamptz FROM d
      WHERE webhooks.id = d.webhook_id
        AND (last_success_at IS NULL OR last_success_at < ${at}::timestamptz - interval '1 second')
    `.execute(db)
    return false
  }
  if (next && 'retryAt' in next) {
    await sql`
      WITH d AS (
        UPDATE webhook_deliveries
        SET attempts = attempts + 1, next_attempt_at = ${next.retryAt}::timestamptz,
            first_attempt_at = coalesce(first_attempt_at, ${at}::timestamptz),
            lease_until = NULL, lease_token = NULL
        WHERE ${owned}
        RETURNING id
      )
      ${attempt}
    `.execute(db)
    return false
  }
  const reason = `delivery ${delivery.id} (story ${delivery.storyId}, seq ${delivery.seq}) failed ${delivery.attempts + 1} times; last error: ${result.error ?? 'none'}`
  const { rows } = await sql<{ id: string }>`
    WITH d AS (
      UPDATE webhook_deliveries
      SET status = 'failed', attempts = attempts + 1,
          first_attempt_at = coalesce(first_attempt_at, ${at}::timestamptz),
          lease_until = NULL, lease_token = NULL
      WHERE ${owned}
      RETURNING id, webhook_id, first_attempt_at
    ), a AS (${attempt})
    UPDATE webhooks SET disabled_at = ${at}::timestamptz, disabled_reason = ${reason},
        updated_at = ${at}::timestamptz
    FROM d
    WHERE webhooks.id = d.webhook_id AND webhooks.disabled_at IS NULL
      AND (webhooks.last_success_at IS NULL OR webhooks.last_success_at < d.first_attempt_at)
    RETURNING webhooks.id
  `.execute(db)
  return rows.length > 0
}

/** Hands deliveries back at once (shutdown): another worker may claim them without waiting for the lease. */
export async function releaseLeases(db: Db, deliveries: ClaimedDelivery[]): Promise<void> {
  for (const d of deliveries) {
    await db
      .updateTable('webhook_deliveries')
      .set({ lease_until: null, lease_token: null })
      .where('id', '=', d.id)
      .where('lease_token', '=', d.leaseToken)
      .execute()
  }
}
