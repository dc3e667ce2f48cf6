import { createHash } from 'node:crypto'
import { AppError } from '../errors.js'
import { isUniqueViolation, type Tx } from '../store/db.js'

export const MAX_IDEMPOTENCY_KEY = 255

/** A stable fingerprint of a request body: same fields in any order give the same hash. */
export function requestHash(value: unknown): string {
  return createHash('sha256').update(stableStringify(value)).digest('hex')
}

function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

export interface IdempotentRequest {
  apiKeyId: string
  key: string
  storyId: string
  hash: string
  /** Keys created before this are expired: forgotten, as if never sent. */
  expiredBefore: Date
}

/**
 * The update an earlier request with this key made, if any, unless the key expired
 * (`idempotencyKeyTtlMs`, 24 h by default): then the request posts again. Runs under the story lock, so two
 * concurrent retries cannot both miss it.
 * @throws AppError('idempotency_key_reused') when the key was used with a different body
 */
export async function findIdempotentUpdateId(tx: Tx, req: IdempotentRequest): Promise<string | null> {
  const row = await tx
    .selectFrom('idempotency_keys')
    .select(['request_hash', 'story_id', 'update_id', 'created_at'])
    .where('api_key_id', '=', req.apiKeyId)
    .where('key', '=', req.key)
    .executeTakeFirst()
  if (!row) return null
  if (row.created_at < req.expiredBefore) {
    // Expired but not pruned yet: forget it now, so this request is a new one (and can save the key).
    await tx
      .deleteFrom('idempotency_keys')
      .where('api_key_id', '=', req.apiKeyId)
      .where('key', '=', req.key)
      .execute()
    return null
  }
  if (row.request_hash !== req.hash || row.story_id !== req.storyId) {
    throw new AppError(
      'idempotency_key_reused',
      'this Idempotency-Key was already used with a different request',
      {
        idempotencyKey: req.key,
      },
    )
  }
  return row.update_id
}

export async function saveIdempotentUpdateId(
  tx: Tx,
  req: IdempotentRequest,
  updateId: string,
  now: Date,
): Promise<void> {
  try {
    await tx
      .insertInto('idempotency_keys')
      .values({
        api_key_id: req.apiKeyId,
        key: req.key,
        story_id: req.storyId,
        request_hash: req.hash,
        update_id: updateId,
        created_at: now,
      })
      .execute()
  } catch (err) {
    // The same key used at the same moment on another story (whose lock we do not hold).
    if (isUniqueViolation(err)) {
      throw new AppError('idempotency_key_reused', 'this Idempotency-Key is in use by another request', {
        idempotencyKey: req.key,
      })
    }
    throw err
  }
}
