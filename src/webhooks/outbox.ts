import { sql } from 'kysely'
import type { ChangeHook } from '../events/record-change.js'
import type { Signal } from '../lib/signal.js'

/**
 * The outbox half of webhooks, joined to every change of the event log: one pending delivery per
 * appended event and enabled endpoint that follows the story ('*' or its id), wants the event's
 * type (comment events only when named), and may see the story as it stands after this change (partners never get drafts). Queued
 * in the write transaction, so a committed event can never miss its deliveries; after commit it
 * wakes this instance's worker (src/webhooks/worker.ts), which sends them.
 * @example deps.changeHooks = [queueWebhookDeliveries(wake)]
 */
export function queueWebhookDeliveries(wake: Signal): ChangeHook {
  return async (tx, change) => {
    const { storyId, statusAfter, at } = change
    let query = tx
      .selectFrom('events as appended')
      .where('appended.story_id', '=', storyId)
      .where(
        'appended.seq',
        'in',
        change.events.map((e) => e.seq),
      )
      .innerJoin('webhooks as w', (join) => join.on('w.disabled_at', 'is', null))
      .where(sql<boolean>`w.stories && array['*', ${storyId}]::text[]`)
      // No list: every update and story event; comment.* only to endpoints that name them (opt-in).
      .where(
        sql<boolean>`(appended.type = any(w.events) or (w.events is null and appended.type not like 'comment.%'))`,
      )
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
    const queued = await tx
      .insertInto('webhook_deliveries')
      .columns([
        'id',
        'webhook_id',
        'story_id',
        'seq',
        'event_type',
        'status',
        'next_attempt_at',
        'created_at',
      ])
      .expression(
        query.select([
          // The Standard Webhooks message id, drawn here because the number of rows is known only here.
          sql<string>`'msg' || replace(gen_random_uuid()::text, '-', '')`.as('id'),
          'w.id as webhook_id',
          'appended.story_id',
          'appended.seq',
          'appended.type as event_type',
          sql<'pending'>`'pending'`.as('status'),
          sql<Date>`${at}::timestamptz`.as('next_attempt_at'),
          sql<Date>`${at}::timestamptz`.as('created_at'),
        ]),
      )
      .executeTakeFirst()
    return (queued.numInsertedOrUpdatedRows ?? 0n) > 0n ? () => wake.notify() : undefined
  }
}
