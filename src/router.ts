import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { authenticate } from './auth/middleware.js'
import { keyRoutes } from './auth/routes.js'
import type { CommentService } from './comments/comment-service.js'
import { commentRoutes } from './comments/routes.js'
import type { Deps } from './deps.js'
import { eventRoutes } from './events/routes.js'
import { feedRoutes } from './feeds/routes.js'
import { apiReferenceRoutes } from './http/api-reference.js'
import { compress } from './http/compress.js'
import { anyOriginCors } from './http/cors.js'
import type { AppEnv } from './http/env.js'
import { errorBody, handleError, handleNotFound } from './http/errors.js'
import { healthRoutes, type Readiness } from './http/health.js'
import { jsonAnswer } from './http/json-answer.js'
import { refuseUnstorablePathIds } from './http/middleware/path-ids.js'
import { requestLog } from './http/middleware/request-log.js'
import { describe, openApiDocument } from './http/openapi.js'
import { presenceRoutes } from './live/presence-routes.js'
import { retryStreamWhenUnavailable, streamRoutes } from './live/routes.js'
import type { EventStreams } from './live/stream.js'
import { MEDIA_UPLOAD_PATH, mediaFileRoutes, mediaUploadRoutes } from './media/routes.js'
import { peopleRoutes } from './people/routes.js'
import type { LimiterStore } from './rate-limits/limiter-store.js'
import { storyRoutes } from './stories/routes.js'
import { updateRoutes } from './updates/routes.js'
import { webRoutes } from './web/routes.js'
import { webhookRoutes } from './webhooks/routes.js'

/** Methods whose requests may carry a body, and so pass the body limit. */
const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

export interface RouterOptions {
  ready: () => Promise<Readiness>
  version: string
  /** Server-sent-event readers, fed by the same hub as the websocket. */
  streams: EventStreams
  /** Live reader counts across instances. */
  presence: { readers(storyId: string): number }
  /** The configured public origin (LIVELINE_PUBLIC_URL), if any. */
  publicUrl?: string
  /** Reader comments: rules, rate limits, metrics (src/comments/comment-service.ts). */
  comments: CommentService
  /** Where rate limits count (Redis shared by every instance, or this process): uploads per key. */
  limiterStore: LimiterStore
}

/**
 * The HTTP side of Liveline as a web-standard `fetch` app: mounts every feature's routes. Middleware
 * order matters: the request log wraps everything (so it sees the final status), then compression,
 * then the body limit, then authentication.
 */
export function createRouter(deps: Deps, options: RouterOptions) {
  const app = new Hono<AppEnv>()

  app.use('*', async (c, next) => {
    c.set('deps', deps)
    c.set('principal', null)
    c.set('publicUrl', options.publicUrl ?? null)
    await next()
  })
  app.use('*', requestLog())
  // Inside the log (it sees the final status); outside every route, so each text answer passes through it.
  app.use('*', compress())
  app.use('*', refuseUnstorablePathIds())
  // Readers' pages and partners' sites call the API from other origins. Keys travel in the
  // Authorization header, never cookies, so allowing any origin exposes nothing extra.
  app.use(
    '/v1/*',
    anyOriginCors({
      allowMethods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
      allowHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
      exposeHeaders: ['X-Request-Id', 'Idempotent-Replayed', 'Retry-After', 'ETag', 'Last-Modified'],
      maxAge: 600,
    }),
  )
  const limitBody = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: (c) => {
        // The rest of the body is read and discarded (see listen.ts), and the connection not reused.
        c.header('Connection', 'close')
        return jsonAnswer(c, errorBody('payload_too_large', `request body is over ${maxSize} bytes`), 413)
      },
    })
  const jsonBodyLimit = limitBody(deps.limits.maxBodyBytes)
  // Image uploads get their own, larger limit instead of (not after) the global one.
  const uploadBodyLimit = limitBody(deps.limits.maxUploadBytes)
  app.use('/v1/*', (c, next) => {
    // A read has no body to limit; asking a GET for its body would build a whole Request per read.
    if (!METHODS_WITH_BODY.has(c.req.method)) return next()
    return c.req.method === 'POST' && c.req.path === MEDIA_UPLOAD_PATH
      ? uploadBodyLimit(c, next)
      : jsonBodyLimit(c, next)
  })
  // Before authentication, so a key check that fails for now (database down) is a retry too.
  app.use('/v1/stories/:story/stream', retryStreamWhenUnavailable(deps.limits.streamRetryMs))
  app.use('/v1/*', authenticate())

  app.route('/v1', keyRoutes())
  app.route('/v1', peopleRoutes())
  app.route('/v1', storyRoutes())
  app.route('/v1', updateRoutes())
  app.route('/v1', commentRoutes(options.comments))
  app.route('/v1', eventRoutes())
  app.route('/v1', streamRoutes(options.streams))
  app.route('/v1', presenceRoutes(options.presence))
  app.route('/v1', feedRoutes())
  app.route('/v1', webhookRoutes())
  app.route('/v1', mediaUploadRoutes(deps, options.limiterStore))
  app.route('/', mediaFileRoutes())
  app.route('/', healthRoutes(options.ready))
  app.route('/', webRoutes())
  app.route('/', apiReferenceRoutes())

  // A plain GET reaching here did not ask to upgrade (upgrades never reach Hono: the live server takes them).
  app.get(
    '/v1/live',
    describe({
      operationId: 'connectLive',
      tag: 'Live',
      access: 'public',
      summary: 'Live websocket (upgrade): follow stories and receive their events as they happen',
      description:
        'Upgrade to a websocket. Key as `Authorization: Bearer` or `?key=`. Client frames: `{"type":"subscribe","story","since"?}`, `{"type":"unsubscribe","story"}`. Server frames: `subscribed`, `event`, `reset`, `unsubscribed`, `error`. Per story, each seq at most once, ascending, no gaps. Close codes: 1008 policy (revoked key, abuse), 1009 frame over 16 KiB, 1012 server restarting, 1013 reader too slow. See docs/live-protocol.md.',
      responses: {
        101: { description: 'Switching protocols' },
        401: { description: 'Invalid or revoked key' },
        426: { description: 'A plain HTTP request without an Upgrade (`upgrade_required`)' },
        503: { description: 'Shutting down, or the key could not be verified' },
        // The upgrade is the only success; `default` covers what else may go wrong, as for every route.
        default: { description: 'Any other error, in the contract\u2019s error shape' },
      },
    }),
    (c) => {
      c.header('Upgrade', 'websocket')
      return jsonAnswer(
        c,
        errorBody('upgrade_required', 'this endpoint speaks websocket: send an Upgrade request'),
        426,
      )
    },
  )
  // Generated from the routes above on first request, then kept: routes do not change at run time.
  let document: Promise<object> | null = null
  app.get(
    '/openapi.json',
    describe({
      operationId: 'getOpenApiDocument',
      tag: 'Operations',
      access: 'public',
      summary: 'This OpenAPI 3.1 document',
      responses: { 200: { description: 'OpenAPI document' } },
    }),
    async (c) => {
      document ??= openApiDocument(app, { version: options.version, publicUrl: options.publicUrl })
      try {
        return jsonAnswer(c, await document)
      } catch (err) {
        document = null // a failed build is not kept: the next request tries again
        throw err
      }
    },
  )

  app.onError(handleError)
  app.notFound(handleNotFound)
  return { app }
}
