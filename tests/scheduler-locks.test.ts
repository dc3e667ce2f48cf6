import pg from 'pg'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { publishScheduledUpdate } from '../src/updates/updates.js'
import { type Api, keyFor, makeStory, textUpdate } from './helpers/api.js'
import { provided } from './helpers/provided.js'
import { startServer, type TestServer } from './helpers/server.js'

let server: TestServer
let editor: Api
let locker: pg.Client
beforeAll(async () => {
  server = await startServer()
  editor = server.api((await keyFor(server.admin, 'editor')).key)
  locker = new pg.Client({ connectionString: provided('databaseUrl') })
  await locker.connect()
})
afterAll(async () => {
  await locker.end()
  await server.stop()
})

it('publishes a due update whose row another transaction holds for a moment, instead of leaving it claimed', async () => {
  // Found in CI: another instance's claim statement can hold the row just after ours committed;
  // skipping it left the update claimed by us and unpublished until the claim ran out, 5 s late.
  const story = await makeStory(editor)
  const publishAt = new Date(Date.now() + 500).toISOString()
  const res = await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('Due soon', { publishAt }))
  expect(res.body.status).toBe('scheduled')
  const id = res.body.id as string
  // The row is held (as a claim of another instance holds it) from before it falls due.
  await locker.query('BEGIN')
  await locker.query('SELECT id FROM updates WHERE id = $1 FOR UPDATE', [id])
  await new Promise((r) => setTimeout(r, 700))
  const publishing = publishScheduledUpdate(server.app.deps, story.id, id)
  await new Promise((r) => setTimeout(r, 300))
  await locker.query('COMMIT')
  expect(await publishing).toBe(true)
  const { events } = (await editor.get(`/v1/stories/${story.id}/events?since=0`)).body
  const created = events.filter((e: { type: string }) => e.type === 'update.created')
  expect(created.map((e: { update: { id: string } }) => e.update.id)).toEqual([id]) // once, whoever published it
})
