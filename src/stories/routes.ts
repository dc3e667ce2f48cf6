import { Hono } from 'hono'
import { requireAction } from '../auth/middleware.js'
import { cachePolicyFor, sendConditionalJson } from '../http/conditional.js'
import type { AppEnv } from '../http/env.js'
import { jsonAnswer } from '../http/json-answer.js'
import { describe } from '../http/openapi.js'
import { FORBIDDEN, INVALID, STORY_NOT_FOUND, UNAUTHORIZED, UNAVAILABLE } from '../http/responses.js'
import { validate } from '../http/validate.js'
import { respondFromCache } from '../public-reads/respond.js'
import { CreateStoryInput, ListStoriesQuery, Story, StoryList, UpdateStoryInput } from './schema.js'
import { createStory, getStory, listStories, updateStory } from './stories.js'

const JSON_TYPE = 'application/json'

export function storyRoutes() {
  const app = new Hono<AppEnv>()
  const tag = 'Stories'

  app.post(
    '/stories',
    describe({
      operationId: 'createStory',
      tag,
      access: 'editor',
      summary: 'Create a story',
      description:
        'The slug is derived from the title when absent (a derived slug that is taken gets a short suffix); an explicit slug that is taken is 409. Status defaults to `draft`.',
      responses: {
        201: { description: 'Created', schema: Story },
        ...INVALID,
        ...UNAUTHORIZED,
        ...FORBIDDEN,
        409: { description: 'The slug is taken (`slug_taken`)' },
        ...UNAVAILABLE,
      },
    }),
    requireAction('stories:write'),
    validate('json', CreateStoryInput),
    async (c) => {
      return jsonAnswer(c, await createStory(c.var.deps, c.req.valid('json')), 201)
    },
  )

  app.get(
    '/stories',
    describe({
      operationId: 'listStories',
      tag,
      access: 'public',
      summary: 'List stories, newest first',
      description: 'Public readers and partners see `live` and `ended` stories only.',
      responses: { 200: { description: 'A page of stories', schema: StoryList }, ...INVALID },
    }),
    validate('query', ListStoriesQuery),
    async (c) => {
      return jsonAnswer(c, await listStories(c.var.deps, c.var.principal, c.req.valid('query')))
    },
  )

  app.get(
    '/stories/:story',
    describe({
      operationId: 'getStory',
      tag,
      access: 'public',
      summary: 'Get a story by id or slug',
      responses: { 200: { description: 'The story', schema: Story }, ...STORY_NOT_FOUND },
    }),
    async (c) => {
      const { deps, principal } = c.var
      const ref = c.req.param('story')
      const cached = await respondFromCache(c, ref, 'story', JSON_TYPE, async (id) =>
        JSON.stringify(await getStory(deps, null, id)),
      )
      if (cached) return cached
      return sendConditionalJson(c, await getStory(deps, principal, ref), cachePolicyFor(principal))
    },
  )

  app.patch(
    '/stories/:story',
    describe({
      operationId: 'updateStory',
      tag,
      access: 'editor',
      summary: 'Edit a story, change its status or comments setting, or pin an update',
      description:
        'Appends a `story.updated` event. `ended` is final: new updates get 409 and the story cannot be reopened. `pinnedUpdateId: null` unpins. `comments` (`off`, `moderated`, `open`, `closed`) says whether readers may comment (docs/comments.md).',
      responses: {
        200: { description: 'The story after the change', schema: Story },
        ...INVALID,
        ...UNAUTHORIZED,
        ...FORBIDDEN,
        ...STORY_NOT_FOUND,
        409: { description: 'The story has ended (`story_ended`)' },
      },
    }),
    requireAction('stories:write'),
    validate('json', UpdateStoryInput),
    async (c) => {
      return jsonAnswer(c, await updateStory(c.var.deps, c.req.param('story'), c.req.valid('json')))
    },
  )

  return app
}
