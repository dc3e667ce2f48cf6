import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { isUnavailableError } from '../src/errors.js'
import { keyFor, makeStory, textUpdate } from './helpers/api.js'
import { provided } from './helpers/provided.js'
import { startServer, type TestServer } from './helpers/server.js'
import { TcpProxy } from './helpers/tcp-proxy.js'

describe('Postgres going away', () => {
  let proxy: TcpProxy
  let server: TestServer
  beforeAll(async () => {
    const real = new URL(provided('databaseUrl'))
    proxy = new TcpProxy(real.hostname, Number(real.port || 5432))
    const port = await proxy.start()
    const viaProxy = new URL(real)
    viaProxy.host = `127.0.0.1:${port}`
    server = await startServer({ databaseUrl: viaProxy.toString() })
  })
  afterAll(async () => {
    await server?.stop()
    await proxy?.cut()
  })

  it('answers 503 with Retry-After in the error shape, reports not ready, and recovers', async () => {
    const editor = await keyFor(server.admin, 'editor')
    const story = await makeStory(editor)
    await proxy.cut()

    const post = await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('while down'))
    expect(post.status).toBe(503)
    expect(post.headers.get('retry-after')).toBe('5')
    expect(post.body).toEqual({ error: { code: 'unavailable', message: expect.any(String) } })
    const read = await server.api().get(`/v1/stories/${story.id}`)
    expect(read.status).toBe(503)
    const ready = await server.api().get('/readyz')
    expect(ready.status).toBe(503)
    expect(ready.body.error.details).toEqual({ database: 'down', bus: 'ok' })
    expect((await server.api().get('/healthz')).status).toBe(200)

    await proxy.restore()
    const after = await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('back'))
    expect(after.status).toBe(201)
    expect(after.body.seq).toBe(1)
    expect((await server.api().get('/readyz')).status).toBe(200)
  })

  it('counts a client whose connection broke as the database being unavailable, not a bug', async () => {
    const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${proxy.port}/postgres` })
    client.on('error', () => {})
    await client.connect()
    await proxy.cut()
    const errors: unknown[] = []
    for (let i = 0; i < 3; i++) await client.query('select 1').catch((err: unknown) => errors.push(err))
    await proxy.restore()
    // pg says "Connection terminated", then "… is not queryable" for the same client.
    expect(errors.length).toBe(3)
    for (const err of errors) expect(isUnavailableError(err)).toBe(true)
    expect(errors.some((err) => /is not queryable/.test(String(err)))).toBe(true)
    await client.end().catch(() => {})
  })

  it('leaves nothing half-written when the connection drops in the middle of a burst of posts', async () => {
    const editor = await keyFor(server.admin, 'editor')
    const story = await makeStory(editor)
    const burst = Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        editor.post(`/v1/stories/${story.id}/updates`, textUpdate(`b${i}`)),
      ),
    )
    await new Promise((r) => setTimeout(r, 15))
    await proxy.cut()
    const results = await burst
    await proxy.restore()
    // Each post was taken or told to retry; any other answer is shown with its body.
    expect(results.filter((r) => ![201, 503].includes(r.status)).map((r) => [r.status, r.body])).toEqual([])

    const head = (await server.api().get(`/v1/stories/${story.id}`)).body
    const log = (await server.api().get(`/v1/stories/${story.id}/events?limit=1000`)).body
    const updates = (await server.api().get(`/v1/stories/${story.id}/updates?limit=100`)).body.items
    // The story row, its log and its updates agree: every committed change has its event, no more.
    expect(log.events.map((e: { seq: number }) => e.seq)).toEqual(
      Array.from({ length: head.seq }, (_, i) => i + 1),
    )
    expect(updates).toHaveLength(head.seq)
    expect(head.updateCount).toBe(head.seq)
    const okIds = results.filter((r) => r.status === 201).map((r) => r.body.id)
    const loggedIds = new Set(log.events.map((e: { update: { id: string } }) => e.update.id))
    for (const id of okIds) expect(loggedIds.has(id)).toBe(true)
  })
})
