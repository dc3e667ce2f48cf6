import { createHash } from 'node:crypto'
import type { Context } from 'hono'
import type { Principal } from '../auth/roles.js'
import { etagMatches } from '../lib/etag.js'
import type { AppEnv } from './env.js'

/** How long a shared cache (CDN) may serve a public read without asking us again, in seconds. */
export const SHARED_MAX_AGE_SECONDS = 5
/** How long past that a shared cache may serve the stale copy while it revalidates, in seconds. */
export const STALE_WHILE_REVALIDATE_SECONDS = 30

/**
 * `public`: anonymous reads of live and ended stories. Browsers revalidate every time (max-age=0,
 * cheap with the ETag); a CDN keeps a copy for a few seconds, so a burst of readers costs one
 * request per edge. `private`: a key was presented, so the answer may hold what only that key
 * unlocks (drafts): no shared cache may keep it.
 */
export type CachePolicy = 'public' | 'private'

export const CACHE_CONTROL: Record<CachePolicy, string> = {
  public: `public, max-age=0, s-maxage=${SHARED_MAX_AGE_SECONDS}, stale-while-revalidate=${STALE_WHILE_REVALIDATE_SECONDS}`,
  private: 'private, no-cache',
}

/** Public for anonymous readers; private as soon as a key was presented. */
export function cachePolicyFor(principal: Principal | null): CachePolicy {
  return principal === null ? 'public' : 'private'
}

/** A strong validator from the body alone, so every instance answers the same one for the same state. */
export function bodyEtag(body: string | Uint8Array): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`
}

/**
 * Answers `body` with its ETag and the policy's Cache-Control, or 304 when If-None-Match holds it.
 * @example return sendConditional(c, JSON.stringify(story), 'application/json', cachePolicyFor(c.var.principal))
 */
export function sendConditional(
  c: Context<AppEnv>,
  body: string,
  contentType: string,
  policy: CachePolicy,
): Response {
  const etag = bodyEtag(body)
  c.header('ETag', etag)
  c.header('Cache-Control', CACHE_CONTROL[policy])
  if (etagMatches(c.req.header('If-None-Match'), etag)) return c.body(null, 304)
  c.header('Content-Type', contentType)
  return c.body(body)
}

/** `sendConditional` for a JSON value. */
export function sendConditionalJson(c: Context<AppEnv>, value: unknown, policy: CachePolicy): Response {
  return sendConditional(c, JSON.stringify(value), 'application/json', policy)
}
