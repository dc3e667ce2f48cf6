import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keyFor, makeStory, textUpdate } from './helpers/api.js'
import { provided } from './helpers/provided.js'
import { startServer, type TestServer } from './helpers/server.js'
import { TcpProxy } from './helpers/tcp-proxy.js'
import { connectReader, type Reader } from './helpers/ws-client.js'

/**
 * Subscribe first, then read the head, on every (re)subscribe: an event committed while the
 * bus's SUBSCRIBE is still on its way is found by that read, not by the next periodic head
 * check. The instance reaches Redis through a proxy that can hold SUBSCRIBE back, so "on its
 * way" lasts long enough to post into; the periodic check is made too slow to hide a miss.
 */
const SUBSCRIBE_HELD_MS = 1500
/** Far beyond the test: only the read after the subscribe can deliver in time. */
const HEAD_CHECK_MS = 120_000
/** Prompt: the held SUBSCRIBE plus a read of the log, with room for a loaded machine. */
const PROMPTLY_MS = SUBSCRIBE_HELD_MS + 6000

describe('the bus resubscribing after Redis comes back', () => {
  let proxy: TcpProxy
  let server: TestServer
  const readers: Reader[] = []
  beforeAll(async () => {
    const redis = new URL(provided('redisUrl'))
    proxy = new TcpProxy(redis.hostname, Number(redis.port) || 6379)
    await proxy.start()
    server = await startServer({
      redis: `redis://127.0.0.1:${proxy.port}`,
      limits: { headCheckIntervalMs: HEAD_CHECK_MS },
    })
  })
  afterAll(async () => {
    for (const r of readers) r.close()
    await server?.stop()
    await proxy?.cut()
  })

  it('delivers a post that lands between the reconnect and the confirmed resubscribe, promptly', async () => {
    const editor = await keyFor(server.admin, 'editor')
    const story = await makeStory(editor)
    const reader = await connectReader(server.wsUrl)
    readers.push(reader)
    await reader.subscribe(story.id)
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('before'))
    await reader.waitFor((r) => r.seqs(story.id).includes(1), 5000, 'seq 1')

    // The connection drops; when it is back, its SUBSCRIBE takes a while to reach Redis, and a
    // post is committed (and published, to no one here) in that while.
    const between: { post?: ReturnType<typeof editor.post> } = {}
    proxy.holdClientData({
      match: /subscribe/i,
      ms: SUBSCRIBE_HELD_MS,
      onHeld: () => {
        between.post ??= editor.post(`/v1/stories/${story.id}/updates`, textUpdate('in between'))
      },
    })
    await proxy.cut()
    await proxy.restore()
    await expect.poll(() => between.post !== undefined, { timeout: 15_000 }).toBe(true)
    expect((await between.post)?.status).toBe(201)
    await reader.waitFor((r) => r.seqs(story.id).includes(2), PROMPTLY_MS, 'seq 2, promptly')
    expect(reader.seqs(story.id)).toEqual([1, 2])
    proxy.holdClientData(null)
  })

  it('reads the head again when a first subscribe was confirmed only after it stopped waiting', async () => {
    const editor = await keyFor(server.admin, 'editor')
    const story = await makeStory(editor)
    // Longer than the bus waits for a SUBSCRIBE (5 s): the channel reads the head without it.
    proxy.holdClientData({ match: /subscribe/i, ms: 6500 })
    const reader = await connectReader(server.wsUrl)
    readers.push(reader)
    const subscribed = await reader.subscribe(story.id).then(
      (f) => f,
      () => reader.waitForFrame('subscribed', 10_000),
    )
    expect(subscribed.seq).toBe(0)
    proxy.holdClientData(null)
    const posted = await editor.post(
      `/v1/stories/${story.id}/updates`,
      textUpdate('before the subscribe landed'),
    )
    expect(posted.status).toBe(201)
    await reader.waitFor((r) => r.seqs(story.id).includes(1), PROMPTLY_MS, 'seq 1, promptly')
    expect(reader.seqs(story.id)).toEqual([1])
  })
})
