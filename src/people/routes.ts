import { Hono } from 'hono'
import { requireAction } from '../auth/middleware.js'
import type { AppEnv } from '../http/env.js'
import { jsonAnswer } from '../http/json-answer.js'
import { describe } from '../http/openapi.js'
import { FORBIDDEN, INVALID, UNAUTHORIZED } from '../http/responses.js'
import { validate } from '../http/validate.js'
import { createPerson, deletePerson, editPerson, getPerson, listPeople } from './people.js'
import { CreatePersonInput, EditPersonInput, Person, PersonList } from './schema.js'

const PERSON_NOT_FOUND = { 404: { description: 'No such person' } }

export function peopleRoutes() {
  const app = new Hono<AppEnv>()
  const tag = 'People'

  app.post(
    '/people',
    describe({
      operationId: 'createPerson',
      tag,
      access: 'editor',
      summary: 'Add a person of the desk (a byline)',
      description:
        'Give a key the person with `POST /v1/keys {personId}`: what the key posts carries their byline.',
      responses: {
        201: { description: 'Created', schema: Person },
        ...INVALID,
        ...UNAUTHORIZED,
        ...FORBIDDEN,
      },
    }),
    requireAction('people:write'),
    validate('json', CreatePersonInput),
    async (c) => jsonAnswer(c, await createPerson(c.var.deps, c.req.valid('json')), 201),
  )

  app.get(
    '/people',
    describe({
      operationId: 'listPeople',
      tag,
      access: 'public',
      summary: 'List the people of the desk, by name',
      description: 'Bylines are public: the same names, titles and avatars readers see on every update.',
      responses: { 200: { description: 'People by name', schema: PersonList } },
    }),
    async (c) => jsonAnswer(c, await listPeople(c.var.deps)),
  )

  app.get(
    '/people/:id',
    describe({
      operationId: 'getPerson',
      tag,
      access: 'public',
      summary: 'Get one person',
      responses: { 200: { description: 'The person', schema: Person }, ...PERSON_NOT_FOUND },
    }),
    async (c) => jsonAnswer(c, await getPerson(c.var.deps, c.req.param('id'))),
  )

  app.patch(
    '/people/:id',
    describe({
      operationId: 'editPerson',
      tag,
      access: 'editor',
      summary: 'Edit a person',
      description: 'Updates published before keep the byline they were published with.',
      responses: {
        200: { description: 'The edited person', schema: Person },
        ...INVALID,
        ...UNAUTHORIZED,
        ...FORBIDDEN,
        ...PERSON_NOT_FOUND,
      },
    }),
    requireAction('people:write'),
    validate('json', EditPersonInput),
    async (c) => jsonAnswer(c, await editPerson(c.var.deps, c.req.param('id'), c.req.valid('json'))),
  )

  app.delete(
    '/people/:id',
    describe({
      operationId: 'deletePerson',
      tag,
      access: 'editor',
      summary: 'Delete a person',
      description:
        'Their keys keep working under the key\u2019s own name; published bylines stay as they were.',
      responses: { 204: { description: 'Deleted' }, ...UNAUTHORIZED, ...FORBIDDEN, ...PERSON_NOT_FOUND },
    }),
    requireAction('people:write'),
    async (c) => {
      await deletePerson(c.var.deps, c.req.param('id'))
      return c.body(null, 204)
    },
  )

  return app
}
