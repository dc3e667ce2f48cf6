import type { MiddlewareHandler } from 'hono'
import { AppError } from '../../errors.js'
import type { AppEnv } from '../env.js'

/**
 * Every id in a path (story, update, key, webhook, delivery, person, comment, media) is stored as
 * Postgres text, which cannot hold a NUL: a path with `%00` in it names nothing. Answered here,
 * once for every route, with the contract's 404, instead of reaching a query Postgres refuses
 * (a 500) or a feature that would have to remember to check.
 */
export function refuseUnstorablePathIds(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // Hono's path is percent-decoded (except %25), so %00 is a NUL here.
    if (c.req.path.includes('\0'))
      throw new AppError('not_found', 'no resource has an id with a NUL byte in it')
    await next()
  }
}
