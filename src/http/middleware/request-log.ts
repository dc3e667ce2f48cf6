import { randomUUID } from 'node:crypto'
import type { MiddlewareHandler } from 'hono'
import { routePath } from 'hono/route'
import type { AppEnv } from '../env.js'

const REQUEST_ID = /^[\w.:-]{1,128}$/

/** One structured log line and one metric sample per request, tagged with a request id. */
export function requestLog(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header('X-Request-Id')
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID()
    c.set('requestId', requestId)
    c.header('X-Request-Id', requestId)
    const started = performance.now()
    await next()
    const seconds = (performance.now() - started) / 1000
    const route = routePath(c, -1) || 'unmatched'
    const { deps } = c.var
    deps.metrics.httpRequests.observe({ method: c.req.method, route, status: String(c.res.status) }, seconds)
    deps.log.info(
      {
        requestId,
        method: c.req.method,
        route,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(seconds * 10_000) / 10,
        key: c.var.principal?.keyId,
      },
      'request',
    )
  }
}
