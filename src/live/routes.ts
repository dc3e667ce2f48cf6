import { Hono } from 'hono'
import * as v from 'valibot'
import { AppError, type ErrorCode } from '../errors.js'
import { getStoryRowOrThrow } from '../events/event-log.js'
import type { AppEnv } from '../http/env.js'
import { describe } from '../http/openapi.js'
import { INVALID, STORY_NOT_FOUND } from '../http/responses.js'
import { parseOrThrow, validate } from '../http/validate.js'
import { wholeNumber } from '../lib/whole-number.js'
import type { EventStreams, StreamRefusal } from './stream.js'

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
        'A `text/event-stream` of the story\u2019s events: `id: <seq>`, `event: <type>`, `data: <Event JSON>`. Resume with the `Last-Event-ID` header (EventSource sends it on reconnect) or `?since=<seq>`: the events after it, then live, each seq once, ascending, no gaps. Without either, the stream starts at the head. A reader more than the replay limit behind gets `event: reset` (`id` = head, `data: {"type":"reset","story","seq"}`) and continues from the head. Comment lines (`: ping`) keep quiet streams open. The stream ends when the server shuts down or the reader is too slow to take its events; reconnect with `Last-Event-ID`. See docs/live-protocol.md.',
      headers: [{ name: 'Last-Event-ID', description: 'Resume after this seq (wins over `since`)' }],
      responses: {
        200: { description: 'The event stream', contentType: 'text/event-stream' },
        ...INVALID,
        ...STORY_NOT_FOUND,
        503: { description: 'Database or bus unavailable, or shutting down; retry' },
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
      return new Response(stream.body, {
        headers: {
          'Content-Type': 'text/event-stream; charset=utf-8',
          'Cache-Control': 'no-cache, no-transform',
          // Proxies such as nginx would otherwise hold events back to fill a buffer.
          'X-Accel-Buffering': 'no',
        },
      })
    },
  )

  return app
}
