import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keyFor, makeStory, range, textUpdate } from './helpers/api.js'
import { freePort, PrivateRedis } from './helpers/private-redis.js'
import { startServer, type TestServer } from './helpers/server.js'
import { waitFor } from './helpers/wait-for.js'
import { connectReader, type Reader } from './helpers/ws-client.js'

/** How often to ask /readyz while waiting for the bus to come back. */
const READY_POLL_MS = 100

describe('a Redis restart mid-stream', () => {
  let redis: PrivateRedis
  let a: TestServer
  let b: TestServer
  const readers: Reader[] = []
  beforeAll(async () => {
    redis = new PrivateRedis(await freePort())
    await redis.start()
    a = await startServer({ redis: redis.url, busPrefix: 'outage:', limits: { headCheckIntervalMs: 300 } })
    b = await startServer({ redis: redis.url, busPrefix: 'outage:', limits: { headCheckIntervalMs: 300 } })
  })
  afterAll(async () => {
    for (const r of readers) r.close()
    await a?.stop()
    await b?.stop()
    await redis?.stop()
  })

  it('keeps accepting posts, reports not ready, and no reader on any instance loses an update', async () => {
    const editor = await keyFor(a.admin, 'editor')
    const story = await makeStory(editor)
    const crowd = await Promise.all(
      Array.from({ length: 10 }, (_, i) => connectReader(i % 2 ? b.wsUrl : a.wsUrl)),
    )
    readers.push(...crowd)
    await Promise.all(crowd.map((r) => r.subscribe(story.id)))

    let seq = 0
    const post = async () => {
      const res = await editor.post(`/v1/stories/${story.id}/updates`, textUpdate(`u${++seq}`))
      expect(res.status).toBe(201)
    }
    for (let i = 0; i < 10; i++) await post()

    await redis.stop()
    for (let i = 0; i < 10; i++) await post() // Redis is down: the posts still persist
    const notReady = await a.api().get('/readyz')
    expect(notReady.status).toBe(503)
    expect(notReady.body.error).toMatchObject({
      code: 'unavailable',
      details: { database: 'ok', bus: 'down' },
    })

    await redis.start()
    for (let i = 0; i < 10; i++) await post()

    await Promise.all(
      crowd.map((r) => r.waitFor((x) => x.events(story.id).length >= 30, 15_000, '30 events')),
    )
    // One more: events of a story arrive in order, so a duplicate of the first 30 would land before it.
    await post()
    await Promise.all(crowd.map((r) => r.waitFor((x) => x.seqs(story.id).includes(31), 15_000, 'seq 31')))
    for (const r of crowd) expect(r.seqs(story.id)).toEqual(range(1, 31))

    await waitFor('ready again', async () => (await a.api().get('/readyz')).status === 200, {
      intervalMs: READY_POLL_MS,
    })
    const metrics = (await b.api().get('/metrics')).body as string
    expect(metrics).toMatch(/liveline_bus_reconnects_total [1-9]/)
  })

  it('catches a lost last message with the periodic head check', async () => {
    const editor = await keyFor(a.admin, 'editor')
    const story = await makeStory(editor)
    const r = await connectReader(b.wsUrl)
    readers.push(r)
    await r.subscribe(story.id)
    await redis.stop()
    await editor.post(
      `/v1/stories/${story.id}/updates`,
      textUpdate('the only update, published while Redis is down'),
    )
    // No later message will reveal the gap: only the head check can find it.
    await r.waitFor((x) => x.events(story.id).length === 1, 5000)
    expect(r.seqs(story.id)).toEqual([1])
    await redis.start()
  })
})
