import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keyFor, makeStory, textUpdate } from './helpers/api.js'
import { provided } from './helpers/provided.js'
import { startServer, type TestServer } from './helpers/server.js'
import { TcpProxy } from './helpers/tcp-proxy.js'

describe('a burst of posts on one story while the database is slow', () => {
  let proxy: TcpProxy
  let server: TestServer
  beforeAll(async () => {
    const real = new URL(provided('databaseUrl'))
    proxy = new TcpProxy(real.hostname, Number(real.port || 5432))
    const viaProxy = new URL(real)
    viaProxy.host = `127.0.0.1:${await proxy.start()}`
    server = await startServer({ databaseUrl: viaProxy.toString() })
  })
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
})
