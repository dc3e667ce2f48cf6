import { Cluster, type ClusterOptions, Redis } from 'ioredis'
import type { Logger } from 'pino'
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible'

/** How long startup waits for the limiters' Redis before counting in memory meanwhile. */
export const LIMITER_REDIS_READY_TIMEOUT_MS = 2000

/**
 * A Redis the limiters count in: one server, or a Redis Cluster. Every command they send names one
 * key (rate-limiter-flexible's increment script, `SET NX PX`), so on a cluster each goes to the
 * shard that owns its key and needs no hash tags.
 */
export type LimiterRedis = Redis | Cluster

export type LimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number }

/**
 * Where rate limits are counted: in Redis (shared by every instance) when the service has one,
 * in this process otherwise. One store per service; comments and uploads take their limiters from it.
 */
export interface LimiterStore {
  /** The shared Redis, for other one-key atomic counts (the comments' `repeat` rule); none in process. */
  readonly redis: LimiterRedis | undefined
  /** Prefix of every key in Redis (the bus prefix), so deployments sharing a Redis keep apart. */
  readonly keyPrefix: string
  /**
   * `points` per `durationSeconds`, keys under `<keyPrefix><name>`. With Redis, while it cannot be
   * reached, each instance counts in memory rather than refusing everything or letting everything through.
   */
  limiter(name: string, points: number, durationSeconds: number): RateLimiterAbstract
  close(): void
}

/**
 * A limiter on `client`, or in memory without one. `rejectIfRedisNotReady` fails over to the memory
 * count at once while Redis is away, instead of queueing behind a reconnect.
 * @example const perKey = limiterOn(redis, 'liveline:upload-rate:', 30, 60)
 */
export function limiterOn(
  client: LimiterRedis | undefined,
  keyPrefix: string,
  points: number,
  durationSeconds: number,
): RateLimiterAbstract {
  const settings = { keyPrefix, points, duration: durationSeconds }
  const memory = new RateLimiterMemory(settings)
  if (!client) return memory
  return new RateLimiterRedis({
    ...settings,
    storeClient: client,
    rejectIfRedisNotReady: true,
    insuranceLimiter: memory,
  })
}

/**
 * Takes one point for `key`: allowed, or refused with the whole seconds until one is free again
 * (at least 1, for `Retry-After`). A store error (not a refusal) is thrown.
 * @example const decision = await consumePoint(perKey, caller.keyId)
 */
export async function consumePoint(limiter: RateLimiterAbstract, key: string): Promise<LimitDecision> {
  try {
    await limiter.consume(key)
    return { allowed: true }
  } catch (err) {
    if (!(err instanceof RateLimiterRes)) throw err
    return { allowed: false, retryAfterSeconds: retryAfterSeconds(err) }
  }
}

/** Whole seconds until a refused limiter has a point again, at least 1. */
export const retryAfterSeconds = (res: RateLimiterRes): number =>
  Math.max(1, Math.ceil(res.msBeforeNext / 1000))

export interface LimiterStoreOptions {
  /** One Redis URL, or with `cluster` the comma-separated seed nodes; in process when absent. */
  redisUrl: string | undefined
  cluster?: boolean
  keyPrefix: string
  log: Logger
  readyTimeoutMs?: number
}

/**
 * Opens the limiters' own Redis connection (no offline queue: while Redis is away the limiters
 * count in memory), waiting up to `readyTimeoutMs` for it before answering.
 * @example const limits = await createLimiterStore({ redisUrl, cluster: false, keyPrefix: 'liveline:', log })
 */
export async function createLimiterStore(options: LimiterStoreOptions): Promise<LimiterStore> {
  if (!options.redisUrl) return memoryLimiterStore(options.keyPrefix)
  const redis = connect(options.redisUrl, options.cluster ?? false)
  redis.on('error', (err) => options.log.debug({ err }, 'rate limit redis error'))
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, options.readyTimeoutMs ?? LIMITER_REDIS_READY_TIMEOUT_MS)
    timer.unref()
    redis.once('ready', () => {
      clearTimeout(timer)
      resolve()
    })
  })
  return storeOn(redis, options.keyPrefix)
}

/** Limits counted in this process only: a single instance (no `REDIS_URL`). */
export const memoryLimiterStore = (keyPrefix: string): LimiterStore => storeOn(undefined, keyPrefix)

function storeOn(redis: LimiterRedis | undefined, keyPrefix: string): LimiterStore {
  return {
    redis,
    keyPrefix,
    limiter: (name, points, durationSeconds) =>
      limiterOn(redis, `${keyPrefix}${name}`, points, durationSeconds),
    close() {
      redis?.disconnect()
    },
  }
}

function connect(redisUrl: string, cluster: boolean): LimiterRedis {
  if (!cluster) return new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
  const seeds = redisUrl.split(',').map((u) => new URL(u.trim()))
  const first = seeds[0] as URL
  const options: ClusterOptions = {
    enableOfflineQueue: false,
    clusterRetryStrategy: (times: number) => Math.min(50 * times, 1000),
    // A count mid-failover follows a few redirections, then fails over to memory.
    maxRedirections: 5,
    retryDelayOnFailover: 100,
    redisOptions: {
      connectTimeout: 3000,
      maxRetriesPerRequest: 1,
      username: first.username ? decodeURIComponent(first.username) : undefined,
      password: first.password ? decodeURIComponent(first.password) : undefined,
      tls: first.protocol === 'rediss:' ? {} : undefined,
    },
  }
  return new Cluster(
    seeds.map((u) => ({ host: u.hostname, port: Number(u.port) || 6379 })),
    options,
  )
}
