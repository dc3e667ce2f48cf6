import { Hono, type MiddlewareHandler } from 'hono'
import * as v from 'valibot'
import { AppError, type ErrorCode } from '../errors.js'
import { getStoryRowOrThrow } from '../events/event-log.js'
import type { AppEnv } from '../http/env.js'
import { describe } from '../http/openapi.js'
import { INVALID, STORY_NOT_FOUND } from '../http/responses.js'
import { parseOrThrow, validate } from '../http/validate.js'
import { wholeNumber } from '../lib/whole-number.js'
import { type EventStreams, retryLaterBody, type StreamRefusal } from './stream.js'

const Seq = v.pipe(v.string(), v.trim(), wholeNumber())
export const StreamQuery = v.object({ since: v.optional(Seq) })
const LastEventId = v.object({ 'Last-Event-ID': Seq })

const REFUSAL_CODE: Record<StreamRefusal['code'], ErrorCode> = {
  bad_request: 'invalid_request',
  not_found: 'not_found',
  forbidden: 'not_found',
  too_many_subscriptions: 'invalid_request',
  rate_limited: 'rate_limited',
  unavailable: 'unavailable',
}

/** Headers of every event-stream answer. */
const STREAM_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  // Proxies such as nginx would otherwise hold events back to fill a buffer.
  'X-Accel-Buffering': 'no',
}
/** Headers of an error answer that do not carry over to the retry stream that replaces it. */
const REPLACED_HEADERS = ['content-type', 'content-length', 'content-encoding', 'retry-after']

/**
 * Mounted before authentication on the stream's path: any answer that means "not now" (5xx, 429),
 * from the key check, the story lookup or the hub, becomes a 200 event stream carrying `retry:`
 * that ends at once, because EventSource never reconnects after another status. 4xx that will not
 * change (400, 401, 403, 404) stay as they are. The connection is not kept: the retry should
 * reach whichever instance is serving, not one that is draining.
 */
export function retryStreamWhenUnavailable(retryMs: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next()
    if (c.req.method !== 'GET' || (c.res.status < 500 && c.res.status !== 429)) return
    const headers = new Headers(c.res.headers)
    for (const name of REPLACED_HEADERS) headers.delete(name)
    for (const [name, value] of Object.entries(STREAM_HEADERS)) headers.set(name, value)
    headers.set('Connection', 'close')
    const reason = c.error instanceof AppError ? c.error.message : 'try again shortly'
    // Cleared first: assigning over an answer would carry its headers (Content-Length) over.
    c.res = undefined
    c.res = new Response(retryLaterBody(retryMs, reason), { status: 200, headers })
  }
}

/** `GET /v1/stories/:story/stream`: the story's events as server-sent events, through the live hub. */
export function streamRoutes(streams: EventStreams) {
  const app = new Hono<AppEnv>()

  app.get(
    '/stories/:story/stream',
    describe({
      operationId: 'streamStory',
      tag: 'Live',
      access: 'public',
      summary: 'Follow a story as server-sent events',
      description:
        'A `text/event-stream` of the story\u2019s events: `id: <seq>`, `event: <type>`, `data: <Event JSON>`. Resume with the `Last-Event-ID` header (EventSource sends it on reconnect) or `?since=<seq>`: the events after it, then live, each seq once, ascending, no gaps. Without either, the stream starts at the head. A reader more than the replay limit behind gets `event: reset` (`id` = head, `data: {"type":"reset","story","seq"}`) and continues from the head. Comment lines (`: ping`) keep quiet streams open. The stream ends when the server shuts down or the reader is too slow to take its events; reconnect with `Last-Event-ID`. Trouble that passes (shutting down, database or bus down, rate limited) is never an HTTP error here: it is a 200 stream with `retry:` that ends, so EventSource comes back; 400, 401, 403 and 404 are final. See docs/live-protocol.md.',
      headers: [{ name: 'Last-Event-ID', description: 'Resume after this seq (wins over `since`)' }],
      responses: {
        200: {
          description:
            'The event stream. When the stream cannot be served for now (shutting down, database or bus down, rate limited) it is still a 200 stream: `retry: <ms>`, a `: closing:` comment, then the end, so EventSource reconnects. Other statuses are final.',
          contentType: 'text/event-stream',
        },
        ...INVALID,
        ...STORY_NOT_FOUND,
      },
    }),
    validate('query', StreamQuery),
    async (c) => {
      const { deps, principal } = c.var
      const header = c.req.header('Last-Event-ID')
      const since =
        header !== undefined && header.trim() !== ''
          ? parseOrThrow(LastEventId, { 'Last-Event-ID': header }, 'Last-Event-ID header')['Last-Event-ID']
          : c.req.valid('query').since
      const story = await getStoryRowOrThrow(deps.db, principal, c.req.param('story'))
      const stream = await streams.open(principal, story.id, since)
      if (stream.refusal && !stream.closed) stream.close(0, 'refused')
      if (stream.refusal) {
        const { code, message } = stream.refusal
        throw new AppError(REFUSAL_CODE[code], message)
      }
      // Through the context, so the headers set before the handler (CORS, X-Request-Id) come along.
      return c.body(stream.body, 200, STREAM_HEADERS)
    },
  )

  return app
}
