import { randomUUID } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import { routePath } from 'hono/route'
import type { Deps } from '../../deps.js'
import type { HistogramSeries } from '../../lib/series-metrics.js'
import type { AppEnv } from '../env.js'

const REQUEST_ID = /^[\w.:-]{1,128}$/

/** The caller's X-Request-Id when it is a sane token, else a new one. */
export function requestIdFor(incoming: string | undefined): string {
  return incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID()
}

export interface RequestRecord {
  requestId: string
  method: string
  /** The route pattern (`/v1/stories/:story`), so the metric's labels stay few. */
  route: string
  path: string
  status: number
  seconds: number
  keyId: string | undefined
}

/**
 * One structured log line and one metric sample for a request answered. `timing`: the metric's
 * series for this method, route and status, when the caller holds it already.
 */
export function logRequest(
  deps: Pick<Deps, 'log' | 'metrics'>,
  r: RequestRecord,
  timing: HistogramSeries = deps.metrics.httpRequests.series({
    method: r.method,
    route: r.route,
    status: String(r.status),
  }),
): void {
  timing.observe(r.seconds)
  deps.log.info(
    {
      requestId: r.requestId,
      method: r.method,
      route: r.route,
      path: r.path,
      status: r.status,
      ms: Math.round(r.seconds * 10_000) / 10,
      key: r.keyId,
    },
    'request',
  )
}

/** Logs every request the router answers, tagged with a request id (echoed as X-Request-Id). */
export function requestLog(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const requestId = requestIdFor(c.req.header('X-Request-Id'))
    c.set('requestId', requestId)
    c.header('X-Request-Id', requestId)
    const started = performance.now()
    await next()
    logRequest(c.var.deps, {
      requestId,
      method: c.req.method,
      route: routePath(c, -1) || 'unmatched',
      path: c.req.path,
      status: c.res.status,
      seconds: (performance.now() - started) / 1000,
      keyId: c.var.principal?.keyId,
    })
  }
}
