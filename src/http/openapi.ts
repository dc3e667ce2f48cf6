import { toJsonSchema } from '@valibot/to-json-schema'
import type * as v from 'valibot'

type Method = 'get' | 'post' | 'patch' | 'delete'
type Access = 'public' | 'editor' | 'partner' | 'admin'

export interface RouteDoc {
  method: Method
  /** Hono-style path (`/v1/stories/:story`); turned into OpenAPI's `{story}`. */
  path: string
  summary: string
  description?: string
  tag: string
  access: Access
  query?: v.ObjectSchema<v.ObjectEntries, undefined>
  body?: v.GenericSchema
  headers?: Array<{ name: string; description: string }>
  /** status -> description and optional body schema (error responses use the shared Error schema). */
  responses: Record<number, { description: string; schema?: v.GenericSchema; contentType?: string }>
}

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', description: 'snake_case error code' },
        message: { type: 'string' },
        details: { description: 'for invalid_request: each bad field by its path' },
      },
    },
  },
}

const jsonSchema = (schema: v.GenericSchema, typeMode: 'input' | 'output') =>
  toJsonSchema(schema, { target: 'draft-2020-12', typeMode, errorMode: 'ignore' })

/**
 * Route documentation kept next to each route and built from the same valibot schemas that
 * validate requests, so the served OpenAPI document cannot drift from what the code accepts.
 */
export class OpenApiRegistry {
  readonly #routes: RouteDoc[] = []

  add(doc: RouteDoc): void {
    this.#routes.push(doc)
  }

  get routes(): readonly RouteDoc[] {
    return this.#routes
  }

  document(info: { title: string; version: string; description: string }): object {
    const paths: Record<string, Record<string, unknown>> = {}
    for (const route of this.#routes) {
      const path = route.path.replace(/:(\w+)/g, '{$1}')
      const parameters: unknown[] = [...route.path.matchAll(/:(\w+)/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: { type: 'string' },
        description: m[1] === 'story' ? 'story id or slug' : undefined,
      }))
      if (route.query) {
        const schema = jsonSchema(route.query, 'input') as {
          properties?: Record<string, unknown>
          required?: string[]
        }
        for (const [name, prop] of Object.entries(schema.properties ?? {})) {
          parameters.push({
            name,
            in: 'query',
            required: schema.required?.includes(name) ?? false,
            schema: prop,
          })
        }
      }
      for (const h of route.headers ?? []) {
        parameters.push({
          name: h.name,
          in: 'header',
          required: false,
          schema: { type: 'string' },
          description: h.description,
        })
      }
      const responses: Record<string, unknown> = {}
      for (const [status, r] of Object.entries(route.responses)) {
        const contentType = r.contentType ?? 'application/json'
        responses[status] = {
          description: r.description,
          ...(r.schema
            ? { content: { [contentType]: { schema: jsonSchema(r.schema, 'output') } } }
            : Number(status) >= 400
              ? { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }
              : {}),
        }
      }
      paths[path] ??= {}
      paths[path][route.method] = {
        summary: route.summary,
        description: route.description,
        tags: [route.tag],
        security: route.access === 'public' ? [{}, { bearer: [] }] : [{ bearer: [] }],
        'x-required-role': route.access === 'public' ? undefined : route.access,
        parameters,
        requestBody: route.body
          ? { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } }
          : undefined,
        responses,
      }
    }
    return {
      openapi: '3.1.0',
      info,
      paths,
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API key from POST /v1/keys' },
        },
        schemas: { Error: ERROR_SCHEMA },
      },
    }
  }
}
