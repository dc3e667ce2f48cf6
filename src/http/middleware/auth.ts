import type { Context, MiddlewareHandler } from 'hono'
import { verifyKey } from '../../auth/keys.js'
import { type Action, can, type Principal } from '../../auth/roles.js'
import { AppError } from '../../errors.js'
import type { AppEnv } from '../env.js'

/** Reads `Authorization: Bearer <key>`; no header means a public reader, a bad key is 401 at once. */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('Authorization')
    if (!header) {
      c.set('principal', null)
      return next()
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
    if (!match?.[1]) throw new AppError('unauthorized', 'Authorization must be "Bearer <key>"')
    c.set('principal', await verifyKey(c.var.deps, match[1]))
    return next()
  }
}

/** 401 without a key, 403 with a key whose role may not do `action`. */
export function requireAction(action: Action): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const principal = c.var.principal
    if (!principal)
      throw new AppError('unauthorized', 'this route needs an API key (Authorization: Bearer <key>)')
    if (!can(principal, action)) throw new AppError('forbidden', `the ${principal.role} role may not do this`)
    return next()
  }
}

/** The caller's principal on a route guarded by requireAction (which already refused anonymous calls). */
export function callerOf(c: Context<AppEnv>): Principal {
  const principal = c.var.principal
  if (!principal)
    throw new AppError('unauthorized', 'this route needs an API key (Authorization: Bearer <key>)')
  return principal
}
