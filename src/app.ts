import { readFileSync } from 'node:fs'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { type Logger, pino } from 'pino'
import { hashKey } from './auth/keys.js'
import type { Bus } from './bus/bus.js'
import { MemoryBus } from './bus/memory-bus.js'
import { RedisBus } from './bus/redis-bus.js'
import { RedisClusterBus } from './bus/redis-cluster-bus.js'
import type { Config } from './config.js'
import type { Deps } from './deps.js'
import { createHttpApp } from './http/app.js'
import type { Readiness } from './http/health.js'
import { newId } from './lib/ids.js'
import { Signal } from './lib/signal.js'
import { type Clock, systemClock } from './lib/time.js'
import { LiveServer } from './live/server.js'
import { createMetrics } from './metrics.js'
import { createStore, type Store } from './store/db.js'
import { migrateToLatest } from './store/migrate.js'
import { WebhookWorker } from './webhooks/worker.js'

export interface App {
  /** Web-standard handler for every HTTP route. */
  fetch: (request: Request) => Response | Promise<Response>
  /** Node's 'upgrade' handler for the `/v1/live` websocket. */
  handleUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void
  ready: () => Promise<Readiness>
  /** Closes websockets (1012), then the webhook worker, then the bus, then the database. */
  close: () => Promise<void>
  deps: Deps
  store: Store
  bus: Bus
  live: LiveServer
  /** Migrations applied at startup. */
  migrated: string[]
}

export interface AppOverrides {
  log?: Logger
  clock?: Clock
  /** Use an open store instead of opening one from the config (tests share one PGlite per file). */
  store?: Store
}

const READY_TIMEOUT_MS = 2000

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
 * Cluster or memory bus) and wires them into the HTTP app and the live server.
 * @example const app = await createApp(loadConfig(process.env, process.cwd()))
 */
export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const log = overrides.log ?? pino({ level: config.logLevel, base: { service: 'liveline' } })
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
  const deps: Deps = {
    db: store.db,
    bus,
    clock: overrides.clock ?? systemClock,
    newId: () => newId(),
    log,
    limits: config.limits,
    metrics: createMetrics(),
    adminKeyHash: hashKey(config.adminKey),
    webhooks: { settings: config.webhooks, wake: new Signal() },
  }
  const live = new LiveServer(deps)
  await live.start()
  const webhookWorker = config.webhooks.workerEnabled ? new WebhookWorker(deps) : null
  webhookWorker?.start()

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
  const { app } = createHttpApp(deps, { ready, version: packageVersion(), live, publicUrl: config.publicUrl })

  return {
    fetch: app.fetch,
    handleUpgrade: (req, socket, head) => live.handleUpgrade(req, socket, head),
    ready,
    async close() {
      await live.close()
      await webhookWorker?.close()
      await bus.close()
      if (!overrides.store) await store.close()
    },
    deps,
    store,
    bus,
    live,
    migrated,
  }
}
