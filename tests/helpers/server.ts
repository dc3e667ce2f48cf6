import { randomBytes } from 'node:crypto'
import { resolve } from 'node:path'
import { pino } from 'pino'
import {
  type CommentSettings,
  type Config,
  DEFAULT_COMMENT_SETTINGS,
  DEFAULT_LIMITS,
  DEFAULT_WEBHOOK_SETTINGS,
  type Limits,
  type WebhookSettings,
} from '../../src/config.js'
import { listen } from '../../src/listen.js'
import { createService, type Service, type ServiceOverrides } from '../../src/service.js'
import { Api } from './api.js'
import { provided } from './provided.js'

export const ADMIN_KEY = `ll_test_admin_${'x'.repeat(40)}`

export interface TestServerOptions {
  /** Use Redis (the shared one unless given) instead of the in-process bus. */
  redis?: boolean | string
  /** With `redis` naming seed nodes: LIVELINE_REDIS_CLUSTER=1 (the bus is a Redis Cluster). */
  redisCluster?: boolean
  /** Bus channel prefix: instances that should hear each other share one. */
  busPrefix?: string
  databaseUrl?: string
  limits?: Partial<Limits>
  /** Test receivers listen on loopback, so tests allow it unless told otherwise. */
  webhooks?: Partial<WebhookSettings>
  overrides?: ServiceOverrides
  migrate?: boolean
  /** LIVELINE_PUBLIC_URL */
  publicUrl?: string
  /** Comment rate limits and the client-address header. */
  comments?: Partial<CommentSettings>
}

export interface TestServer {
  app: Service
  port: number
  url: string
  wsUrl: string
  admin: Api
  api(key?: string): Api
  stop(): Promise<void>
}

export function testConfig(options: TestServerOptions = {}): Config {
  const redisUrl = options.redis === true ? provided('redisUrl') : options.redis || undefined
  return {
    port: 0,
    host: '127.0.0.1',
    databaseUrl: options.databaseUrl ?? provided('databaseUrl'),
    dataDir: 'memory://',
    redisUrl,
    redisCluster: options.redisCluster ?? false,
    busPrefix: options.busPrefix ?? `liveline-test:${provided('runId')}:${randomBytes(4).toString('hex')}:`,
    adminKey: ADMIN_KEY,
    adminKeyGenerated: false,
    publicUrl: options.publicUrl,
    migrate: options.migrate ?? false,
    sqlDir: resolve('sql'),
    logLevel: 'silent',
    limits: { ...DEFAULT_LIMITS, headCheckIntervalMs: 500, ...options.limits },
    webhooks: { ...DEFAULT_WEBHOOK_SETTINGS, allowLoopback: true, pollIntervalMs: 200, ...options.webhooks },
    comments: { ...DEFAULT_COMMENT_SETTINGS, ...options.comments },
  }
}

/** A real Liveline on a real port: HTTP and websockets, on the test database. */
export async function startServer(options: TestServerOptions = {}): Promise<TestServer> {
  const config = testConfig(options)
  const log = process.env.TEST_LOG ? pino({ level: process.env.TEST_LOG }) : pino({ level: 'silent' })
  const app = await createService(config, { log, ...options.overrides })
  const port = await listen(app, 0, '127.0.0.1')
  const url = `http://127.0.0.1:${port}`
  let stopped = false
  return {
    app,
    port,
    url,
    wsUrl: `ws://127.0.0.1:${port}/v1/live`,
    admin: new Api(url, ADMIN_KEY),
    api: (key?: string) => new Api(url, key),
    async stop() {
      if (stopped) return
      stopped = true
      await app.close({ httpGraceMs: 1000 })
    },
  }
}
