import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keyFor, makeStory, range, textUpdate } from './helpers/api.js'
import { startServer, type TestServer } from './helpers/server.js'
import { connectReader, type Reader } from './helpers/ws-client.js'

describe('two instances sharing Postgres and Redis', () => {
  let a: TestServer
  let b: TestServer
  const readers: Reader[] = []
  beforeAll(async () => {
    const busPrefix = `liveline-test:${randomBytes(6).toString('hex')}:`
    // A long head-check interval: delivery here must come through Redis, not the safety net.
    a = await startServer({ redis: true, busPrefix, limits: { headCheckIntervalMs: 60_000 } })
    b = await startServer({ redis: true, busPrefix, limits: { headCheckIntervalMs: 60_000 } })
  })
  afterAll(async () => {
    for (const r of readers) r.close()
    await a.stop()
    await b.stop()
  })

  it('pushes an update posted on one instance to readers on both', async () => {
    const editor = await keyFor(a.admin, 'editor')
    const story = await makeStory(editor)
    const onA = await connectReader(a.wsUrl)
    const onB = await connectReader(b.wsUrl)
    readers.push(onA, onB)
    await onA.subscribe(story.id)
    await onB.subscribe(story.slug)
    for (let i = 1; i <= 10; i++) {
      const via = i % 2 ? editor : b.api(editor.key)
      expect((await via.post(`/v1/stories/${story.id}/updates`, textUpdate(`u${i}`))).status).toBe(201)
    }
    await onA.waitFor((r) => r.events(story.id).length === 10)
    await onB.waitFor((r) => r.events(story.id).length === 10)
    expect(onA.seqs(story.id)).toEqual(range(1, 10))
    expect(onB.seqs(story.id)).toEqual(range(1, 10))
    expect(onB.events(story.id)).toEqual(onA.events(story.id))
  })

  it('lets a reader that drops on one instance resume on the other with since', async () => {
    const editor = await keyFor(a.admin, 'editor')
    const story = await makeStory(editor)
    const first = await connectReader(a.wsUrl)
    readers.push(first)
    await first.subscribe(story.id)
    for (let i = 1; i <= 3; i++) await editor.post(`/v1/stories/${story.id}/updates`, textUpdate(`u${i}`))
    await first.waitFor((r) => r.events(story.id).length === 3)
    first.close()
    for (let i = 4; i <= 6; i++) await editor.post(`/v1/stories/${story.id}/updates`, textUpdate(`u${i}`))
    const second = await connectReader(b.wsUrl)
    readers.push(second)
    await second.subscribe(story.id, first.seqs(story.id).at(-1))
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('u7'))
    await second.waitFor((r) => r.events(story.id).length === 4)
    expect([...first.seqs(story.id), ...second.seqs(story.id)]).toEqual(range(1, 7))
  })

  it('closes a revoked key\u2019s websockets on every instance', async () => {
    const created = await a.admin.post('/v1/keys', { name: 'partner', role: 'partner' })
    const onB = await connectReader(b.wsUrl, { key: created.body.key })
    readers.push(onB)
    await a.admin.delete(`/v1/keys/${created.body.id}`)
    expect(await onB.waitForClose()).toBe(1008)
  })

  it('reports ready with both the database and Redis up', async () => {
    const res = await a.api().get('/readyz')
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ status: 'ready', database: 'ok', bus: 'ok' })
  })
})
