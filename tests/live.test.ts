import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, keyFor, makeStory, range, textUpdate } from './helpers/api.js'
import { startServer, type TestServer } from './helpers/server.js'
import { waitFor } from './helpers/wait-for.js'
import { connectReader, type Reader } from './helpers/ws-client.js'

let server: TestServer
let editor: Api
let editorKey: string
const readers: Reader[] = []
const reader = async (key?: string) => {
  const r = await connectReader(server.wsUrl, key ? { key } : {})
  readers.push(r)
  return r
}

beforeAll(async () => {
  // Tiny fan-out chunks: delivery to the crowds below crosses many event-loop turns.
  server = await startServer({ limits: { replayLimit: 20, fanoutChunk: 7 } })
  editor = await keyFor(server.admin, 'editor')
  editorKey = editor.key as string
})
afterAll(async () => {
  for (const r of readers) r.close()
  await server.stop()
})

/**
 * Asserts `r`, unsubscribed from `story` up to `head`, got none of its events: it subscribes again
 * from `head` and waits for one more update, which arrives after any earlier event would have
 * (events of a story reach a connection in order).
 */
async function expectOnlyAfter(r: Reader, story: string, head: number) {
  expect((await r.subscribe(story, head)).type).toBe('subscribed')
  await editor.post(`/v1/stories/${story}/updates`, textUpdate('marker'))
  await r.waitFor((x) => x.seqs(story).includes(head + 1), 5000, `seq ${head + 1}`)
  expect(r.seqs(story)).toEqual([head + 1])
}

describe('live websocket', () => {
  it('answers subscribe with the head and pushes each update at once with its lastUpdateAt stamp', async () => {
    const story = await makeStory(editor)
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('before'))
    const r = await reader()
    const subscribed = await r.subscribe(story.slug)
    expect(subscribed).toEqual({
      type: 'subscribed',
      story: story.id,
      seq: 1,
      lastUpdateAt: expect.stringMatching(/Z$/),
      serverTime: expect.stringMatching(/Z$/),
    })
    const posted = await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('live one'))
    await r.waitFor((x) => x.events(story.id).length === 1)
    const [event] = r.events(story.id)
    const logged = (await server.api().get(`/v1/stories/${story.id}/events?since=1`)).body.events[0]
    expect(event).toEqual(logged)
    expect(event).toMatchObject({
      seq: 2,
      type: 'update.created',
      lastUpdateAt: posted.body.publishedAt,
      update: posted.body,
    })
  })

  it('replays what a reader missed with since, then goes live: no gap, no duplicate', async () => {
    const story = await makeStory(editor)
    for (let i = 1; i <= 5; i++) await editor.post(`/v1/stories/${story.id}/updates`, textUpdate(`u${i}`))
    const r = await reader()
    expect((await r.subscribe(story.id, 2)).seq).toBe(5)
    await r.waitFor((x) => x.events(story.id).length === 3)
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('u6'))
    await r.waitFor((x) => x.events(story.id).length === 4)
    expect(r.seqs(story.id)).toEqual([3, 4, 5, 6])
    const kinds = r.frames
      .filter((f) => f.story === story.id || f.event?.story === story.id)
      .map((f) => f.type)
    expect(kinds).toEqual(['subscribed', 'event', 'event', 'event', 'event'])
  })

  it('hands off from replay to live without a gap or duplicate while editors keep posting', async () => {
    const story = await makeStory(editor)
    const posting = (async () => {
      for (let i = 1; i <= 30; i++) await editor.post(`/v1/stories/${story.id}/updates`, textUpdate(`u${i}`))
    })()
    // Subscribe while the posts go on: replay and live overlap.
    await waitFor(
      'posting under way',
      async () => (await editor.get(`/v1/stories/${story.id}`)).body.seq >= 3,
    )
    const late = await reader()
    await late.subscribe(story.id, 0)
    await posting
    await late.waitFor((x) => x.seqs(story.id).at(-1) === 30, 10_000)
    expect(late.seqs(story.id)).toEqual(range(1, 30))
  })

  it('sends reset when more than the replay limit lies after since, and the reader can resume from its head', async () => {
    const story = await makeStory(editor)
    for (let i = 1; i <= 25; i++) await editor.post(`/v1/stories/${story.id}/updates`, textUpdate(`u${i}`))
    const r = await reader()
    expect(await r.subscribe(story.id, 1)).toEqual({ type: 'reset', story: story.id, seq: 25 })
    expect(r.events(story.id)).toEqual([])
    expect((await r.subscribe(story.id, 25)).type).toBe('subscribed')
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('after reset'))
    await r.waitFor((x) => x.seqs(story.id).length === 1)
    expect(r.seqs(story.id)).toEqual([26])
  })

  it('stops sending after unsubscribe', async () => {
    const story = await makeStory(editor)
    const r = await reader()
    await r.subscribe(story.id)
    r.send({ type: 'unsubscribe', story: story.slug })
    expect(await r.waitForFrame('unsubscribed')).toEqual({ type: 'unsubscribed', story: story.id })
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('not for you'))
    await expectOnlyAfter(r, story.id, 1)
  })

  it('handles a subscribe and an unsubscribe sent back to back in order', async () => {
    const story = await makeStory(editor)
    const r = await reader()
    r.send({ type: 'subscribe', story: story.id })
    r.send({ type: 'unsubscribe', story: story.id })
    await r.waitForFrame('unsubscribed')
    expect(r.frames.map((f) => f.type)).toEqual(['subscribed', 'unsubscribed'])
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('after unsubscribe'))
    await expectOnlyAfter(r, story.id, 1)
  })

  it('answers bad frames with an error and keeps the connection open', async () => {
    const story = await makeStory(editor)
    const r = await reader()
    r.send('not json')
    r.send({ type: 'subscribe' })
    r.send({ type: 'subscribe', story: story.id, since: -3 })
    r.send({ type: 'dance' })
    await r.waitFor((x) => x.frames.filter((f) => f.type === 'error').length === 4)
    expect(r.frames.map((f) => f.code)).toEqual(['bad_request', 'bad_request', 'bad_request', 'bad_request'])
    expect(r.frames.every((f) => typeof f.message === 'string')).toBe(true)
    expect((await r.subscribe(story.id)).type).toBe('subscribed')
  })

  it('refuses unknown stories and drafts for readers without an editor key', async () => {
    const draft = await makeStory(editor, { status: 'draft' })
    const r = await reader()
    expect(await r.subscribe('no-such-story')).toMatchObject({
      type: 'error',
      code: 'not_found',
      story: 'no-such-story',
    })
    expect(await r.subscribe(draft.id)).toMatchObject({ type: 'error', code: 'not_found' })
    const e = await reader(editorKey)
    expect((await e.subscribe(draft.id)).type).toBe('subscribed')
  })

  it('drops public readers with forbidden when a story goes back to draft, keeping editors', async () => {
    const story = await makeStory(editor)
    const pub = await reader()
    const ed = await reader(editorKey)
    await pub.subscribe(story.id)
    await ed.subscribe(story.id)
    await editor.patch(`/v1/stories/${story.id}`, { status: 'draft' })
    await pub.waitForFrame('error')
    expect(pub.frames.find((f) => f.type === 'error')).toMatchObject({ code: 'forbidden', story: story.id })
    await ed.waitFor((x) => x.events(story.id).length === 1)
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('internal'))
    await ed.waitFor((x) => x.events(story.id).length === 2)
    expect(pub.events(story.id)).toEqual([])
  })

  it('refuses the websocket upgrade for a bad key with 401 in the error shape', async () => {
    const err = (await connectReader(server.wsUrl, { key: 'll_wrong' }).catch((e) => e)) as {
      status: number
      body: string
    }
    expect(err.status).toBe(401)
    expect(JSON.parse(err.body).error.code).toBe('unauthorized')
    const viaHeader = await connectReader(server.wsUrl, { headers: { Authorization: `Bearer ${editorKey}` } })
    readers.push(viaHeader)
    expect(viaHeader.ws.readyState).toBe(1)
  })

  it('delivers 30 updates to 50 readers exactly once each, in order', async () => {
    const story = await makeStory(editor)
    const crowd = await Promise.all(Array.from({ length: 50 }, () => reader()))
    await Promise.all(crowd.map((r) => r.subscribe(story.id)))
    for (let i = 1; i <= 30; i++)
      await editor.post(`/v1/stories/${story.id}/updates`, textUpdate(`update ${i}`))
    await Promise.all(crowd.map((r) => r.waitFor((x) => x.events(story.id).length >= 30, 10_000)))
    // One more: events of a story arrive in order, so a duplicate of the first 30 would land before it.
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('marker'))
    await Promise.all(crowd.map((r) => r.waitFor((x) => x.seqs(story.id).includes(31), 10_000, 'seq 31')))
    for (const r of crowd) expect(r.seqs(story.id)).toEqual(range(1, 31))
  })
})

describe('bursts on many stories at once (events that queue go to a reader together)', () => {
  it('gives every reader of 12 stories each story’s events once, in order, while posts arrive in parallel', async () => {
    const stories = await Promise.all(Array.from({ length: 12 }, () => makeStory(editor)))
    const crowd = await Promise.all(Array.from({ length: 20 }, () => reader()))
    for (const r of crowd) for (const s of stories) await r.subscribe(s.id)
    const perStory = 15
    // Every story's posts in waves of three at once (more would wait on the story's lock): the
    // fan-out of one event is still running when the next arrive.
    await Promise.all(
      stories.map(async (s) => {
        for (let wave = 0; wave < perStory / 3; wave++) {
          const posts = [0, 1, 2].map((i) =>
            editor.post(`/v1/stories/${s.id}/updates`, textUpdate(`burst ${wave}.${i}`)),
          )
          for (const res of await Promise.all(posts)) expect(res.status).toBe(201)
        }
      }),
    )
    await Promise.all(
      crowd.map((r) =>
        r.waitFor((x) => stories.every((s) => x.seqs(s.id).length >= perStory), 20_000, 'every burst'),
      ),
    )
    for (const r of crowd) for (const s of stories) expect(r.seqs(s.id)).toEqual(range(1, perStory))
  })
})

describe('live websocket limits', () => {
  let limited: TestServer
  beforeAll(async () => {
    limited = await startServer({
      limits: { maxSubscriptionsPerConnection: 2, framesPerSecond: 5, maxBufferedBytes: 64 * 1024 },
    })
  })
  afterAll(() => limited.stop())

  it('refuses a subscription past the per-connection limit', async () => {
    const ed = await keyFor(limited.admin, 'editor')
    const stories = await Promise.all([1, 2, 3].map(() => makeStory(ed)))
    const r = await connectReader(limited.wsUrl)
    readers.push(r)
    expect((await r.subscribe(stories[0]!.id)).type).toBe('subscribed')
    expect((await r.subscribe(stories[1]!.id)).type).toBe('subscribed')
    expect(await r.subscribe(stories[2]!.id)).toMatchObject({ type: 'error', code: 'too_many_subscriptions' })
  })

  it('rate-limits a flood of frames and closes an abusive connection with 1008', async () => {
    const r = await connectReader(limited.wsUrl)
    readers.push(r)
    for (let i = 0; i < 12; i++) r.send({ type: 'unsubscribe', story: 'x' })
    await r.waitFor((x) => x.frames.some((f) => f.code === 'rate_limited'))
    for (let i = 0; i < 60; i++) r.send('garbage')
    expect(await r.waitForClose()).toBe(1008)
  })

  it('refuses inbound frames over 16 KiB by closing with 1009', async () => {
    const r = await connectReader(limited.wsUrl)
    readers.push(r)
    r.send({ type: 'subscribe', story: 'x'.repeat(17 * 1024) })
    expect(await r.waitForClose()).toBe(1009)
  })

  it('delivers a replay larger than the slow-reader bound whole, and keeps the reader through the next live event', async () => {
    const ed = await keyFor(limited.admin, 'editor')
    const story = await makeStory(ed)
    const big = Array.from({ length: 10 }, () => ({ type: 'text', text: 'x'.repeat(9000) }))
    for (let i = 0; i < 40; i++) await ed.post(`/v1/stories/${story.id}/updates`, { blocks: big })
    const r = await connectReader(limited.wsUrl)
    readers.push(r)
    const framesDelivered = async () =>
      Number(
        /liveline_frames_delivered_total (\d+)/.exec((await limited.api().get('/metrics')).body)?.[1] ?? 0,
      )
    const before = await framesDelivered()
    const socket = (r.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket
    socket.pause() // a reader on a slow link: the whole replay (3.6 MB) queues on the server
    r.send({ type: 'subscribe', story: story.id, since: 0 })
    await waitFor('the replay to be written', async () => (await framesDelivered()) >= before + 40, {
      timeoutMs: 10_000,
    })
    await ed.post(`/v1/stories/${story.id}/updates`, textUpdate('live, after the replay'))
    await waitFor('the live event to be sent', async () => (await framesDelivered()) >= before + 41, {
      timeoutMs: 10_000,
    })
    socket.resume()
    await r.waitFor((x) => x.seqs(story.id).length === 41, 15_000, '41 events')
    expect(r.seqs(story.id)).toEqual(range(1, 41))
    expect(r.closeCode).toBeNull()
  })

  it('disconnects a reader too slow to take its frames with 1013 instead of buffering', async () => {
    const ed = await keyFor(limited.admin, 'editor')
    const story = await makeStory(ed)
    const slow = await connectReader(limited.wsUrl)
    readers.push(slow)
    await slow.subscribe(story.id)
    const socket = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket
    socket.pause()
    const big = Array.from({ length: 10 }, () => ({ type: 'text', text: 'x'.repeat(9000) }))
    for (let i = 0; i < 30; i++) await ed.post(`/v1/stories/${story.id}/updates`, { blocks: big })
    socket.resume()
    expect(await slow.waitForClose(10_000)).toBe(1013)
    const metrics = await limited.api().get('/metrics')
    expect(metrics.body).toMatch(/liveline_slow_reader_disconnects_total 1/)
  })
})

describe('heartbeat', () => {
  it('drops a connection that stops answering pings', async () => {
    const own = await startServer({ limits: { pingIntervalMs: 200 } })
    try {
      const r = await connectReader(own.wsUrl)
      readers.push(r)
      expect(own.app.live.connectionCount).toBe(1)
      ;(r.ws as unknown as { _socket: { pause(): void } })._socket.pause()
      await waitFor('the silent connection dropped', () => own.app.live.connectionCount === 0)
    } finally {
      await own.stop()
    }
  })

  it('pings readers of a busy story with their events, keeping those that answer and dropping those that do not', async () => {
    // 600 ms leaves a loaded test machine room to answer in time; 30 posts span about 4 intervals.
    const own = await startServer({ limits: { pingIntervalMs: 600 } })
    try {
      const ed = await keyFor(own.admin, 'editor')
      const story = await makeStory(ed)
      const answering = await connectReader(own.wsUrl)
      const silent = await connectReader(own.wsUrl, { autoPong: false })
      readers.push(answering, silent)
      let pings = 0
      answering.ws.on('ping', () => pings++)
      await answering.subscribe(story.id)
      await silent.subscribe(story.id)
      // 70 KB of text makes event frames past 65,535 bytes (the 64-bit length form) now and then.
      const long = Array.from({ length: 7 }, () => ({ type: 'text', text: `${'long '.repeat(1999)}end` }))
      for (let i = 1; i <= 30; i++) {
        await ed.post(`/v1/stories/${story.id}/updates`, i % 5 === 0 ? { blocks: long } : textUpdate(`u${i}`))
        await new Promise((x) => setTimeout(x, 80))
      }
      await answering.waitFor((x) => x.events(story.id).length === 30, 5000, '30 events')
      expect(answering.seqs(story.id)).toEqual(range(1, 30))
      expect(answering.events(story.id)[4].update.blocks).toEqual(long)
      expect(pings).toBeGreaterThanOrEqual(2)
      expect(await silent.waitForClose()).toBe(1006)
      expect(answering.closeCode).toBeNull()
      expect(own.app.live.connectionCount).toBe(1)
    } finally {
      await own.stop()
    }
  })
})

describe('shutdown', () => {
  it('closes every websocket with 1012 so readers reconnect elsewhere', async () => {
    const own = await startServer()
    const r = await connectReader(own.wsUrl)
    await own.stop()
    expect(await r.waitForClose()).toBe(1012)
  })
})
