import type { Principal } from '../auth/roles.js'
import type { Deps } from '../deps.js'
import { AppError } from '../errors.js'
import { type Page, toPage } from '../lib/cursor.js'
import { toWireTime, toWireTimeOrNull } from '../lib/time.js'
import { newestFirst } from '../store/keyset.js'
import type { WebhookAttemptRow, WebhookDeliveryRow } from '../store/schema.js'
import type { Delivery, ListDeliveriesQuery } from './schema.js'
import { getWebhookRowOrThrow } from './webhooks.js'

/** Attempts shown per delivery: a whole run of the default schedule, and then some. */
const ATTEMPTS_SHOWN = 20

type AttemptWithCount = WebhookAttemptRow & { total: number }

function presentDelivery(row: WebhookDeliveryRow, attempts: AttemptWithCount[]): Delivery {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    story: row.story_id,
    seq: row.seq,
    type: row.event_type as Delivery['type'],
    status: row.status,
    createdAt: toWireTime(row.created_at),
    nextAttemptAt: row.status === 'pending' ? toWireTime(row.next_attempt_at) : null,
    deliveredAt: toWireTimeOrNull(row.delivered_at),
    attemptCount: attempts[0]?.total ?? 0,
    attempts: attempts
      .map((a) => ({
        at: toWireTime(a.at),
        statusCode: a.status_code,
        latencyMs: a.latency_ms,
        error: a.error,
      }))
      .reverse(),
  }
}

/** The latest attempts of each delivery, newest first, with each delivery's total. */
async function attemptsOf(deps: Deps, deliveryIds: string[]): Promise<Map<string, AttemptWithCount[]>> {
  const byDelivery = new Map<string, AttemptWithCount[]>()
  if (deliveryIds.length === 0) return byDelivery
  const rows = await deps.db
    .selectFrom((db) =>
      db
        .selectFrom('webhook_attempts')
        .selectAll()
        .select((eb) => [
          eb.fn
            .agg<number>('row_number')
            .over((o) => o.partitionBy('delivery_id').orderBy('id', 'desc'))
            .as('n'),
          eb.fn
            .agg<string>('count', [eb.lit(1)])
            .over((o) => o.partitionBy('delivery_id'))
            .as('total'),
        ])
        .where('delivery_id', 'in', deliveryIds)
        .as('a'),
    )
    .selectAll()
    .where('n', '<=', ATTEMPTS_SHOWN)
    .orderBy('id', 'desc')
    .execute()
  for (const row of rows) {
    const list = byDelivery.get(row.delivery_id) ?? []
    list.push({ ...row, total: Number(row.total) })
    byDelivery.set(row.delivery_id, list)
  }
  return byDelivery
}

/** A webhook's deliveries, newest first, each with its latest attempts (status code, latency, error). */
export async function listDeliveries(
  deps: Deps,
  principal: Principal,
  webhookId: string,
  query: ListDeliveriesQuery,
): Promise<Page<Delivery>> {
  const after = query.cursor
  await getWebhookRowOrThrow(deps.db, principal, webhookId)
  let q = deps.db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', webhookId)
  if (query.status) q = q.where('status', '=', query.status)
  const rows = await newestFirst(q, 'created_at', after, query.limit).execute()
  const attempts = await attemptsOf(
    deps,
    rows.slice(0, query.limit).map((r) => r.id),
  )
  return toPage(
    rows,
    query.limit,
    (r) => ({ at: r.created_at, id: r.id }),
    (r) => presentDelivery(r, attempts.get(r.id) ?? []),
  )
}

/**
 * Sends a delivery again, whatever its status, as soon as a worker is free: a new run of the retry
 * schedule under the same webhook-id (receivers that already have it can tell it is a resend).
 * @throws AppError('webhook_disabled') while the endpoint is disabled: re-enable it first
 */
export async function retryDelivery(
  deps: Deps,
  principal: Principal,
  webhookId: string,
  deliveryId: string,
): Promise<Delivery> {
  const webhook = await getWebhookRowOrThrow(deps.db, principal, webhookId)
  if (webhook.disabled_at)
    throw new AppError('webhook_disabled', `webhook ${webhookId} is disabled; re-enable it with PATCH first`)
  // A lease in flight is left alone: that send records its attempt on the row as usual.
  const row = await deps.db
    .updateTable('webhook_deliveries')
    .set({
      status: 'pending',
      attempts: 0,
      first_attempt_at: null,
      finished_at: null,
      next_attempt_at: deps.clock(),
    })
    .where('id', '=', deliveryId)
    .where('webhook_id', '=', webhookId)
    .returningAll()
    .executeTakeFirst()
  if (!row) throw new AppError('not_found', `delivery ${deliveryId} does not exist`)
  deps.webhooks.wake.notify()
  const attempts = await attemptsOf(deps, [row.id])
  return presentDelivery(row, attempts.get(row.id) ?? [])
}
