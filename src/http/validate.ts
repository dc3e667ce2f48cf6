import type { ValidationTargets } from 'hono'
import { uniqueSymbol, validator } from 'hono-openapi'
import * as v from 'valibot'
import { AppError } from '../errors.js'
import { INPUT_SCHEMA } from './openapi.js'

type Schema = v.GenericSchema

/** A Standard Schema issue (valibot's issues are ones). */
interface Issue {
  readonly message: string
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: unknown }>
  /** valibot's: a strict object's unknown key is `strict_object` expecting `never`. */
  readonly type?: string
  readonly expected?: string | null
}

/** What a client reads for a field the request may not carry (valibot says "Expected never"). */
const UNKNOWN_FIELD = 'unknown field: not accepted here'

/** `{ "blocks.0.url": "must be an http or https URL" }`: each bad field by its path. */
export function issueDetails(issues: readonly Issue[]): Record<string, string> {
  const details: Record<string, string> = {}
  for (const issue of issues) {
    const keys = (issue.path ?? []).map((segment) => (typeof segment === 'object' ? segment.key : segment))
    const readable = keys.length > 0 && keys.every((k) => typeof k === 'string' || typeof k === 'number')
    const unknownField = issue.type === 'strict_object' && issue.expected === 'never'
    details[readable ? keys.join('.') : '(body)'] ??= unknownField ? UNKNOWN_FIELD : issue.message
  }
  return details
}

/** Parses with a valibot schema or throws `invalid_request` naming every bad field. */
export function parseOrThrow<S extends Schema>(schema: S, value: unknown, what: string): v.InferOutput<S> {
  const result = v.safeParse(schema, value)
  if (!result.success) throw new AppError('invalid_request', `invalid ${what}`, issueDetails(result.issues))
  return result.output
}

const TARGET_NAMES: Partial<Record<keyof ValidationTargets, string>> = {
  json: 'request body',
  query: 'query',
}

const JSON_MEDIA_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i

/**
 * Validator middleware backed by a valibot schema: `c.req.valid(target)` is then typed by the
 * schema's output, failures use the contract's error shape, and the schema documents the request
 * in the OpenAPI document (body or query parameters).
 * @example app.post('/x', validate('json', CreateStoryInput), (c) => jsonAnswer(c, c.req.valid('json')))
 */
export function validate<T extends keyof ValidationTargets, S extends Schema>(target: T, schema: S) {
  const what = TARGET_NAMES[target] ?? target
  const validating = validator(
    target,
    schema,
    (result) => {
      if (!result.success)
        throw new AppError('invalid_request', `invalid ${what}`, issueDetails(result.error))
    },
    INPUT_SCHEMA,
  )
  const middleware: typeof validating = async (c, next) => {
    // Without this, a JSON body sent with another Content-Type reads as empty and the error names missing fields.
    if (target === 'json' && !JSON_MEDIA_TYPE.test(c.req.header('Content-Type') ?? '')) {
      throw new AppError(
        'invalid_request',
        'the body must be JSON, sent with Content-Type: application/json',
        {
          'Content-Type': 'must be application/json',
        },
      )
    }
    return validating(c, next)
  }
  // The document generator finds a route's schemas by this marker on its middleware.
  return Object.assign(middleware, {
    [uniqueSymbol]: (validating as unknown as Record<symbol, unknown>)[uniqueSymbol],
  })
}
