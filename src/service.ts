import { readFileSync } from 'node:fs'
import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Logger } from 'pino'
import { hashKey } from './auth/keys.js'
import type { Bus } from './bus/bus.js'
import { MemoryBus } from './bus/memory-bus.js'
import { RedisBus } from './bus/redis-bus.js'
import { RedisClusterBus } from './bus/redis-cluster-bus.js'
import { type CommentService, createCommentService } from './comments/comment-service.js'
import { type Config, DEFAULT_COMMENT_SETTINGS } from './config.js'
import type { Deps } from './deps.js'
import { StoryWriteTurns } from './events/story-write-turns.js'
import type { Readiness } from './http/health.js'
import { ReadyAnswers } from './http/ready-answers.js'
import { newId } from './lib/ids.js'
import { Signal } from './lib/signal.js'
import { type Clock, systemClock } from './lib/time.js'
import { Hub } from './live/hub.js'
import { logSourceOf } from './live/log-source.js'
import { Presence } from './live/presence.js'
import { EventStreams } from './live/stream.js'
import { WsEndpoint } from './live/ws-endpoint.js'
import { createLog } from './log.js'
import { createMetrics } from './metrics.js'
import { PublicReads } from './public-reads/public-reads.js'
import { createLimiterStore } from './rate-limits/limiter-store.js'
import { createRouter } from './router.js'
import { createStore, type Store } from './store/db.js'
import { migrateToLatest } from './store/migrate.js'
import { IdempotencyPruner } from './updates/idempotency-pruner.js'
import { UpdateScheduler } from './updates/scheduler.js'
import { queueWebhookDeliveries } from './webhooks/outbox.js'
import { WebhookWorker } from './webhooks/worker.js'

export interface Service {
  /** Web-standard handler for every HTTP route. */
  fetch: (request: Request) => Response | Promise<Response>
  /** Public reads kept as sent, answered before the router while current (listen() serves them). */
  readyAnswers: ReadyAnswers
  /** Node's 'upgrade' handler for the `/v1/live` websocket. */
  handleUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void
  ready: () => Promise<Readiness>
  /**
   * The one shutdown, in order: stop accepting (HTTP and upgrades), close websockets with 1012
   * and end event streams, let in-flight requests finish (at most `httpGraceMs`), then stop the
   * webhook worker, the bus and the database. Safe to call more than once.
   */
  close: (options?: { httpGraceMs?: number }) => Promise<void>
  /** The HTTP server `listen()` bound this service to, so close() can drain it. */
  attach(server: Server): void
  deps: Deps
  store: Store
  bus: Bus
  live: WsEndpoint
  /** Reader counts across instances (close() stops this instance's reports). */
  presence: Presence
  /** Deletes expired idempotency keys on a schedule; `pruneNow()` for a run on demand. */
  idempotencyPruner: IdempotencyPruner
  /** Reader comments' rules, limits and metrics (`comments.rules.ready()` once dictionaries are built). */
  comments: CommentService
  /** Migrations applied at startup. */
  migrated: string[]
}

export interface ServiceOverrides {
  log?: Logger
  clock?: Clock
  /** Use an open store instead of opening one from the config (tests share one PGlite per file). */
  store?: Store
}

const READY_TIMEOUT_MS = 2000
/** In-flight HTTP requests get this long to finish on shutdown before their sockets are cut. */
const HTTP_GRACE_MS = 5000

function packageVersion(): string {
  try {
    return (
      JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
    ).version
  } catch {
    return '0.0.0'
  }
}

/**
 * The composition root: the one place that picks implementations (pg or PGlite, Redis, Redis
 * Cluster or memory bus), wires them into the router and the live endpoints, and owns shutdown.
 * @example const service = await createService(loadConfig(process.env, process.cwd()))
 */
export async function createService(config: Config, overrides: ServiceOverrides = {}): Promise<Service> {
  const log = overrides.log ?? createLog(config.logLevel)
  const store =
    overrides.store ?? (await createStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }))
  let migrated: string[] = []
  try {
    if (config.migrate) migrated = await migrateToLatest(store.db, config.sqlDir)
  } catch (err) {
    if (!overrides.store) await store.close()
    throw err
  }
  const bus: Bus = !config.redisUrl
    ? new MemoryBus()
    : config.redisCluster
      ? new RedisClusterBus({ seeds: config.redisUrl.split(','), channelPrefix: config.busPrefix })
      : new RedisBus({ url: config.redisUrl, channelPrefix: config.busPrefix })
  const webhookWake = new Signal()
  const clock = overrides.clock ?? systemClock
  const metrics = createMetrics()
  const publicReads = new PublicReads(
    { db: store.db, metrics, log, clock },
    { trustMs: config.limits.publicReadTrustMs },
  )
  const scheduleWake = new Signal()
  const deps: Deps = {
    db: store.db,
    bus,
    clock,
    newId: () => newId(),
    log,
    limits: config.limits,
    metrics,
    publicReads,
    adminKeyHash: hashKey(config.adminKey),
    changeHooks: [queueWebhookDeliveries(webhookWake)],
    storyWrites: new StoryWriteTurns(),
    scheduleWake,
    webhooks: { settings: config.webhooks, wake: webhookWake },
  }
  // Comment and upload limits count in the bus's Redis (or cluster), on a connection of their own.
  const limiterStore = await createLimiterStore({
    redisUrl: config.redisUrl,
    cluster: config.redisCluster,
    keyPrefix: config.busPrefix,
    log,
  })
  // The rules' dictionaries are built on the first comment (shared by every service in the process).
  const comments = await createCommentService({
    settings: config.comments ?? DEFAULT_COMMENT_SETTINGS,
    adminKey: config.adminKey,
    limiterStore,
    db: store.db,
    log,
    registry: deps.metrics.registry,
  })
  const presence: Presence = new Presence(deps, {
    instanceId: newId(),
    localCounts: () => hub.readerCounts(),
    localCount: (storyId) => hub.readerCount(storyId),
    onChange: (storyId, readers) => hub.sendPresence(storyId, readers),
  })
  const hub: Hub = new Hub({ ...deps, source: logSourceOf(deps) }, presence)
  const streams = new EventStreams(deps, hub)
  const live = new WsEndpoint(deps, hub)
  await live.start()
  await publicReads.start(bus)
  await presence.start()
  const webhookWorker = config.webhooks.workerEnabled ? new WebhookWorker(deps) : null
  webhookWorker?.start()
  const idempotencyPruner = new IdempotencyPruner(deps)
  idempotencyPruner.start()
  const scheduler = new UpdateScheduler(deps)
  scheduler.start()

  const ready = async (): Promise<Readiness> => {
    const database = await Promise.race([
      store.ping().then(
        () => true,
        () => false,
      ),
      new Promise<boolean>((r) => setTimeout(r, READY_TIMEOUT_MS, false).unref()),
    ])
    return { database, bus: bus.isReady() }
  }
  const { app } = createRouter(deps, {
    ready,
    version: packageVersion(),
    streams,
    presence,
    publicUrl: config.publicUrl,
    comments,
    limiterStore,
  })

  let server: Server | null = null
  let closing: Promise<void> | null = null
  const close = async (httpGraceMs: number) => {
    // Stop accepting first (new connections, new streams), then drain what is open.
    const httpDrained = server ? stopHttp(server, httpGraceMs) : Promise.resolve()
    streams.close()
    await live.close()
    hub.close()
    publicReads.close()
    presence.close()
    await httpDrained
    await webhookWorker?.close()
    await idempotencyPruner.close()
    await comments.close()
    limiterStore.close()
    await scheduler.close()
    await bus.close()
    if (!overrides.store) await store.close()
  }

  const readyAnswers = new ReadyAnswers(deps)
  return {
    async fetch(request) {
      const response = await app.fetch(request)
      readyAnswers.record(request, response)
      return response
    },
    readyAnswers,
    handleUpgrade: (req, socket, head) => live.handleUpgrade(req, socket, head),
    ready,
    attach(s) {
      server = s
    },
    close(options = {}) {
      closing ??= close(options.httpGraceMs ?? HTTP_GRACE_MS)
      return closing
    },
    deps,
    store,
    bus,
    live,
    presence,
    idempotencyPruner,
    comments,
    migrated,
  }
}

/** Stops accepting and waits for in-flight requests, cutting them off after `graceMs`. */
function stopHttp(server: Server, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      server.closeAllConnections()
      resolve()
    }, graceMs)
    timer.unref()
    server.close(() => {
      clearTimeout(timer)
      resolve()
    })
    server.closeIdleConnections()
  })
}
