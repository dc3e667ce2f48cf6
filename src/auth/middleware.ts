import type { Context, MiddlewareHandler } from 'hono'
import { AppError } from '../errors.js'
import type { AppEnv } from '../http/env.js'
import { keyFromAuthorization, verifyKey } from './keys.js'
import { type Action, can, type Principal } from './roles.js'

/** Reads `Authorization: Bearer <key>`; no header means a public reader, a bad key is 401 at once. */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = keyFromAuthorization(c.req.header('Authorization'))
    c.set('principal', key === undefined ? null : await verifyKey(c.var.deps, key))
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
