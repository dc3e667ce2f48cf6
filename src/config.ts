import { resolve } from 'node:path'
import * as v from 'valibot'
import { newApiKey } from './lib/ids.js'
import { wholeNumber } from './lib/whole-number.js'

/** Every bound on something that grows with clients, with its default. */
export interface Limits {
  /** Largest HTTP request body, in bytes (413 above). */
  maxBodyBytes: number
  /** Largest inbound websocket frame (the contract's 16 KiB). */
  maxFrameBytes: number
  /** Most stories one websocket connection may follow. */
  maxSubscriptionsPerConnection: number
  /** Bytes queued to a socket before its reader counts as too slow and is closed with 1013. */
  maxBufferedBytes: number
  /** Inbound frames per second a connection may send (burst: twice that). */
  framesPerSecond: number
  /** Most events replayed to one subscription before it gets `reset` instead. */
  replayLimit: number
  /** How often each websocket is pinged; a connection silent for a whole interval is dropped. */
  pingIntervalMs: number
  /** How often each instance checks the heads of stories it has readers for (catches lost bus messages). */
  headCheckIntervalMs: number
  /** Recent events kept in memory per followed story, so reconnecting readers replay without a query. */
  recentEventsPerStory: number
  /** Bytes those recent events may take per story (large updates shorten the ring). */
  recentBytesPerStory: number
  /** Bytes every followed story's recent events may take together; the least recently used shrink first. */
  recentBytesTotal: number
  /** Frames sent per turn of the event loop when fanning one event out to a big story. */
  fanoutChunk: number
  /** How often each server-sent-events stream gets a comment line, so proxies keep it open. */
  streamPingIntervalMs: number
  /**
   * Connections the kernel queues before the server accepts them. Node's default (511) overflows
   * when thousands of readers reconnect at once after a deploy; Linux caps it at net.core.somaxconn.
   */
  listenBacklog: number
  /**
   * New connections whose first bytes are read per turn of the event loop; the rest wait their
   * turn. In a reconnect storm thousands of handshakes would otherwise be read in one turn, and
   * the readers already connected (their next event, their subscribes) would wait seconds for it.
   */
  newConnectionsPerTurn: number
  /** How often each instance reports its reader counts, and at most how often readers hear a change. */
  presenceIntervalMs: number
  /** An instance not heard from for this long drops out of the reader counts (it died). */
  presenceExpiryMs: number
  /**
   * How long an instance trusts what it knows of a story's version for its cached public reads
   * without asking the database: the most a lost bus hint can leave a page stale.
   */
  publicReadTrustMs: number
  /**
   * After answering before a request's body was all read (a 413), the server keeps reading and
   * discarding it at most this long, so the client can finish sending and read the answer.
   */
  lingerCloseMs: number
  /** The `retry:` asked of EventSource clients: how long they wait before reconnecting. */
  streamRetryMs: number
  /**
   * How long an Idempotency-Key is remembered. A retry after that posts again (a new update), so
   * it must outlast any client's retrying.
   */
  idempotencyKeyTtlMs: number
  /** How often each instance deletes expired idempotency keys (a little jitter is added). */
  idempotencyPruneIntervalMs: number
  /** Expired keys one DELETE removes, so that no statement holds locks for long. */
  idempotencyPruneBatch: number
  /** Largest image upload to POST /v1/media, in bytes (its own body limit, above maxBodyBytes). */
  maxUploadBytes: number
  /** Most pixels (width × height) an uploaded image may decode to: refuses decompression bombs. */
  maxImagePixels: number
  /** Uploads one API key may make per minute, over all instances. */
  uploadsPerKeyPerMinute: number
  /**
   * How often each instance's scheduler looks for scheduled updates that are due (it also wakes
   * for the next due time it knows of): at most this late when another instance scheduled it.
   */
  schedulerPollIntervalMs: number
  /** Scheduled updates one scheduler pass claims before it looks again. */
  schedulerBatch: number
  /** How long a claim keeps other instances off a due update (a dead claimer's runs out). */
  schedulerClaimMs: number
  /** Stories one scheduler publishes to at once (one story's updates go in order). */
  schedulerConcurrency: number
}

/** Webhook delivery: retry schedule, timeouts and the outbound-safety switch (docs/webhooks.md). */
export interface WebhookSettings {
  /** Run this instance's delivery worker (instances that only serve the API may turn it off). */
  workerEnabled: boolean
  /** Wait before each retry, in ms; when it runs out the delivery fails (and the endpoint may be disabled). */
  retryScheduleMs: number[]
  /** One request to an endpoint, from connect to the whole answer. */
  timeoutMs: number
  /** How long a claimed delivery stays with one worker; must exceed timeoutMs. */
  leaseMs: number
  /** How often an idle worker looks for due deliveries (changes on this instance wake it at once). */
  pollIntervalMs: number
  /** Deliveries one worker sends at a time. */
  concurrency: number
  /** Endpoints one API key may register. */
  maxPerOwner: number
  /** Allow loopback targets (127.0.0.0/8, ::1): for local development and tests only. */
  allowLoopback: boolean
  /** Succeeded and failed deliveries (with their attempts) are deleted this long after they finished. */
  retentionMs: number
  /** How often each worker deletes expired deliveries (a little jitter is added). */
  pruneIntervalMs: number
}

export const DEFAULT_WEBHOOK_SETTINGS: WebhookSettings = {
  workerEnabled: true,
  // 5 s, 30 s, 2 m, 10 m, 30 m, 1 h, 2 h, 4 h, 8 h, 8 h, 8 h: about 31 h 43 m before jitter (at least 24 h).
  retryScheduleMs: [5, 30, 120, 600, 1800, 3600, 7200, 14_400, 28_800, 28_800, 28_800].map((s) => s * 1000),
  timeoutMs: 10_000,
  leaseMs: 60_000,
  pollIntervalMs: 1000,
  concurrency: 16,
  maxPerOwner: 100,
  allowLoopback: false,
  retentionMs: 7 * 24 * 3600_000,
  pruneIntervalMs: 5 * 60_000,
}

/** Reader comments (docs/comments.md): where the client address comes from and how often it may post. */
export interface CommentSettings {
  /**
   * Request header carrying the client's address behind a proxy (on Fly, `Fly-Client-IP`). Trusted
   * only when set; otherwise the socket's peer address counts.
   */
  clientIpHeader: string | undefined
  /** Comments one address may post to one story per window. */
  perStory: number
  /** Comments one address may post over all stories per window. */
  perAddress: number
  windowSeconds: number
  /**
   * Comments of one story that may wait on this instance while its previous batch is written;
   * past it a comment is refused with 503 and Retry-After (a slow database must not fill memory).
   */
  publishQueue: number
}

export const DEFAULT_COMMENT_SETTINGS: CommentSettings = {
  clientIpHeader: undefined,
  perStory: 5,
  perAddress: 20,
  windowSeconds: 60,
  publishQueue: 1000,
}

export interface Config {
  port: number
  host: string
  databaseUrl: string | undefined
  dataDir: string
  /** One Redis URL, or with `redisCluster` the comma-separated seed nodes of a Redis Cluster. */
  redisUrl: string | undefined
  /** LIVELINE_REDIS_CLUSTER=1: fan out over sharded pub/sub on a Redis Cluster. */
  redisCluster?: boolean
  /** Prefix of every Redis channel, so deployments or test runs can share one Redis. */
  busPrefix: string
  adminKey: string
  /** True when no LIVELINE_ADMIN_KEY was given and one was generated for this run. */
  adminKeyGenerated: boolean
  /** The origin readers and partners reach us on, for absolute links in feeds and pages. */
  publicUrl?: string
  migrate: boolean
  /** Folder of the plain SQL migrations. */
  sqlDir: string
  logLevel: string
  limits: Limits
  webhooks: WebhookSettings
  /** Defaults (DEFAULT_COMMENT_SETTINGS) when absent. */
  comments?: CommentSettings
}

export const DEFAULT_LIMITS: Limits = {
  maxBodyBytes: 256 * 1024,
  maxFrameBytes: 16 * 1024,
  maxSubscriptionsPerConnection: 100,
  maxBufferedBytes: 1024 * 1024,
  framesPerSecond: 20,
  replayLimit: 1000,
  pingIntervalMs: 30_000,
  headCheckIntervalMs: 2000,
  recentEventsPerStory: 256,
  recentBytesPerStory: 512 * 1024,
  recentBytesTotal: 64 * 1024 * 1024,
  fanoutChunk: 512,
  streamPingIntervalMs: 15_000,
  listenBacklog: 65_535,
  newConnectionsPerTurn: 64,
  presenceIntervalMs: 5000,
  presenceExpiryMs: 30_000,
  publicReadTrustMs: 2000,
  lingerCloseMs: 30_000,
  streamRetryMs: 2000,
  idempotencyKeyTtlMs: 24 * 3600_000,
  idempotencyPruneIntervalMs: 10 * 60_000,
  idempotencyPruneBatch: 1000,
  maxUploadBytes: 20 * 1024 * 1024,
  // 50 megapixels: larger than any camera a newsroom uses, far below what would exhaust memory.
  maxImagePixels: 50_000_000,
  uploadsPerKeyPerMinute: 30,
  schedulerPollIntervalMs: 1000,
  schedulerBatch: 100,
  schedulerClaimMs: 5000,
  schedulerConcurrency: 8,
}

const intFrom = (min: number, max: number) => v.pipe(v.string(), v.trim(), wholeNumber(min, max))
const optionalUrl = v.optional(v.pipe(v.string(), v.trim(), v.url('must be a URL')))
const isUrl = (s: string) => URL.canParse(s.trim())

const EnvSchema = v.object({
  PORT: v.optional(intFrom(0, 65535), '8080'),
  HOST: v.optional(v.string(), '0.0.0.0'),
  DATABASE_URL: optionalUrl,
  LIVELINE_DATA_DIR: v.optional(v.string(), './data'),
  // A list only with LIVELINE_REDIS_CLUSTER=1 (checked in loadConfig, which sees both).
  REDIS_URL: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.check(
        (s) => s.split(',').every(isUrl),
        'must be a URL (with LIVELINE_REDIS_CLUSTER=1, comma-separated URLs)',
      ),
    ),
  ),
  LIVELINE_REDIS_CLUSTER: v.optional(v.picklist(['0', '1']), '0'),
  LIVELINE_PUBLIC_URL: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.url('must be a URL'),
      v.regex(/^https?:\/\/[^/?#]+\/?$/, 'must be an http(s) origin such as https://live.example.com'),
    ),
  ),
  LIVELINE_BUS_PREFIX: v.optional(v.string(), 'liveline:'),
  LIVELINE_ADMIN_KEY: v.optional(v.pipe(v.string(), v.minLength(32, 'must be at least 32 characters'))),
  LIVELINE_REPLAY_LIMIT: v.optional(intFrom(1, 1_000_000), String(DEFAULT_LIMITS.replayLimit)),
  LIVELINE_MIGRATE: v.optional(v.picklist(['0', '1']), '1'),
  LIVELINE_MAX_SUBSCRIPTIONS: v.optional(
    intFrom(1, 10_000),
    String(DEFAULT_LIMITS.maxSubscriptionsPerConnection),
  ),
  LIVELINE_MAX_BUFFERED_BYTES: v.optional(intFrom(1024, 1 << 30), String(DEFAULT_LIMITS.maxBufferedBytes)),
  LIVELINE_PING_INTERVAL_MS: v.optional(intFrom(100, 3_600_000), String(DEFAULT_LIMITS.pingIntervalMs)),
  LIVELINE_HEAD_CHECK_MS: v.optional(intFrom(100, 3_600_000), String(DEFAULT_LIMITS.headCheckIntervalMs)),
  LIVELINE_PUBLIC_READ_TRUST_MS: v.optional(intFrom(0, 3_600_000), String(DEFAULT_LIMITS.publicReadTrustMs)),
  LIVELINE_RECENT_BYTES_TOTAL: v.optional(
    intFrom(0, 1_000_000_000_000),
    String(DEFAULT_LIMITS.recentBytesTotal),
  ),
  LIVELINE_LISTEN_BACKLOG: v.optional(intFrom(1, 1_000_000), String(DEFAULT_LIMITS.listenBacklog)),
  LIVELINE_NEW_CONNECTIONS_PER_TURN: v.optional(
    intFrom(1, 1_000_000),
    String(DEFAULT_LIMITS.newConnectionsPerTurn),
  ),
  LIVELINE_FANOUT_CHUNK: v.optional(intFrom(1, 10_000_000), String(DEFAULT_LIMITS.fanoutChunk)),
  LIVELINE_MAX_UPLOAD_BYTES: v.optional(intFrom(1024, 1 << 30), String(DEFAULT_LIMITS.maxUploadBytes)),
  LIVELINE_MAX_IMAGE_PIXELS: v.optional(intFrom(1, 1_000_000_000), String(DEFAULT_LIMITS.maxImagePixels)),
  LIVELINE_UPLOADS_PER_MINUTE: v.optional(intFrom(1, 100_000), String(DEFAULT_LIMITS.uploadsPerKeyPerMinute)),
  LIVELINE_SCHEDULER_POLL_MS: v.optional(
    intFrom(10, 3_600_000),
    String(DEFAULT_LIMITS.schedulerPollIntervalMs),
  ),
  LIVELINE_WEBHOOK_WORKER: v.optional(v.picklist(['0', '1']), '1'),
  LIVELINE_WEBHOOK_RETRY_SCHEDULE: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, 'must be comma-separated milliseconds'),
      v.transform((s) => s.split(',').map(Number)),
    ),
  ),
  LIVELINE_WEBHOOK_TIMEOUT_MS: v.optional(intFrom(100, 120_000), String(DEFAULT_WEBHOOK_SETTINGS.timeoutMs)),
  LIVELINE_WEBHOOK_CONCURRENCY: v.optional(intFrom(1, 1000), String(DEFAULT_WEBHOOK_SETTINGS.concurrency)),
  LIVELINE_WEBHOOK_POLL_MS: v.optional(
    intFrom(10, 3_600_000),
    String(DEFAULT_WEBHOOK_SETTINGS.pollIntervalMs),
  ),
  LIVELINE_WEBHOOK_ALLOW_LOOPBACK: v.optional(v.picklist(['0', '1']), '0'),
  LIVELINE_WEBHOOK_RETENTION_HOURS: v.optional(intFrom(1, 100_000), '168'),
  LIVELINE_CLIENT_IP_HEADER: v.optional(
    v.pipe(v.string(), v.trim(), v.regex(/^[A-Za-z0-9-]+$/, 'must be a header name such as Fly-Client-IP')),
  ),
  LIVELINE_COMMENTS_PER_STORY: v.optional(intFrom(1, 1_000_000), String(DEFAULT_COMMENT_SETTINGS.perStory)),
  LIVELINE_COMMENTS_PER_ADDRESS: v.optional(
    intFrom(1, 1_000_000),
    String(DEFAULT_COMMENT_SETTINGS.perAddress),
  ),
  LIVELINE_COMMENTS_WINDOW_S: v.optional(intFrom(1, 86_400), String(DEFAULT_COMMENT_SETTINGS.windowSeconds)),
  LIVELINE_COMMENT_PUBLISH_QUEUE: v.optional(
    intFrom(1, 1_000_000),
    String(DEFAULT_COMMENT_SETTINGS.publishQueue),
  ),
  LOG_LEVEL: v.optional(v.picklist(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'info'),
  NODE_ENV: v.optional(v.string()),
})

/**
 * Reads the environment into a Config. Throws a readable error naming every bad variable.
 * `serving: false` is for one-off commands (migrate) that never hand out the admin key.
 * @example loadConfig(process.env, process.cwd())
 */
export function loadConfig(
  env: Record<string, string | undefined>,
  cwd: string,
  options: { serving?: boolean } = {},
): Config {
  const parsed = v.safeParse(EnvSchema, env)
  if (!parsed.success) {
    const problems = parsed.issues.map((i) => `${v.getDotPath(i) ?? '(env)'}: ${i.message}`)
    throw new Error(`invalid configuration:\n  ${problems.join('\n  ')}`)
  }
  const e = parsed.output
  if (e.REDIS_URL?.includes(',') && e.LIVELINE_REDIS_CLUSTER !== '1') {
    throw new Error(
      'invalid configuration:\n  REDIS_URL: names several nodes; set LIVELINE_REDIS_CLUSTER=1 for a Redis Cluster',
    )
  }
  if (!e.REDIS_URL && e.LIVELINE_REDIS_CLUSTER === '1') {
    throw new Error(
      "invalid configuration:\n  REDIS_URL: LIVELINE_REDIS_CLUSTER=1 needs the cluster's seed nodes",
    )
  }
  // Only a serving process needs the key; `migrate` (Fly's release command) does not.
  if (!e.LIVELINE_ADMIN_KEY && e.NODE_ENV === 'production' && options.serving !== false) {
    throw new Error(
      'LIVELINE_ADMIN_KEY must be set when NODE_ENV=production (a generated key would be lost on restart)',
    )
  }
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.LIVELINE_DATA_DIR.startsWith('memory://')
      ? e.LIVELINE_DATA_DIR
      : resolve(cwd, e.LIVELINE_DATA_DIR),
    redisUrl: e.REDIS_URL,
    redisCluster: e.LIVELINE_REDIS_CLUSTER === '1',
    busPrefix: e.LIVELINE_BUS_PREFIX,
    adminKey: e.LIVELINE_ADMIN_KEY ?? newApiKey(),
    adminKeyGenerated: !e.LIVELINE_ADMIN_KEY,
    publicUrl: e.LIVELINE_PUBLIC_URL?.replace(/\/+$/, ''),
    migrate: e.LIVELINE_MIGRATE === '1',
    sqlDir: resolve(cwd, 'sql'),
    logLevel: e.LOG_LEVEL,
    limits: {
      ...DEFAULT_LIMITS,
      replayLimit: e.LIVELINE_REPLAY_LIMIT,
      maxSubscriptionsPerConnection: e.LIVELINE_MAX_SUBSCRIPTIONS,
      maxBufferedBytes: e.LIVELINE_MAX_BUFFERED_BYTES,
      pingIntervalMs: e.LIVELINE_PING_INTERVAL_MS,
      headCheckIntervalMs: e.LIVELINE_HEAD_CHECK_MS,
      fanoutChunk: e.LIVELINE_FANOUT_CHUNK,
      listenBacklog: e.LIVELINE_LISTEN_BACKLOG,
      newConnectionsPerTurn: e.LIVELINE_NEW_CONNECTIONS_PER_TURN,
      recentBytesTotal: e.LIVELINE_RECENT_BYTES_TOTAL,
      publicReadTrustMs: e.LIVELINE_PUBLIC_READ_TRUST_MS,
      maxUploadBytes: e.LIVELINE_MAX_UPLOAD_BYTES,
      maxImagePixels: e.LIVELINE_MAX_IMAGE_PIXELS,
      uploadsPerKeyPerMinute: e.LIVELINE_UPLOADS_PER_MINUTE,
      schedulerPollIntervalMs: e.LIVELINE_SCHEDULER_POLL_MS,
    },
    webhooks: {
      ...DEFAULT_WEBHOOK_SETTINGS,
      workerEnabled: e.LIVELINE_WEBHOOK_WORKER === '1',
      retryScheduleMs: e.LIVELINE_WEBHOOK_RETRY_SCHEDULE ?? DEFAULT_WEBHOOK_SETTINGS.retryScheduleMs,
      timeoutMs: e.LIVELINE_WEBHOOK_TIMEOUT_MS,
      // The lease outlives any one request, so a slow send is never taken over by another instance.
      leaseMs: Math.max(DEFAULT_WEBHOOK_SETTINGS.leaseMs, e.LIVELINE_WEBHOOK_TIMEOUT_MS * 2),
      concurrency: e.LIVELINE_WEBHOOK_CONCURRENCY,
      pollIntervalMs: e.LIVELINE_WEBHOOK_POLL_MS,
      allowLoopback: e.LIVELINE_WEBHOOK_ALLOW_LOOPBACK === '1',
      retentionMs: e.LIVELINE_WEBHOOK_RETENTION_HOURS * 3600_000,
    },
    comments: {
      clientIpHeader: e.LIVELINE_CLIENT_IP_HEADER,
      perStory: e.LIVELINE_COMMENTS_PER_STORY,
      perAddress: e.LIVELINE_COMMENTS_PER_ADDRESS,
      windowSeconds: e.LIVELINE_COMMENTS_WINDOW_S,
      publishQueue: e.LIVELINE_COMMENT_PUBLISH_QUEUE,
    },
  }
}
