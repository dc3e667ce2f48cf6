import { RateLimiterRes } from 'rate-limiter-flexible'
import { type LimiterRedis, limiterOn, retryAfterSeconds } from '../rate-limits/limiter-store.js'
import { clientKey, IPV6_CLIENT_PREFIX_BITS } from './client-key.js'

/** How many comments one client address may post, per window. */
export interface CommentRateLimits {
  /** Comments per address on one story (the contract's "per story per minute"). */
  perStory: number
  /** Comments per address over all stories: one client flooding many stories. */
  perAddress: number
  windowSeconds: number
}

export const DEFAULT_COMMENT_RATE_LIMITS: CommentRateLimits = {
  perStory: 5,
  perAddress: 20,
  windowSeconds: 60,
}

/** Prefix of the limiter's keys in Redis. */
export const COMMENT_RATE_LIMIT_PREFIX = 'liveline:comment-rate:'

export interface CommentRateLimiterOptions {
  /** Keys the hash of each address (a server secret). */
  secret: string
  /**
   * Counts across every instance when given (one Redis or a Redis Cluster); in this process
   * otherwise. Until the client is ready (and whenever it is not) this instance counts in memory.
   */
  redis?: LimiterRedis
  keyPrefix?: string
  limits?: Partial<CommentRateLimits>
  ipv6PrefixBits?: number
}

export type CommentRateDecision =
  | { allowed: true }
  | { allowed: false; limit: 'per_story' | 'per_address'; retryAfterSeconds: number }

/**
 * Limits comments per client address per story and per address overall. With Redis the counts are
 * shared by every instance (rate-limiter-flexible's atomic script); when Redis fails, each instance
 * falls back to counting in memory rather than refusing or letting everything through. Only the
 * keyed hash of an address is ever stored.
 * @example
 * const decision = await limiter.consume('203.0.113.7', story.id)
 * if (!decision.allowed) throw new AppError('rate_limited', '…', { retryAfterSeconds: decision.retryAfterSeconds })
 */
export function createCommentRateLimiter(options: CommentRateLimiterOptions) {
  const limits = { ...DEFAULT_COMMENT_RATE_LIMITS, ...options.limits }
  const prefix = options.keyPrefix ?? COMMENT_RATE_LIMIT_PREFIX
  const prefixBits = options.ipv6PrefixBits ?? IPV6_CLIENT_PREFIX_BITS

  const limiter = (name: string, points: number) =>
    limiterOn(options.redis, `${prefix}${name}`, points, limits.windowSeconds)
  const perStory = limiter('story', limits.perStory)
  const perAddress = limiter('address', limits.perAddress)

  return {
    limits,
    async consume(address: string, storyId: string): Promise<CommentRateDecision> {
      const client = clientKey(options.secret, address, prefixBits)
      const [story, overall] = await Promise.allSettled([
        perStory.consume(`${storyId}:${client}`),
        perAddress.consume(client),
      ])
      const refusals: { limit: 'per_story' | 'per_address'; res: RateLimiterRes }[] = []
      for (const [limit, result] of [
        ['per_story', story],
        ['per_address', overall],
      ] as const) {
        if (result.status === 'fulfilled') continue
        // With the memory insurance a store error should not reach here; if one does, say so.
        if (!(result.reason instanceof RateLimiterRes)) throw result.reason
        refusals.push({ limit, res: result.reason })
      }
      const longest = refusals.sort((a, b) => b.res.msBeforeNext - a.res.msBeforeNext)[0]
      if (!longest) return { allowed: true }
      return {
        allowed: false,
        limit: longest.limit,
        retryAfterSeconds: retryAfterSeconds(longest.res),
      }
    },
  }
}

export type CommentRateLimiter = ReturnType<typeof createCommentRateLimiter>
