import { Hono } from 'hono'
import type { AppEnv } from '../http/env.js'
import { jsonAnswer } from '../http/json-answer.js'
import { describe } from '../http/openapi.js'
import { FORBIDDEN, INVALID, UNAUTHORIZED } from '../http/responses.js'
import { validate } from '../http/validate.js'
import { createKey, listKeys, revokeKey, setKeyPerson } from './keys.js'
import { requireAction } from './middleware.js'
import { ApiKey, CreatedKey, CreateKeyInput, EditKeyInput, KeyList } from './schema.js'

export function keyRoutes() {
  const app = new Hono<AppEnv>()
  const tag = 'Keys'

  app.post(
    '/keys',
    describe({
      operationId: 'createKey',
      tag,
      access: 'admin',
      summary: 'Create an API key',
      description: 'The `key` is shown only in this response; only its hash is stored.',
      responses: {
        201: { description: 'Created', schema: CreatedKey },
        ...INVALID,
        ...UNAUTHORIZED,
        ...FORBIDDEN,
      },
    }),
    requireAction('keys:manage'),
    validate('json', CreateKeyInput),
    async (c) => {
      return jsonAnswer(c, await createKey(c.var.deps, c.req.valid('json')), 201)
    },
  )

  app.get(
    '/keys',
    describe({
      operationId: 'listKeys',
      tag,
      access: 'admin',
      summary: 'List API keys (never the keys themselves)',
      responses: {
        200: { description: 'Keys, newest first', schema: KeyList },
        ...UNAUTHORIZED,
        ...FORBIDDEN,
      },
    }),
    requireAction('keys:manage'),
    async (c) => jsonAnswer(c, await listKeys(c.var.deps)),
  )

  app.patch(
    '/keys/:id',
    describe({
      operationId: 'editKey',
      tag,
      access: 'admin',
      summary: 'Give a key a person (its byline), or none',
      description: 'Only an admin may set or change a key’s person. Updates posted before keep their byline.',
      responses: {
        200: { description: 'The key', schema: ApiKey },
        ...INVALID,
        404: { description: 'No such key' },
        ...UNAUTHORIZED,
        ...FORBIDDEN,
      },
    }),
    requireAction('keys:manage'),
    validate('json', EditKeyInput),
    async (c) =>
      jsonAnswer(c, await setKeyPerson(c.var.deps, c.req.param('id'), c.req.valid('json').personId)),
  )

  app.delete(
    '/keys/:id',
    describe({
      operationId: 'revokeKey',
      tag,
      access: 'admin',
      summary: 'Revoke an API key',
      description:
        'The key stops working at once; live connections opened with it are closed on every instance.',
      responses: {
        204: { description: 'Revoked' },
        404: { description: 'No such key' },
        ...UNAUTHORIZED,
        ...FORBIDDEN,
      },
    }),
    requireAction('keys:manage'),
    async (c) => {
      await revokeKey(c.var.deps, c.req.param('id'))
      return c.body(null, 204)
    },
  )

  return app
}
