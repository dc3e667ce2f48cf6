import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keyFor, makeStory } from './helpers/api.js'
import { startServer, type TestServer } from './helpers/server.js'
import { openStream, type SseReader } from './helpers/sse-client.js'
import { waitFor } from './helpers/wait-for.js'
import { connectReader, type Reader } from './helpers/ws-client.js'

const lastCount = (r: Reader) => r.presence.at(-1)?.readers as number | undefined

describe('presence: live reader counts across instances', () => {
  let a: TestServer
  let b: TestServer
  const readers: Reader[] = []
  const streams: SseReader[] = []
  const limits = { presenceIntervalMs: 200, presenceExpiryMs: 1500 }
  beforeAll(async () => {
    const busPrefix = `liveline-test:${randomBytes(6).toString('hex')}:`
    a = await startServer({ redis: true, busPrefix, limits })
    b = await startServer({ redis: true, busPrefix, limits })
  })
  afterAll(async () => {
    for (const r of readers) r.close()
    for (const s of streams) s.close()
    await Promise.all([a.stop(), b.stop()])
  })

  it('counts websocket and SSE readers on every instance, and falls when they leave', async () => {
    const editor = await keyFor(a.admin, 'editor')
    const story = await makeStory(editor, { status: 'live' })
    const onA = await connectReader(a.wsUrl)
    readers.push(onA)
    await onA.subscribe(story.id)
    await waitFor('the joining reader to be told the count', () => lastCount(onA) === 1)
    const onB = await connectReader(b.wsUrl)
    readers.push(onB)
    await onB.subscribe(story.slug)
    const stream = await openStream(b.url, story.id)
    streams.push(stream)
    await waitFor('3 readers, told on A', () => lastCount(onA) === 3)
    await waitFor('3 readers, told on B', () => lastCount(onB) === 3)
    await waitFor('3 readers, told to the stream', () => stream.presence.at(-1) === 3)
    expect((await a.api().get(`/v1/stories/${story.id}/presence`)).body.readers).toBe(3)
    expect(stream.events.some((e) => e.event === 'presence')).toBe(false) // kept apart from the log
    stream.close()
    await waitFor('the count to fall when the stream leaves', () => lastCount(onA) === 2)
    onB.close()
    await waitFor('the count to fall when a websocket leaves', () => lastCount(onA) === 1)
    const answer = await b.api().get(`/v1/stories/${story.slug}/presence`)
    expect(answer.body.readers).toBe(1)
    expect(Number.isNaN(Date.parse(answer.body.at))).toBe(false)
  })

  it('tells every reader of a story its new count when the counts go out a chunk at a time', async () => {
    // fanoutChunk 2: the heartbeat sends owed counts to two connections per turn of the event loop.
    const c = await startServer({ redis: true, limits: { ...limits, fanoutChunk: 2 } })
    try {
      const editor = await keyFor(c.admin, 'editor')
      const story = await makeStory(editor, { status: 'live' })
      const mine: Reader[] = []
      for (let i = 0; i < 16; i++) {
        const r = await connectReader(c.wsUrl)
        mine.push(r)
        await r.subscribe(story.id)
      }
      await waitFor('all 16 readers told 16', () => mine.every((r) => lastCount(r) === 16))
      const stream = await openStream(c.url, story.id)
      // Within a heartbeat tick (1 s) of the count changing, not one tick per chunk of two (8 s).
      await waitFor(
        'all 16 readers told 17 when a stream joins',
        () => mine.every((r) => lastCount(r) === 17),
        {
          timeoutMs: 3000,
        },
      )
      stream.close()
      for (const r of mine) r.close()
    } finally {
      await c.stop()
    }
  })

  it('drops an instance that stops reporting out of the count within the expiry', async () => {
    const busPrefix = `liveline-test:${randomBytes(6).toString('hex')}:`
    const c = await startServer({ redis: true, busPrefix, limits })
    const d = await startServer({ redis: true, busPrefix, limits })
    try {
      const editor = await keyFor(c.admin, 'editor')
      const story = await makeStory(editor, { status: 'live' })
      const onC = await connectReader(c.wsUrl)
      const onD = await connectReader(d.wsUrl)
      readers.push(onC, onD)
      await onC.subscribe(story.id)
      await onD.subscribe(story.id)
      await waitFor('2 readers on C', () => lastCount(onC) === 2)
      // D goes silent with its reader still connected, as a process that hangs or dies would.
      d.app.presence.close()
      await waitFor('D to drop out of the count', () => lastCount(onC) === 1, { timeoutMs: 5000 })
    } finally {
      await Promise.all([c.stop(), d.stop()])
    }
  })

  it('answers 404 for the presence of a story it may not see', async () => {
    const editor = await keyFor(a.admin, 'editor')
    const draft = await makeStory(editor, { status: 'draft' })
    expect((await a.api().get(`/v1/stories/${draft.id}/presence`)).status).toBe(404)
  })
})
