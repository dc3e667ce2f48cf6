import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import { AppError, errorBody, isUnavailableError, isUnstorableTextError } from '../errors.js'
import type { AppEnv } from './env.js'
import { jsonAnswer } from './json-answer.js'

/** How long a client should wait before retrying while the database is unreachable. */
export const RETRY_AFTER_SECONDS = 5

export { errorBody }

/** One place turns every thrown error into the contract's `{"error":{code,message,details}}` shape. */
export function handleError(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof AppError) {
    if (err.code === 'unavailable') c.header('Retry-After', String(RETRY_AFTER_SECONDS))
    return jsonAnswer(c, errorBody(err.code, err.message, err.details), err.status as 400)
  }
  if (err instanceof HTTPException) {
    // Hono raises these for malformed JSON and wrong content types: both are the client's bad request.
    const status = err.status
    const code = status === 413 ? 'payload_too_large' : status === 400 ? 'invalid_request' : 'http_error'
    return jsonAnswer(c, errorBody(code, err.message || 'bad request'), status)
  }
  if (isUnstorableTextError(err)) {
    // A NUL or a bad escape in a query string or body that no schema ruled out: the input is
    // wrong, not the service (Postgres text and jsonb cannot hold U+0000).
    return jsonAnswer(c, errorBody('invalid_request', 'text may not contain NUL (U+0000) characters'), 400)
  }
  if (isUnavailableError(err)) {
    c.var.deps?.log.warn({ err, requestId: c.var.requestId }, 'database unavailable')
    c.header('Retry-After', String(RETRY_AFTER_SECONDS))
    // pg's pool says "timeout exceeded when trying to connect" both when Postgres does not
    // answer and when every pooled connection is busy: don't claim more than we know.
    const message = /timeout exceeded/i.test(String((err as Error).message))
      ? 'the database did not answer in time (down or overloaded); retry shortly'
      : 'the database is unavailable; retry shortly'
    return jsonAnswer(c, errorBody('unavailable', message), 503)
  }
  c.var.deps?.log.error({ err, requestId: c.var.requestId }, 'unhandled error')
  return jsonAnswer(c, errorBody('internal_error', 'internal error'), 500)
}

export function handleNotFound(c: Context<AppEnv>): Response {
  return jsonAnswer(c, errorBody('not_found', `no route for ${c.req.method} ${c.req.path}`), 404)
}
