import type { Env, Hono, MiddlewareHandler, Schema } from 'hono'
import { type DescribeRouteOptions, describeRoute, generateSpecs, resolver } from 'hono-openapi'
import type * as v from 'valibot'

type Access = 'public' | 'contributor' | 'editor' | 'partner' | 'admin'

/** Every tag an operation may carry, in the order the reference shows them. */
export const API_TAGS = [
  {
    name: 'Keys',
    description:
      'API keys. The admin key gives each editor, contributor, partner or tool its own key; what is posted with it carries its person\u2019s byline, or else its name.',
  },
  {
    name: 'People',
    description: 'The people of the desk: the bylines (name, title, avatar) of what their keys post.',
  },
  { name: 'Stories', description: 'Live stories: create, list, read, edit, pin an update, end.' },
  { name: 'Updates', description: 'The posts of a story: text, quote, image and embed blocks.' },
  {
    name: 'Comments',
    description: 'Reader comments under a story, decided by the automatic rules and moderated by editors.',
  },
  { name: 'Events', description: 'Each story\u2019s ordered change log (`seq` 1, 2, 3 \u2026, no gaps).' },
  { name: 'Live', description: 'Follow stories as they change: websocket and server-sent events.' },
  { name: 'Syndication', description: 'Atom, JSON Feed and RSS feeds with conditional GET.' },
  {
    name: 'Webhooks',
    description: 'Signed deliveries of a story\u2019s events to partners\u2019 endpoints.',
  },
  {
    name: 'Media',
    description:
      'Uploaded images: location and camera metadata removed, resized for `srcset`, served with an immutable cache life.',
  },
  { name: 'Operations', description: 'Health, readiness, metrics and this document.' },
  { name: 'Browser', description: 'Reader pages, the embeddable widget, the client module and the desk.' },
] as const

export type ApiTag = (typeof API_TAGS)[number]['name']

export interface ResponseDoc {
  description: string
  /** The body's schema; error statuses without one get the shared Error schema. */
  schema?: v.GenericSchema
  /** Defaults to application/json. A non-JSON type without a schema is documented as a string. */
  contentType?: string
}

/** What one route documents beside its handler; request bodies and queries come from `validate()`. */
export interface OperationDoc {
  /** camelCase verb and noun, unique in the document: client generators name methods after it. */
  operationId: string
  summary: string
  description?: string
  tag: ApiTag
  access: Access
  headers?: Array<{ name: string; description: string }>
  /** A raw (non-JSON) request body, such as an uploaded image; JSON bodies come from `validate()`. */
  rawBody?: { description: string; contentTypes: readonly string[] }
  responses: { [status: number]: ResponseDoc; default?: ResponseDoc }
}

const ERROR_REF = { $ref: '#/components/schemas/Error' }

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

/** Options for @valibot/to-json-schema: responses show what the server sends (after transforms). */
const OUTPUT_SCHEMA = { options: { typeMode: 'output', target: 'draft-2020-12' } }
/** Requests show what a client sends (before transforms). */
export const INPUT_SCHEMA = { options: { typeMode: 'input', target: 'draft-2020-12' } }

function responseObject(status: string, doc: ResponseDoc) {
  const { description, schema, contentType } = doc
  if (schema)
    return {
      description,
      content: { [contentType ?? 'application/json']: { schema: resolver(schema as never, OUTPUT_SCHEMA) } },
    }
  if (contentType) return { description, content: { [contentType]: { schema: { type: 'string' } } } }
  if (status === 'default' || Number(status) >= 400)
    return { description, content: { 'application/json': { schema: ERROR_REF } } }
  return { description }
}

/**
 * The route's entry in the OpenAPI document, as a middleware placed before its validators and
 * handler: the document is generated from the routes Hono knows, so a route cannot go undocumented.
 * @example app.get('/stories/:story', describe({ operationId: 'getStory', ... }), handler)
 */
export function describe(doc: OperationDoc): MiddlewareHandler {
  const responses: Record<string, unknown> = {}
  for (const [status, response] of Object.entries(doc.responses))
    responses[status] = responseObject(status, response)
  const spec = {
    operationId: doc.operationId,
    summary: doc.summary,
    description: doc.description,
    tags: [doc.tag],
    security: doc.access === 'public' ? [{}, { bearer: [] }] : [{ bearer: [] }],
    'x-required-role': doc.access === 'public' ? undefined : doc.access,
    parameters: doc.headers?.map((h) => ({
      name: h.name,
      in: 'header',
      required: false,
      schema: { type: 'string' },
      description: h.description,
    })),
    requestBody: doc.rawBody && {
      required: true,
      description: doc.rawBody.description,
      content: Object.fromEntries(
        doc.rawBody.contentTypes.map((type) => [type, { schema: { type: 'string', format: 'binary' } }]),
      ),
    },
    responses,
  }
  return describeRoute(spec as DescribeRouteOptions)
}

const PATH_PARAMETER_DESCRIPTIONS: Record<string, string> = {
  story: 'Story id or slug',
  slug: 'The story\u2019s slug',
}

export interface OpenApiInfo {
  version: string
  /** The configured public origin; unset, the document's server is this origin (`/`). */
  publicUrl?: string
}

/** The OpenAPI 3.1 document of every route `app` has, built from their `describe()` and `validate()`. */
export async function openApiDocument<E extends Env, S extends Schema, P extends string>(
  app: Hono<E, S, P>,
  info: OpenApiInfo,
) {
  const document = await generateSpecs(app, {
    documentation: {
      info: {
        title: 'Liveline API',
        version: info.version,
        description:
          'Realtime live-blog backend. Live updates: websocket `GET /v1/live` (see docs/live-protocol.md). Errors: `{"error":{"code","message","details"?}}`.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [{ url: info.publicUrl ?? '/', description: 'This Liveline' }],
      tags: API_TAGS.map((t) => ({ ...t })),
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'An API key from POST /v1/keys' },
        },
        schemas: { Error: ERROR_SCHEMA as never },
      },
    },
    // Feeds, scripts and this document have dots in their paths: they are routes, not static files.
    excludeStaticFile: false,
    defaultValidationErrorResponse: {
      description: 'Validation failed (`invalid_request`, `details` names each bad field)',
      content: { 'application/json': { schema: ERROR_REF } },
    },
  })
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item ?? {})) {
      for (const parameter of (operation as { parameters?: Array<Record<string, unknown>> }).parameters ??
        []) {
        const described = PATH_PARAMETER_DESCRIPTIONS[String(parameter.name)]
        if (parameter.in === 'path' && described && !parameter.description) parameter.description = described
      }
    }
  }
  return document
}
