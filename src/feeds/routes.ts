import { type Context, Hono } from 'hono'
import * as v from 'valibot'
import type { Deps } from '../deps.js'
import { publicBaseUrl } from '../http/base-url.js'
import { encodedEtag, negotiateEncoding } from '../http/compress.js'
import type { AppEnv } from '../http/env.js'
import { describe, type OperationDoc } from '../http/openapi.js'
import { markReady } from '../http/ready-answers.js'
import { INVALID, STORY_NOT_FOUND } from '../http/responses.js'
import { validate } from '../http/validate.js'
import {
  createFeedState,
  FEED_CONTENT_TYPES,
  type FeedArgs,
  type FeedResult,
  type FeedState,
  getLiveFeed,
  getStoryFeed,
} from './feeds.js'
import { FEED_FORMATS, type FeedFormat } from './model.js'
import { FeedQuery, JsonFeedDocument } from './schema.js'

const FORMAT_DOCS: Record<FeedFormat, { name: string; schema: v.GenericSchema }> = {
  atom: { name: 'Atom 1.0', schema: v.string() },
  json: { name: 'JSON Feed 1.1', schema: JsonFeedDocument },
  rss: { name: 'RSS 2.0', schema: v.string() },
}

const CONDITIONAL_HEADERS = [
  { name: 'If-None-Match', description: 'An ETag from an earlier answer: 304 while the feed is unchanged' },
  { name: 'If-Modified-Since', description: 'A Last-Modified from an earlier answer: 304 while unchanged' },
]

function feedArgs(c: Context<AppEnv>, format: FeedFormat, limit: number): FeedArgs {
  return {
    format,
    limit,
    baseUrl: publicBaseUrl(c),
    conditions: {
      ifNoneMatch: c.req.header('If-None-Match'),
      ifModifiedSince: c.req.header('If-Modified-Since'),
    },
  }
}

function send(c: Context<AppEnv>, feed: FeedResult): Response {
  c.header('ETag', feed.etag)
  c.header('Last-Modified', feed.lastModified.toUTCString())
  c.header('Cache-Control', feed.cacheControl)
  const coding = negotiateEncoding(c.req.header('Accept-Encoding'))
  // A 304 carries no document; a 200 its bytes in the coding the client takes.
  const file = feed.body
  const body = file && (coding ? file[coding] : file.body)
  if (feed.isCurrent) markReady(c, { isCurrent: feed.isCurrent, body, coding })
  if (!file) return c.body(null, 304)
  c.header('Content-Type', feed.contentType)
  c.header('Vary', 'Accept-Encoding')
  if (!coding) return c.body(file.body, 200)
  // Compressed once, when the document was rendered; the compress middleware leaves it alone.
  c.header('ETag', encodedEtag(feed.etag, coding))
  c.header('Content-Encoding', coding)
  return c.body(body as Uint8Array<ArrayBuffer>, 200)
}

function routeDoc(
  operationId: string,
  format: FeedFormat,
  summary: string,
  responses: OperationDoc['responses'],
): OperationDoc {
  const { name, schema } = FORMAT_DOCS[format]
  return {
    operationId: `${operationId}${format.charAt(0).toUpperCase()}${format.slice(1)}`,
    tag: 'Syndication',
    access: 'public',
    summary: `${summary} (${name})`,
    description:
      'Updates newest first (`limit`, default 50, at most 200); deleted updates are absent. Every answer carries a strong `ETag` and `Last-Modified`; send them back as `If-None-Match` / `If-Modified-Since` for a 304. See docs/feeds.md.',
    headers: CONDITIONAL_HEADERS,
    responses: {
      200: { description: `The feed as ${name}`, schema, contentType: FEED_CONTENT_TYPES[format] },
      304: { description: 'Not modified: the reader\u2019s copy is current (no body)' },
      ...INVALID,
      ...responses,
    },
  }
}

/** Atom, JSON Feed and RSS for each story and for all live stories. */
export function feedRoutes() {
  const app = new Hono<AppEnv>()
  // Made on the first request: building the routes (for the OpenAPI document) needs no database.
  let kept: FeedState | undefined
  const state = (deps: Deps) => {
    kept ??= createFeedState(deps)
    return kept
  }

  for (const format of FEED_FORMATS) {
    app.get(
      `/stories/:story/feed.${format}`,
      describe(routeDoc('getStoryFeed', format, 'A story\u2019s feed', { ...STORY_NOT_FOUND })),
      validate('query', FeedQuery),
      async (c) => {
        const args = feedArgs(c, format, c.req.valid('query').limit)
        return send(
          c,
          await getStoryFeed(c.var.deps, state(c.var.deps), c.var.principal, c.req.param('story'), args),
        )
      },
    )
  }
  for (const format of FEED_FORMATS) {
    app.get(
      `/feed.${format}`,
      describe(routeDoc('getLiveFeed', format, 'Updates from all live stories', {})),
      validate('query', FeedQuery),
      async (c) => {
        const args = feedArgs(c, format, c.req.valid('query').limit)
        return send(c, await getLiveFeed(c.var.deps, state(c.var.deps), c.var.principal, args))
      },
    )
  }
  return app
}
