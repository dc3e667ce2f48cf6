import { createHmac } from 'node:crypto'
import { setMostRecent } from '../lib/recency.js'
import type { LimiterRedis } from '../rate-limits/limiter-store.js'
import { normaliseForRepeat } from './comment-text.js'

/** How long a comment counts as "already sent" for the `repeat` rule (the contract's 10 minutes). */
export const REPEAT_WINDOW_MS = 10 * 60_000

/** Most comments the in-process store remembers; the oldest are forgotten first past it. */
export const REPEAT_MEMORY_MAX_ENTRIES = 100_000

/**
 * Remembers which (story, client, text) were sent recently. Keys are keyed hashes: a store never
 * holds a comment's text or a client's address.
 */
export interface RepeatStore {
  /** Records `key` for `ttlMs`; true when it was already recorded and has not expired. */
  seen(key: string, ttlMs: number): Promise<boolean>
  /** Drops `key`: the comment it recorded was never stored, so sending it again is no repeat. */
  forget(key: string): Promise<void>
}

/**
 * The key of "this text from this client on this story": an HMAC with the server's secret, so the
 * key reveals neither and cannot be computed by anyone without the secret.
 * @example repeatKey(secret, story.id, clientKey, 'Great news!') === repeatKey(secret, story.id, clientKey, 'great news')
 */
export function repeatKey(secret: string, storyId: string, client: string, text: string): string {
  return createHmac('sha256', secret)
    .update(`${storyId}\0${client}\0${normaliseForRepeat(text)}`)
    .digest('base64url')
}

/**
 * In one process: a map in insertion order, so the first entry is the oldest. Expired entries are
 * dropped when looked up and from the front as new ones arrive; past `maxEntries` the oldest go.
 */
export function createMemoryRepeatStore(
  options: { maxEntries?: number; now?: () => number } = {},
): RepeatStore & { readonly size: number } {
  const maxEntries = options.maxEntries ?? REPEAT_MEMORY_MAX_ENTRIES
  const now = options.now ?? Date.now
  const expiries = new Map<string, number>()
  return {
    get size() {
      return expiries.size
    },
    async seen(key, ttlMs) {
      const at = now()
      for (const [oldest, expiresAt] of expiries) {
        if (expiresAt > at && expiries.size < maxEntries) break
        expiries.delete(oldest)
      }
      const expiresAt = expiries.get(key)
      if (expiresAt !== undefined && expiresAt > at) return true
      // At the back: the map stays ordered by when each entry was written.
      setMostRecent(expiries, key, at + ttlMs)
      return false
    },
    async forget(key) {
      expiries.delete(key)
    },
  }
}

/** Prefix of the `repeat` rule's keys in Redis. */
export const REPEAT_REDIS_PREFIX = 'liveline:comment-repeat:'

/**
 * Across instances: `SET key 1 NX PX ttl` is atomic, so of two instances taking the same comment at
 * once exactly one sees it as new. Redis expires the keys itself. One key per command, so a Redis
 * Cluster serves it as well as one server.
 */
export function createRedisRepeatStore(redis: LimiterRedis, options: { prefix?: string } = {}): RepeatStore {
  const prefix = options.prefix ?? REPEAT_REDIS_PREFIX
  return {
    async seen(key, ttlMs) {
      const set = await redis.set(`${prefix}${key}`, '1', 'PX', ttlMs, 'NX')
      return set === null
    },
    async forget(key) {
      await redis.del(`${prefix}${key}`)
    },
  }
}
