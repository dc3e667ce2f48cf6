import { createHash, timingSafeEqual } from 'node:crypto'
import { CONTROL_TOPIC } from '../bus/bus.js'
import type { Deps } from '../deps.js'
import { AppError } from '../errors.js'
import { newApiKey } from '../lib/ids.js'
import { toWireTime, toWireTimeOrNull } from '../lib/time.js'
import type { ApiKeyRow, Role } from '../store/schema.js'
import type { Principal } from './roles.js'

export const ADMIN_PRINCIPAL: Principal = { keyId: 'admin', name: 'admin', role: 'admin' }

/** Keys carry 256 random bits, so sha256 is enough: there is nothing to brute-force. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex')
}

export interface ApiKey {
  id: string
  name: string
  role: Role
  /** The person whose byline the key posts under; null: the key's own name. */
  personId: string | null
  createdAt: string
  revokedAt: string | null
}

export interface CreatedApiKey extends Omit<ApiKey, 'revokedAt'> {
  /** The secret itself: returned once, never stored. */
  key: string
}

function presentKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    personId: row.person_id,
    createdAt: toWireTime(row.created_at),
    revokedAt: toWireTimeOrNull(row.revoked_at),
  }
}

/** Key routes are admin-only, so only an admin ever sets or changes a key's person. */
export async function createKey(
  deps: Deps,
  input: { name: string; role: Role; personId?: string | null | undefined },
): Promise<CreatedApiKey> {
  const personId = input.personId ?? null
  if (personId) await requirePerson(deps, personId)
  const key = newApiKey()
  const row = await deps.db
    .insertInto('api_keys')
    .values({
      id: deps.newId(),
      name: input.name,
      role: input.role,
      key_hash: hashKey(key),
      created_at: deps.clock(),
      person_id: personId,
    })
    .returningAll()
    .executeTakeFirstOrThrow()
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    personId: row.person_id,
    key,
    createdAt: toWireTime(row.created_at),
  }
}

async function requirePerson(deps: Deps, personId: string): Promise<void> {
  const person = await deps.db.selectFrom('people').select('id').where('id', '=', personId).executeTakeFirst()
  if (!person)
    throw new AppError('invalid_request', 'personId must name a person', { personId: 'no such person' })
}

/** Gives a key a person (or none: null); its later posts carry that byline. */
export async function setKeyPerson(deps: Deps, id: string, personId: string | null): Promise<ApiKey> {
  if (personId) await requirePerson(deps, personId)
  const row = await deps.db
    .updateTable('api_keys')
    .set({ person_id: personId })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst()
  if (!row) throw new AppError('not_found', `key ${id} does not exist`)
  return presentKey(row)
}

export async function listKeys(deps: Deps): Promise<{ items: ApiKey[] }> {
  const rows = await deps.db
    .selectFrom('api_keys')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute()
  return { items: rows.map(presentKey) }
}

/** Revokes a key at once, and tells every instance to close the live connections opened with it. */
export async function revokeKey(deps: Deps, id: string): Promise<void> {
  const row = await deps.db
    .updateTable('api_keys')
    .set({ revoked_at: deps.clock() })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returning('id')
    .executeTakeFirst()
  if (!row) {
    const exists = await deps.db.selectFrom('api_keys').select('id').where('id', '=', id).executeTakeFirst()
    if (!exists) throw new AppError('not_found', `key ${id} does not exist`)
  }
  await publishControl(deps, { type: 'key.revoked', keyId: id })
}

export type ControlMessage = { type: 'key.revoked'; keyId: string }

async function publishControl(deps: Deps, message: ControlMessage): Promise<void> {
  try {
    await deps.bus.publish(CONTROL_TOPIC, JSON.stringify(message))
  } catch (err) {
    // The key is already revoked for every new request; only open sockets on other instances linger.
    deps.log.warn({ err, message }, 'could not publish control message')
  }
}

/**
 * The key in an `Authorization: Bearer <key>` header; undefined when there is no header.
 * @throws AppError('unauthorized') for a header of another form
 */
export function keyFromAuthorization(header: string | undefined): string | undefined {
  if (!header) return undefined
  const key = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1]
  if (!key) throw new AppError('unauthorized', 'Authorization must be "Bearer <key>"')
  return key
}

/**
 * The principal a presented key stands for.
 * @throws AppError('unauthorized') for an unknown or revoked key
 */
export async function verifyKey(deps: Deps, key: string): Promise<Principal> {
  const hash = hashKey(key)
  if (timingSafeEqual(Buffer.from(hash), Buffer.from(deps.adminKeyHash))) return ADMIN_PRINCIPAL
  const row = await deps.db
    .selectFrom('api_keys')
    .select(['id', 'name', 'role', 'revoked_at', 'person_id'])
    .where('key_hash', '=', hash)
    .executeTakeFirst()
  if (!row) throw new AppError('unauthorized', 'unknown API key')
  if (row.revoked_at) throw new AppError('unauthorized', 'this API key has been revoked')
  return { keyId: row.id, name: row.name, role: row.role, personId: row.person_id }
}
