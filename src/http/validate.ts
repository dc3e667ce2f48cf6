import type { ValidationTargets } from 'hono'
import { validator } from 'hono/validator'
import * as v from 'valibot'
import { AppError } from '../errors.js'

type Schema = v.GenericSchema

/** `{ "blocks.0.url": "must be an http or https URL" }`: each bad field by its path. */
export function issueDetails(issues: readonly v.BaseIssue<unknown>[]): Record<string, string> {
  const details: Record<string, string> = {}
  for (const issue of issues) {
    const path = v.getDotPath(issue) ?? '(body)'
    details[path] ??= issue.message
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

/**
 * Hono validator middleware backed by a valibot schema: `c.req.valid(target)` is then typed by
 * the schema's output, and failures use the contract's error shape.
 * @example app.post('/x', validate('json', CreateStoryInput), (c) => c.json(c.req.valid('json')))
 */
export function validate<T extends keyof ValidationTargets, S extends Schema>(target: T, schema: S) {
  return validator(target, (value, c) => {
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
    return parseOrThrow(schema, value, TARGET_NAMES[target] ?? target) as v.InferOutput<S>
  })
}

const JSON_MEDIA_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i
