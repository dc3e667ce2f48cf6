import { createHmac } from 'node:crypto'
import type { Logger } from 'pino'
import { Counter, Gauge, Histogram, type Registry } from 'prom-client'
import type { CommentSettings } from '../config.js'
import type { LimiterStore } from '../rate-limits/limiter-store.js'
import type { Db } from '../store/db.js'
import { type CommentPublisher, createCommentPublisher } from './comment-publisher.js'
import { acceptingSetting } from './comments.js'
import { createCommentRateLimiter } from './rate-limit.js'
import { createRedisRepeatStore } from './repeat-store.js'
import { CommentRules, RULE_CODES } from './rules.js'
import { buildSpellChecker, type SpellChecker, type SpellCheckLanguage } from './spell-checker.js'

/**
 * Checkers built in this process, by language. A checker never changes once built (the Turkish one
 * holds about 200 MB of word forms), so every service in the process shares one; a build is not
 * cancelled when one service closes, since another may be waiting for it. A failed build is
 * forgotten, so the next service tries again.
 */
const builtCheckers = new Map<SpellCheckLanguage, Promise<SpellChecker>>()

function sharedChecker(language: SpellCheckLanguage, signal: AbortSignal): Promise<SpellChecker> {
  let built = builtCheckers.get(language)
  if (!built) {
    built = buildSpellChecker(language)
    builtCheckers.set(language, built)
    built.catch(() => builtCheckers.delete(language))
  }
  // The caller stops waiting when it closes; the build itself goes on for the others.
  return Promise.race([
    built,
    new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason)
      signal.addEventListener('abort', () => reject(signal.reason), { once: true })
    }),
  ])
}

export interface CommentServiceOptions {
  settings: CommentSettings
  /** The master key: the secret that keys client hashes is derived from it (same on every instance). */
  adminKey: string
  /** Where limits and the repeat rule count: Redis (one or a cluster) shared by every instance, or this process. */
  limiterStore: LimiterStore
  db: Db
  log: Logger
  registry: Registry
}

/**
 * What the comment routes need besides Deps, built once per service: the automatic rules (whose
 * dictionaries load in the background), the rate limiter, the key for client hashes and the metrics.
 */
export interface CommentService {
  rules: CommentRules
  limiter: ReturnType<typeof createCommentRateLimiter>
  /** Writes the comments the rules publish, several of one story in one transaction when they crowd. */
  publisher: CommentPublisher
  /** Keys the hash of client addresses: stored instead of the address. */
  secret: string
  clientIpHeader: string | undefined
  metrics: CommentMetrics
  close(): Promise<void>
}

export type CommentMetrics = ReturnType<typeof createCommentMetrics>

/** @example const comments = await createCommentService({ settings, adminKey, limiterStore, db, log, registry }) */
export async function createCommentService(options: CommentServiceOptions): Promise<CommentService> {
  const secret = createHmac('sha256', options.adminKey)
    .update('liveline comment client keys')
    .digest('base64url')
  const redis = options.limiterStore.redis
  const rules = new CommentRules({
    secret,
    ...(redis
      ? {
          repeatStore: createRedisRepeatStore(redis, {
            prefix: `${options.limiterStore.keyPrefix}comment-repeat:`,
          }),
        }
      : {}),
    buildChecker: sharedChecker,
    // Only services whose readers comment pay for the dictionaries (and their GC pauses).
    loadOnFirstUse: true,
    onLoadError: (language, err) =>
      options.log.error({ err, language }, 'comment spell checker failed to load'),
  })
  const limiter = createCommentRateLimiter({
    secret,
    ...(redis ? { redis } : {}),
    keyPrefix: `${options.limiterStore.keyPrefix}comment-rate:`,
    limits: {
      perStory: options.settings.perStory,
      perAddress: options.settings.perAddress,
      windowSeconds: options.settings.windowSeconds,
    },
  })
  const metrics = createCommentMetrics(options.registry, options.db)
  // Every rule shows in /metrics from the start, at zero.
  for (const rule of RULE_CODES) metrics.ruleFired.inc({ rule }, 0)
  return {
    rules,
    limiter,
    publisher: createCommentPublisher(acceptingSetting, { queueMax: options.settings.publishQueue }),
    secret,
    clientIpHeader: options.settings.clientIpHeader,
    metrics,
    async close() {
      // The limiter store is the service's: it closes it.
      rules.close()
    },
  }
}

function createCommentMetrics(registry: Registry, db: Db) {
  const registers = [registry]
  // One query per scrape gives both the queue's length and its age.
  let pending: Promise<{ count: number; oldest: Date | null }> | null = null
  const readQueue = () => {
    pending ??= db
      .selectFrom('comments')
      .select((eb) => [eb.fn.countAll<string>().as('count'), eb.fn.min('created_at').as('oldest')])
      .where('status', '=', 'pending')
      .executeTakeFirstOrThrow()
      .then((r) => ({ count: Number(r.count), oldest: (r.oldest as Date | null) ?? null }))
      .finally(() => {
        pending = null
      })
    return pending
  }
  return {
    received: new Counter({
      name: 'liveline_comments_received_total',
      help: 'Comments readers posted that passed validation and rate limits',
      registers,
    }),
    decided: new Counter({
      name: 'liveline_comments_decided_total',
      help: 'Comments decided, by status (published, pending, rejected) and by whom (rules, editor)',
      labelNames: ['status', 'by'] as const,
      registers,
    }),
    ruleFired: new Counter({
      name: 'liveline_comment_rules_fired_total',
      help: 'Automatic rules that fired on a comment, by rule code',
      labelNames: ['rule'] as const,
      registers,
    }),
    ruleSeconds: new Histogram({
      name: 'liveline_comment_rules_seconds',
      help: "Time the automatic rules took to decide one comment (the repeat rule's Redis round trip included)",
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
      registers,
    }),
    rateLimited: new Counter({
      name: 'liveline_comments_rate_limited_total',
      help: 'Comment posts refused with 429',
      registers,
    }),
    queueLength: new Gauge({
      name: 'liveline_comments_pending',
      help: 'Comments waiting for an editor (the moderation queue), over all stories',
      registers,
      async collect() {
        try {
          this.set((await readQueue()).count)
        } catch {
          // The database is away: the scrape still answers, without this figure's update.
        }
      },
    }),
    queueAge: new Gauge({
      name: 'liveline_comments_pending_oldest_seconds',
      help: 'Age of the oldest comment waiting for an editor (0 when none)',
      registers,
      async collect() {
        try {
          const { oldest } = await readQueue()
          this.set(oldest ? Math.max(0, (Date.now() - oldest.getTime()) / 1000) : 0)
        } catch {
          // as above
        }
      },
    }),
  }
}
