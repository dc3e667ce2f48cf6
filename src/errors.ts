/**
 * Every failure the service reports to a client. Domain code throws these; only the HTTP
 * error handler and the websocket protocol turn them into a status or a frame.
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  slug_taken: 409,
  story_ended: 409,
  comments_closed: 409,
  webhook_disabled: 409,
  webhook_limit_reached: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  idempotency_key_reused: 422,
  rate_limited: 429,
  internal_error: 500,
  unavailable: 503,
} as const

export type ErrorCode = keyof typeof ERROR_STATUS

/** The contract's error body, `{"error":{code,message,details?}}`: built here and nowhere else. */
export function errorBody(code: string, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } }
}

export class AppError extends Error {
  readonly code: ErrorCode
  readonly details: unknown

  constructor(code: ErrorCode, message: string, details?: unknown, options?: ErrorOptions) {
    super(message, options)
    this.name = 'AppError'
    this.code = code
    this.details = details
  }

  get status(): number {
    return ERROR_STATUS[this.code]
  }
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
])

/**
 * True for errors that mean "the database is not there right now" rather than "the query is wrong":
 * refused/reset connections, pool timeouts, and Postgres' own shutdown and connection-class states (57P0x, 08xxx).
 */
export function isUnavailableError(err: unknown): boolean {
  for (let e: unknown = err; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || /^(57P0|08)/.test(code))) return true
    const message = (e as { message?: unknown }).message
    if (
      typeof message === 'string' &&
      // pg: a pooled client whose connection broke (cut, restart) says it "is not queryable".
      /timeout exceeded when trying to connect|Connection terminated|is not queryable/i.test(message)
    )
      return true
    if (e instanceof AggregateError && e.errors.some(isUnavailableError)) return true
  }
  return false
}

/**
 * Postgres refusing text it cannot store: a NUL byte in text (22021, invalid byte sequence) or a
 * `\u0000` escape in jsonb (22P05, untranslatable character). Only client input carries those.
 */
export function isUnstorableTextError(err: unknown): boolean {
  for (let e: unknown = err; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code
    if (code === '22021' || code === '22P05') return true
  }
  return false
}
