import { Hono } from 'hono'
import { callerOf, requireAction } from '../auth/middleware.js'
import { AppError } from '../errors.js'
import { cachePolicyFor, sendConditionalJson } from '../http/conditional.js'
import type { AppEnv } from '../http/env.js'
import { jsonAnswer } from '../http/json-answer.js'
import { describe } from '../http/openapi.js'
import { FORBIDDEN, INVALID, STORY_NOT_FOUND, UNAUTHORIZED, UNAVAILABLE } from '../http/responses.js'
import { validate } from '../http/validate.js'
import { respondFromCache } from '../public-reads/respond.js'
import { MAX_IDEMPOTENCY_KEY } from './idempotency.js'
import { CreateUpdateInput, EditUpdateInput, Update, UpdateList, UpdateListQuery } from './schema.js'
import { createUpdate, deleteUpdate, editUpdate, getUpdate, listUpdates } from './updates.js'

const UPDATE_NOT_FOUND = { 404: { description: 'No such story or update (deleted updates are gone)' } }

export function updateRoutes() {
  const app = new Hono<AppEnv>()
  const tag = 'Updates'

  app.post(
    '/stories/:story/updates',
    describe({
      operationId: 'createUpdate',
      tag,
      access: 'contributor',
      summary: 'Post an update to a story',
      description:
        'Appends `update.created` (and `story.updated` when `pinned`). From a contributor the update waits as `submitted` for an editor; with a future `publishAt` (editors) it waits as `scheduled` and is published at that time. Neither appends an event until published. `authorId` (editors) sets the byline to that person; otherwise it is the key\u2019s person, or the key\u2019s name. With `Idempotency-Key`, a retry with the same key and body returns the first update with `Idempotent-Replayed: true`; the same key with another body is 422.',
      headers: [
        {
          name: 'Idempotency-Key',
          description: `Any string up to ${MAX_IDEMPOTENCY_KEY} characters, unique per post`,
        },
      ],
      responses: {
        201: { description: 'Posted (or replayed)', schema: Update },
        ...INVALID,
        ...UNAUTHORIZED,
        ...FORBIDDEN,
        ...STORY_NOT_FOUND,
        409: { description: 'The story has ended (`story_ended`)' },
        413: { description: 'Body over the size limit' },
        422: { description: 'Idempotency-Key reused with a different body (`idempotency_key_reused`)' },
        ...UNAVAILABLE,
      },
    }),
    requireAction('updates:submit'),
    validate('json', CreateUpdateInput),
    async (c) => {
      const idempotencyKey = c.req.header('Idempotency-Key')
      if (
        idempotencyKey !== undefined &&
        (idempotencyKey.length === 0 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY)
      ) {
        throw new AppError('invalid_request', 'invalid Idempotency-Key header', {
          'Idempotency-Key': `must be 1 to ${MAX_IDEMPOTENCY_KEY} characters`,
        })
      }
      const { update, replayed } = await createUpdate(c.var.deps, {
        story: c.req.param('story'),
        input: c.req.valid('json'),
        author: callerOf(c),
        idempotencyKey,
      })
      if (replayed) c.header('Idempotent-Replayed', 'true')
      return jsonAnswer(c, update, 201)
    },
  )

  app.get(
    '/stories/:story/updates',
    describe({
      operationId: 'listUpdates',
      tag,
      access: 'public',
      summary: 'List a story\u2019s updates, newest first',
      description:
        'Published updates. `status=submitted|scheduled` lists the waiting ones instead (newest first by creation): editors see all, a contributor its own.',
      responses: {
        200: { description: 'A page of updates', schema: UpdateList },
        ...INVALID,
        ...UNAUTHORIZED,
        ...FORBIDDEN,
        ...STORY_NOT_FOUND,
      },
    }),
    validate('query', UpdateListQuery),
    async (c) => {
      const { deps, principal } = c.var
      const ref = c.req.param('story')
      const query = c.req.valid('query')
      const variant = `updates|${query.limit}|${c.req.query('cursor') ?? ''}`
      // Only the public list (published updates) is kept; a status asks for what a key unlocks.
      const cached =
        query.status === undefined &&
        (await respondFromCache(c, ref, variant, 'application/json', async (id) =>
          JSON.stringify(await listUpdates(deps, null, id, query)),
        ))
      if (cached) return cached
      return sendConditionalJson(c, await listUpdates(deps, principal, ref, query), cachePolicyFor(principal))
    },
  )

  app.get(
    '/stories/:story/updates/:id',
    describe({
      operationId: 'getUpdate',
      tag,
      access: 'public',
      summary: 'Get one update',
      description:
        'A submitted or scheduled update is 404 except to editors and the contributor who posted it.',
      responses: { 200: { description: 'The update', schema: Update }, ...UPDATE_NOT_FOUND },
    }),
    async (c) => {
      return jsonAnswer(
        c,
        await getUpdate(c.var.deps, c.var.principal, c.req.param('story'), c.req.param('id')),
      )
    },
  )

  app.patch(
    '/stories/:story/updates/:id',
    describe({
      operationId: 'editUpdate',
      tag,
      access: 'contributor',
      summary: 'Edit, correct, schedule or publish an update',
      description:
        'On a published update: sets `editedAt` and appends `update.edited`; `correction` appends `{at, note}` to `corrections`, which readers see under the update. Edits are allowed after a story has ended. On a submitted or scheduled update: changes it without an event; `status: "published"` publishes it now and `publishAt` (re)schedules it, appending `update.created` when it is published. A contributor may change only the content of its own submissions (403 otherwise).',
      responses: {
        200: { description: 'The edited update', schema: Update },
        409: { description: 'Publishing into a story that has ended (`story_ended`)' },
        ...INVALID,
        ...UNAUTHORIZED,
        ...FORBIDDEN,
        ...UPDATE_NOT_FOUND,
      },
    }),
    requireAction('updates:submit'),
    validate('json', EditUpdateInput),
    async (c) => {
      const { story, id } = c.req.param()
      return jsonAnswer(c, await editUpdate(c.var.deps, callerOf(c), story, id, c.req.valid('json')))
    },
  )

  app.delete(
    '/stories/:story/updates/:id',
    describe({
      operationId: 'deleteUpdate',
      tag,
      access: 'contributor',
      summary: 'Delete an update',
      description:
        'Appends `update.deleted` (and `story.updated` when it was pinned: the story is unpinned). A submitted or scheduled update is discarded without an event. A contributor may withdraw only its own submissions.',
      responses: { 204: { description: 'Deleted' }, ...UNAUTHORIZED, ...FORBIDDEN, ...UPDATE_NOT_FOUND },
    }),
    requireAction('updates:submit'),
    async (c) => {
      const { story, id } = c.req.param()
      await deleteUpdate(c.var.deps, callerOf(c), story, id)
      return c.body(null, 204)
    },
  )

  return app
}
