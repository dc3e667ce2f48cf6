import { Hono } from 'hono'
import * as v from 'valibot'
import { getStoryRowOrThrow } from '../events/event-log.js'
import type { AppEnv } from '../http/env.js'
import { jsonAnswer } from '../http/json-answer.js'
import { describe } from '../http/openapi.js'
import { STORY_NOT_FOUND } from '../http/responses.js'

const PresenceAnswer = v.object({
  readers: v.pipe(v.number(), v.integer(), v.minValue(0)),
  at: v.pipe(v.string(), v.isoTimestamp()),
})

/** `GET /v1/stories/:story/presence`: how many read the story right now, on every instance. */
export function presenceRoutes(presence: { readers(storyId: string): number }) {
  const app = new Hono<AppEnv>()
  app.get(
    '/stories/:story/presence',
    describe({
      operationId: 'getStoryPresence',
      tag: 'Live',
      access: 'public',
      summary: 'How many read a story right now',
      description:
        'Websocket and server-sent-event readers of the story on every instance, as this instance last heard (instances report every 5 s; one that stops reporting drops out within 30 s). Live readers also get `presence` frames (websocket) or `event: presence` (SSE).',
      responses: { 200: { description: 'The count', schema: PresenceAnswer }, ...STORY_NOT_FOUND },
    }),
    async (c) => {
      const story = await getStoryRowOrThrow(c.var.deps.db, c.var.principal, c.req.param('story'))
      c.header('Cache-Control', 'no-cache')
      return jsonAnswer(c, { readers: presence.readers(story.id), at: c.var.deps.clock().toISOString() })
    },
  )
  return app
}
