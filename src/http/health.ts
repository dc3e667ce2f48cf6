import { Hono } from 'hono'
import * as v from 'valibot'
import type { AppEnv } from './env.js'
import { errorBody } from './errors.js'
import { jsonAnswer } from './json-answer.js'
import { describe } from './openapi.js'

export interface Readiness {
  database: boolean
  bus: boolean
}

/** `/healthz` (process up), `/readyz` (database and bus reachable) and `/metrics` (Prometheus). */
export function healthRoutes(ready: () => Promise<Readiness>) {
  const app = new Hono<AppEnv>()
  const tag = 'Operations'

  app.get(
    '/healthz',
    describe({
      operationId: 'checkLiveness',
      tag,
      access: 'public',
      summary: 'Liveness: 200 while the process runs',
      responses: { 200: { description: 'Alive', schema: v.object({ status: v.literal('ok') }) } },
    }),
    (c) => jsonAnswer(c, { status: 'ok' }),
  )

  app.get(
    '/readyz',
    describe({
      operationId: 'checkReadiness',
      tag,
      access: 'public',
      summary: 'Readiness: 200 when the database and the bus are reachable, else 503',
      responses: {
        200: {
          description: 'Ready',
          schema: v.object({ status: v.literal('ready'), database: v.string(), bus: v.string() }),
        },
        503: { description: 'Not ready; `details` says which dependency is down' },
      },
    }),
    async (c) => {
      const state = await ready()
      const details = { database: state.database ? 'ok' : 'down', bus: state.bus ? 'ok' : 'down' }
      if (state.database && state.bus) return jsonAnswer(c, { status: 'ready', ...details })
      const down = Object.entries(details)
        .filter(([, s]) => s === 'down')
        .map(([name]) => name)
      return jsonAnswer(
        c,
        errorBody('unavailable', `not ready: ${down.join(' and ')} unreachable`, details),
        503,
      )
    },
  )

  app.get(
    '/metrics',
    describe({
      operationId: 'getMetrics',
      tag,
      access: 'public',
      summary: 'Prometheus metrics',
      responses: {
        200: { description: 'Prometheus text exposition', schema: v.string(), contentType: 'text/plain' },
      },
    }),
    async (c) => {
      const { registry } = c.var.deps.metrics
      c.header('Content-Type', registry.contentType)
      return c.body(await registry.metrics())
    },
  )

  return app
}
