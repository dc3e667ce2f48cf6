import type { MiddlewareHandler } from 'hono'
import { cors } from 'hono/cors'

export interface AnyOriginCorsOptions {
  allowMethods: string[]
  allowHeaders: string[]
  exposeHeaders: string[]
  /** How long a browser may keep a preflight's answer, in seconds. */
  maxAge: number
}

/**
 * CORS for any origin. Preflights go to Hono's `cors`. Other requests get their two headers through
 * `c.header` before the handler runs, which Hono folds into the answer as it is built: Hono's `cors`
 * reads `c.res` first, and that makes Hono copy every answer into a new Response (turning a cached
 * page's bytes into a stream), which cost more than everything else a cached read does.
 */
export function anyOriginCors(options: AnyOriginCorsOptions): MiddlewareHandler {
  const preflight = cors({ origin: '*', ...options })
  const exposed = options.exposeHeaders.join(',')
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return preflight(c, next)
    c.header('Access-Control-Allow-Origin', '*')
    c.header('Access-Control-Expose-Headers', exposed)
    await next()
  }
}
