import { Hono } from 'hono'
import { callerOf, requireAction } from '../auth/middleware.js'
import type { Deps } from '../deps.js'
import { AppError } from '../errors.js'
import { publicBaseUrl } from '../http/base-url.js'
import type { AppEnv } from '../http/env.js'
import { jsonAnswer } from '../http/json-answer.js'
import { describe } from '../http/openapi.js'
import { FORBIDDEN, INVALID, UNAUTHORIZED, UNAVAILABLE } from '../http/responses.js'
import { etagMatches } from '../lib/etag.js'
import { consumePoint, type LimiterStore } from '../rate-limits/limiter-store.js'
import { getMediaFile, uploadMedia } from './media.js'
import { Media } from './schema.js'
import { MEDIA_CONTENT_TYPES } from './urls.js'

/** Where uploads go: the router gives this path its own body limit (LIVELINE_MAX_UPLOAD_BYTES). */
export const MEDIA_UPLOAD_PATH = '/v1/media'

/** A media file never changes under its URL (the id is its content's hash): caches may keep it for good. */
export const MEDIA_CACHE = 'public, max-age=31536000, immutable'

const RATE_WINDOW_SECONDS = 60

/** Name of the upload limiter's keys in Redis (after the deployment's prefix). */
export const UPLOAD_RATE_KEY = 'upload-rate:'

/** POST /v1/media: upload an image (mounted under /v1). */
export function mediaUploadRoutes(deps: Deps, limiterStore: LimiterStore): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  // Counted across every instance: a key spreading its uploads over instances gets no more.
  const limiter = limiterStore.limiter(
    UPLOAD_RATE_KEY,
    deps.limits.uploadsPerKeyPerMinute,
    RATE_WINDOW_SECONDS,
  )

  app.post(
    '/media',
    describe({
      operationId: 'uploadMedia',
      tag: 'Media',
      access: 'editor',
      summary: 'Upload an image for image blocks',
      description: `The image is the raw body. It is decoded and re-encoded in its real format (read from the bytes, whatever the Content-Type says), turned upright, with its location and camera metadata removed, and resized for \`srcset\`. The same photo uploaded twice is stored once (same \`id\`). At most ${deps.limits.maxUploadBytes} bytes and ${deps.limits.maxImagePixels} pixels; ${deps.limits.uploadsPerKeyPerMinute} uploads per key per minute. See docs/media.md.`,
      rawBody: { description: 'The image file', contentTypes: MEDIA_CONTENT_TYPES },
      responses: {
        201: { description: 'Stored (or already stored)', schema: Media },
        ...INVALID,
        ...UNAUTHORIZED,
        ...FORBIDDEN,
        413: { description: 'Body over the upload limit (`payload_too_large`)' },
        415: { description: 'Not a JPEG, PNG, WebP or GIF image (`unsupported_media_type`)' },
        429: { description: 'Too many uploads from this key (`rate_limited`, `Retry-After`)' },
        ...UNAVAILABLE,
      },
    }),
    requireAction('media:upload'),
    async (c) => {
      const caller = callerOf(c)
      const type = (c.req.header('Content-Type') ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
      if (!(MEDIA_CONTENT_TYPES as readonly string[]).includes(type))
        throw new AppError('unsupported_media_type', 'send the image as the raw body with its image type', {
          'Content-Type': `must be one of ${MEDIA_CONTENT_TYPES.join(', ')}`,
        })
      const decision = await consumePoint(limiter, caller.keyId)
      if (!decision.allowed) {
        c.header('Retry-After', String(decision.retryAfterSeconds))
        throw new AppError('rate_limited', 'too many uploads from this key; try again later', {
          retryAfterSeconds: decision.retryAfterSeconds,
        })
      }
      const body = Buffer.from(await c.req.arrayBuffer())
      if (body.length === 0)
        throw new AppError('invalid_request', 'the body is empty', { body: 'send the image' })
      const media = await uploadMedia(c.var.deps, { body, uploader: caller, baseUrl: publicBaseUrl(c) })
      return jsonAnswer(c, media, 201)
    },
  )
  return app
}

/** GET /media/:id/:file: the stored files, public and immutable. */
export function mediaFileRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.get(
    '/media/:id/:file',
    describe({
      operationId: 'getMediaFile',
      tag: 'Media',
      access: 'public',
      summary: 'An uploaded image or one of its sizes (`<width>.<jpg|png|webp|gif>`)',
      description:
        'The upload\u2019s `url` names the original at its own width; smaller widths (480, 960, 1600) in the original\u2019s format and WebP, and WebP at the original width, sit beside it. Cached for a year, immutable.',
      responses: {
        200: { description: 'The image', contentType: 'image/*' },
        304: { description: 'Not modified: `If-None-Match` matched the ETag (no body)' },
        404: { description: 'No such media file (`not_found`)' },
      },
    }),
    async (c) => {
      const id = c.req.param('id')
      const name = c.req.param('file')
      const file = await getMediaFile(c.var.deps, id, name)
      // The id is the content's hash and the name fixes size and format: a strong validator for free.
      const etag = `"${id.slice(0, 32)}-${name}"`
      c.header('ETag', etag)
      c.header('Cache-Control', MEDIA_CACHE)
      c.header('X-Content-Type-Options', 'nosniff')
      // Widgets on partners' sites show these images.
      c.header('Cross-Origin-Resource-Policy', 'cross-origin')
      c.header('Access-Control-Allow-Origin', '*')
      if (etagMatches(c.req.header('If-None-Match'), etag)) return c.body(null, 304)
      c.header('Content-Type', file.contentType)
      return c.body(new Uint8Array(file.data))
    },
  )
  return app
}
