import { Hono } from 'hono'
import { getStoryRowOrThrow } from '../events/event-log.js'
import type { AppEnv } from '../http/env.js'
import { describe } from '../http/openapi.js'
import { INVALID, STORY_NOT_FOUND } from '../http/responses.js'
import { validate } from '../http/validate.js'
import { readEvents } from './event-log.js'
import { EventPage, EventsQuery } from './schema.js'

export function eventRoutes() {
  const app = new Hono<AppEnv>()

  app.get(
    '/stories/:story/events',
    describe({
      operationId: 'listEvents',
      tag: 'Events',
      access: 'public',
      summary: 'Read the story\u2019s ordered change log',
      description:
        'Events with `seq > since`, ascending, at most `limit`. `head` is the story\u2019s newest seq.',
      responses: {
        200: { description: 'Events and the head', schema: EventPage },
        ...INVALID,
        ...STORY_NOT_FOUND,
      },
    }),
    validate('query', EventsQuery),
    async (c) => {
      const { since, limit } = c.req.valid('query')
      const { deps, principal } = c.var
      const story = await getStoryRowOrThrow(deps.db, principal, c.req.param('story'))
      const events = await readEvents(deps.db, story.id, since, limit)
      // Events are stored as their wire JSON: the page is assembled without re-serialising them.
      c.header('Content-Type', 'application/json')
      // Read after the story row, the page may run past the row's seq: head is never behind the events.
      const head = Math.max(story.seq, events.at(-1)?.seq ?? 0)
      return c.body(`{"events":[${events.map((e) => e.body).join(',')}],"head":${head}}`)
    },
  )

  return app
}
