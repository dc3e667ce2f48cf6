import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keyFor, makeStory, textUpdate } from './helpers/api.js'
import { provided } from './helpers/provided.js'
import { startServer, type TestServer } from './helpers/server.js'
import { TcpProxy } from './helpers/tcp-proxy.js'

describe('bursts on one story while the database is slow', () => {
  let proxy: TcpProxy
  let server: TestServer
  beforeAll(async () => {
    const real = new URL(provided('databaseUrl'))
    proxy = new TcpProxy(real.hostname, Number(real.port || 5432))
    const viaProxy = new URL(real)
    viaProxy.host = `127.0.0.1:${await proxy.start()}`
    server = await startServer({
      databaseUrl: viaProxy.toString(),
      comments: { perStory: 100, perAddress: 1000, publishQueue: 2 },
    })
    // Until the dictionaries are built the spelling rules hold every comment.
    await server.app.comments.rules.ready()
  }, 60_000)
  afterAll(async () => {
    await server?.stop()
    await proxy?.cut()
  })

  it('takes every post, in order, and keeps the database free for other stories meanwhile', async () => {
    const editor = await keyFor(server.admin, 'editor')
    const busy = await makeStory(editor, { status: 'live' })
    const other = await makeStory(editor, { status: 'live' })
    // Each post's event insert (taken under the story's row lock) reaches Postgres 120 ms late:
    // 40 posts to one story take about 5 s one after another, longer than the pool's 3 s wait.
    proxy.holdClientData({ match: /insert into "events"/i, ms: 120 })
    const posts = Array.from({ length: 40 }, (_, i) =>
      editor.post(`/v1/stories/${busy.id}/updates`, textUpdate(`burst ${i}`)),
    )
    await new Promise((resolve) => setTimeout(resolve, 500))
    const started = performance.now()
    const read = await server.api().get(`/v1/stories/${other.id}/updates`)
    const readMs = performance.now() - started
    const answers = await Promise.all(posts)
    proxy.holdClientData(null)

    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(201))
    expect(answers.map((a) => a.body.seq).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 40 }, (_, i) => i + 1),
    )
    // The waiting posts hold no connection: another story's read is answered meanwhile.
    expect(read.status).toBe(200)
    expect(readMs).toBeLessThan(1000)
  }, 30_000)

  it('keeps at most the publish queue of comments waiting; the rest are told to retry, and may send the same text again', async () => {
    const editor = await keyFor(server.admin, 'editor')
    const story = await makeStory(editor, { status: 'live' })
    const opened = await editor.patch(`/v1/stories/${story.id}`, { comments: 'open' })
    expect(opened.status).toBe(200)
    const reader = server.api()
    const texts = Array.from(
      { length: 8 },
      (_, i) => `Thank you for the coverage, reader number ${i + 1} here.`,
    )
    // Each batch's comment insert reaches Postgres 400 ms late: one batch writes while the rest wait.
    proxy.holdClientData({ match: /insert into "comments"/i, ms: 400 })
    const first = await Promise.all(
      texts.map((text) => reader.post(`/v1/stories/${story.id}/comments`, { name: 'Crowd', text })),
    )
    proxy.holdClientData(null)
    const taken = first.filter((r) => r.status === 201)
    const refused = first.filter((r) => r.status !== 201)
    // One in flight and the queue's two, or fewer when a batch was written before the rest came.
    expect(taken.length).toBeGreaterThanOrEqual(1)
    expect(taken.length).toBeLessThanOrEqual(3)
    for (const r of refused) {
      expect(r.status).toBe(503)
      expect(r.headers.get('retry-after')).toBe('5')
      expect(r.body.error.code).toBe('unavailable')
    }
    // Refused comments left nothing behind: sent again, they are published, not rejected as repeats.
    const refusedTexts = texts.filter((_, i) => first[i]?.status !== 201)
    const again = []
    for (const text of refusedTexts)
      again.push(await reader.post(`/v1/stories/${story.id}/comments`, { name: 'Crowd', text }))
    expect(again.map((r) => [r.status, r.body.status])).toEqual(refusedTexts.map(() => [201, 'published']))
    const listed = await reader.get(`/v1/stories/${story.id}/comments?limit=100`)
    expect(listed.body.items.map((c: { text: string }) => c.text).sort()).toEqual([...texts].sort())
    const log = await editor.get(`/v1/stories/${story.id}/events?since=${opened.body.seq}`)
    expect(log.body.events.map((e: { type: string }) => e.type)).toEqual(texts.map(() => 'comment.published'))
  }, 30_000)
})
