/**
 * The OpenAPI document the server serves at /openapi.json, built in-process from the HTTP app
 * without a database, a bus or a port (the document comes from the routes; no handler runs).
 * Run: `tsx scripts/openapi-document.ts [out.json]` (stdout without a path).
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { pino } from 'pino'
import { MemoryBus } from '../src/bus/memory-bus.js'
import type { CommentService } from '../src/comments/comment-service.js'
import { DEFAULT_LIMITS, DEFAULT_WEBHOOK_SETTINGS } from '../src/config.js'
import type { Deps } from '../src/deps.js'
import { Signal } from '../src/lib/signal.js'
import { systemClock } from '../src/lib/time.js'
import type { EventStreams } from '../src/live/stream.js'
import { createMetrics } from '../src/metrics.js'
import { memoryLimiterStore } from '../src/rate-limits/limiter-store.js'
import { createRouter } from '../src/router.js'

/** The router as the service builds it, on stand-ins for the services its handlers would use. */
export function httpAppWithoutServices() {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  // Building the routes reads only limits, metrics and assets: the database and live server stay unused.
  const deps = {
    bus: new MemoryBus(),
    clock: systemClock,
    log: pino({ level: 'silent' }),
    limits: DEFAULT_LIMITS,
    metrics: createMetrics(),
    webhooks: { settings: DEFAULT_WEBHOOK_SETTINGS, wake: new Signal() },
  } as Partial<Deps> as Deps
  return createRouter(deps, {
    ready: async () => ({ database: false, bus: false }),
    version,
    streams: {} as EventStreams,
    presence: { readers: () => 0 },
    comments: {} as CommentService,
    limiterStore: memoryLimiterStore(''),
    publicUrl: process.env.LIVELINE_PUBLIC_URL || undefined,
  }).app
}

export async function buildOpenApiDocument(): Promise<Record<string, unknown>> {
  const app = httpAppWithoutServices()
  const res = await app.request('/openapi.json')
  if (res.status !== 200) throw new Error(`/openapi.json answered ${res.status}: ${await res.text()}`)
  return (await res.json()) as Record<string, unknown>
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const text = `${JSON.stringify(await buildOpenApiDocument(), null, 2)}\n`
  const out = process.argv[2]
  if (out) writeFileSync(out, text)
  else process.stdout.write(text)
}
