import { can, type Principal } from '../auth/roles.js'
import type { Deps } from '../deps.js'
import { AppError } from '../errors.js'
import { type Page, toPage } from '../lib/cursor.js'
import type { PageQuery } from '../lib/page-query.js'
import { toWireTime, toWireTimeOrNull } from '../lib/time.js'
import type { Queryable } from '../store/db.js'
import { newestFirst } from '../store/keyset.js'
import type { WebhookRow } from '../store/schema.js'
import type {
  CreatedWebhook,
  CreateWebhookInput,
  RotatedWebhook,
  RotateSecretInput,
  UpdateWebhookInput,
  Webhook,
} from './schema.js'
import { generateSecret } from './signature.js'
import { checkTarget } from './target.js'

type EventType = NonNullable<Webhook['events']>[number]

export function presentWebhook(row: WebhookRow): Webhook {
  return {
    id: row.id,
    url: row.url,
    stories: row.stories,
    events: row.events as EventType[] | null,
    createdAt: toWireTime(row.created_at),
    updatedAt: toWireTime(row.updated_at),
    disabledAt: toWireTimeOrNull(row.disabled_at),
    disabledReason: row.disabled_reason,
  }
}

/**
 * Routes let only roles that may manage webhooks in (requireAction); of those, an admin manages
 * every webhook and a partner only its own.
 */
const managesAll = (principal: Principal): boolean => can(principal, 'webhooks:any')

/**
 * The webhook `id` as `principal` may see it: its own, or any for an admin.
 * @throws AppError('not_found') for an unknown id or another partner's webhook (existence is private)
 */
export async function getWebhookRowOrThrow(
  db: Queryable,
  principal: Principal,
  id: string,
): Promise<WebhookRow> {
  let q = db.selectFrom('webhooks').selectAll().where('id', '=', id)
  if (!managesAll(principal)) q = q.where('owner_key_id', '=', principal.keyId)
  const row = await q.executeTakeFirst()
  if (!row) throw new AppError('not_found', `webhook ${id} does not exist`)
  return row
}

async function checkUrlOrThrow(deps: Deps, url: string): Promise<string> {
  try {
    return (await checkTarget(url, deps.webhooks.settings)).toString()
  } catch (err) {
    if ((err as Error).name !== 'TargetError') throw err
    throw new AppError('invalid_request', `webhook URL refused: ${(err as Error).message}`, {
      url: (err as Error).message,
    })
  }
}

/**
 * Story ids (or slugs) as stored: ids the owner may see. '*' stays as it is.
 * @throws AppError('invalid_request') naming each story that does not exist or is hidden from the owner
 */
async function resolveStoriesOrThrow(deps: Deps, principal: Principal, refs: string[]): Promise<string[]> {
  if (refs.length === 1 && refs[0] === '*') return refs
  let q = deps.db
    .selectFrom('stories')
    .select(['id', 'slug'])
    .where((eb) => eb.or([eb('id', 'in', refs), eb('slug', 'in', refs)]))
  // Partners never get draft events, so a draft is as unknown to them here as everywhere else.
  if (principal.role !== 'admin') q = q.where('status', '!=', 'draft')
  const rows = await q.execute()
  const details: Record<string, string> = {}
  const ids = refs.map((ref, i) => {
    const row = rows.find((r) => r.id === ref || r.slug === ref)
    if (!row) details[`stories.${i}`] = `no story ${ref}`
    return row?.id ?? ref
  })
  if (Object.keys(details).length > 0)
    throw new AppError('invalid_request', 'unknown story in stories', details)
  return [...new Set(ids)]
}

export async function createWebhook(
  deps: Deps,
  principal: Principal,
  input: CreateWebhookInput,
): Promise<CreatedWebhook> {
  const url = await checkUrlOrThrow(deps, input.url)
  const stories = await resolveStoriesOrThrow(deps, principal, input.stories)
  const { count } = await deps.db
    .selectFrom('webhooks')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('owner_key_id', '=', principal.keyId)
    .executeTakeFirstOrThrow()
  if (Number(count) >= deps.webhooks.settings.maxPerOwner)
    throw new AppError(
      'webhook_limit_reached',
      `this key has ${count} webhooks, the most allowed; delete one first`,
    )
  const now = deps.clock()
  const secret = generateSecret()
  const row = await deps.db
    .insertInto('webhooks')
    .values({
      id: deps.newId(),
      owner_key_id: principal.keyId,
      // What the outbox checks: only an admin's endpoints may hear of drafts.
      owner_role: managesAll(principal) ? 'admin' : 'partner',
      url,
      stories,
      events: input.events,
      secret,
      created_at: now,
      updated_at: now,
      disabled_at: null,
      disabled_reason: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  return { ...presentWebhook(row), secret }
}

/**
 * A new signing secret, shown once. The current one becomes the previous secret and keeps signing
 * next to the new one for `overlapSeconds` (a previous secret of an earlier rotation is dropped).
 * @throws AppError('not_found') for an unknown id or another partner's webhook
 */
export async function rotateWebhookSecret(
  deps: Deps,
  principal: Principal,
  id: string,
  input: RotateSecretInput,
): Promise<RotatedWebhook> {
  const current = await getWebhookRowOrThrow(deps.db, principal, id)
  const now = deps.clock()
  const secret = generateSecret()
  const overlapping = input.overlapSeconds > 0
  const row = await deps.db
    .updateTable('webhooks')
    .set({
      secret,
      previous_secret: overlapping ? current.secret : null,
      previous_secret_expires_at: overlapping ? new Date(now.getTime() + input.overlapSeconds * 1000) : null,
      updated_at: now,
    })
    .where('id', '=', current.id)
    .returningAll()
    .executeTakeFirstOrThrow()
  return {
    ...presentWebhook(row),
    secret,
    previousSecretExpiresAt: toWireTimeOrNull(row.previous_secret_expires_at),
  }
}

export async function listWebhooks(
  deps: Deps,
  principal: Principal,
  query: PageQuery,
): Promise<Page<Webhook>> {
  const after = query.cursor
  let q = deps.db.selectFrom('webhooks').selectAll()
  if (!managesAll(principal)) q = q.where('owner_key_id', '=', principal.keyId)
  const rows = await newestFirst(q, 'created_at', after, query.limit).execute()
  return toPage(rows, query.limit, (r) => ({ at: r.created_at, id: r.id }), presentWebhook)
}

export async function getWebhook(deps: Deps, principal: Principal, id: string): Promise<Webhook> {
  return presentWebhook(await getWebhookRowOrThrow(deps.db, principal, id))
}

/**
 * Changes an endpoint. `enabled: true` re-enables it: deliveries still pending resume in order;
 * events from while it was disabled were never queued (catch up with the events endpoint).
 */
export async function updateWebhook(
  deps: Deps,
  principal: Principal,
  id: string,
  input: UpdateWebhookInput,
): Promise<Webhook> {
  const current = await getWebhookRowOrThrow(deps.db, principal, id)
  const now = deps.clock()
  const patch: Partial<WebhookRow> = {}
  if (input.url !== undefined) patch.url = await checkUrlOrThrow(deps, input.url)
  if (input.stories !== undefined) patch.stories = await resolveStoriesOrThrow(deps, principal, input.stories)
  if (input.events !== undefined) patch.events = input.events
  if (input.enabled === true && current.disabled_at) {
    patch.disabled_at = null
    patch.disabled_reason = null
  }
  if (input.enabled === false && !current.disabled_at) {
    patch.disabled_at = now
    patch.disabled_reason = 'disabled by its owner'
  }
  if (Object.keys(patch).length === 0) return presentWebhook(current)
  const row = await deps.db
    .updateTable('webhooks')
    .set({ ...patch, updated_at: now })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst()
  if (!row) throw new AppError('not_found', `webhook ${id} does not exist`)
  // Pending deliveries of a re-enabled endpoint are due now.
  if (patch.disabled_at === null) deps.webhooks.wake.notify()
  return presentWebhook(row)
}

/** Deletes an endpoint with its queue and history; a send in flight finishes but records nothing. */
export async function deleteWebhook(deps: Deps, principal: Principal, id: string): Promise<void> {
  await getWebhookRowOrThrow(deps.db, principal, id)
  await deps.db.deleteFrom('webhooks').where('id', '=', id).execute()
}
