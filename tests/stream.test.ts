import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, keyFor, makeStory, range, textUpdate } from './helpers/api.js'
import { startServer, type TestServer } from './helpers/server.js'
import { openStream, type SseReader } from './helpers/sse-client.js'
import { waitFor } from './helpers/wait-for.js'
import { connectReader } from './helpers/ws-client.js'

/** How often to read /metrics while waiting for a counter. */
const METRICS_POLL_MS = 100

let server: TestServer
let editor: Api
const open: SseReader[] = []
const stream = async (...args: Parameters<typeof openStream>) => {
  const r = await openStream(...args)
  open.push(r)
  return r
}
const post = (story: string, text: string) => editor.post(`/v1/stories/${story}/updates`, textUpdate(text))

beforeAll(async () => {
  server = await startServer({ limits: { replayLimit: 20, fanoutChunk: 7 } })
  editor = await keyFor(server.admin, 'editor')
})
afterAll(async () => {
  for (const r of open) r.close()
  await server.stop()
})

describe('server-sent events', () => {
  it('streams each event as id: <seq>, event: <type>, data: <Event JSON>', async () => {
    const story = await makeStory(editor)
    const r = await stream(server.url, story.slug)
    expect(r.status).toBe(200)
    expect(r.headers['content-type']).toBe('text/event-stream; charset=utf-8')
    expect(r.headers['cache-control']).toContain('no-cache')
    await r.live()
    const created = await post(story.id, 'first <b>bold</b>')
    const updateId = created.body.id as string
    await editor.patch(`/v1/stories/${story.id}/updates/${updateId}`, textUpdate('edited'))
    await editor.delete(`/v1/stories/${story.id}/updates/${updateId}`)
    await r.waitFor((x) => x.events.length === 3, 5000, 'three events')
    expect(r.events.map((e) => [e.id, e.event])).toEqual([
      ['1', 'update.created'],
      ['2', 'update.edited'],
      ['3', 'update.deleted'],
    ])
    const first = JSON.parse(r.events[0]!.data)
    expect(first).toMatchObject({ story: story.id, seq: 1, type: 'update.created', update: { id: updateId } })
    expect(first.lastUpdateAt).toMatch(/Z$/)
    // The same bytes the events endpoint serves.
    const log = await server.api().get(`/v1/stories/${story.id}/events`)
    expect(r.events.map((e) => JSON.parse(e.data))).toEqual(log.body.events)
  })

  it('resumes with Last-Event-ID after a reconnect: what was missed, then live, no gap, no duplicate', async () => {
    const story = await makeStory(editor)
    const first = await stream(server.url, story.id)
    await first.live()
    for (const i of range(1, 3)) await post(story.id, `before ${i}`)
    await first.waitFor((x) => x.events.length === 3)
    const lastId = first.events.at(-1)!.id as string
    first.close()
    for (const i of range(4, 7)) await post(story.id, `while away ${i}`)
    const again = await stream(server.url, story.id, { headers: { 'Last-Event-ID': lastId } })
    await again.live()
    await post(story.id, 'live again')
    await again.waitFor((x) => x.seqs().includes(8))
    expect(again.seqs()).toEqual(range(4, 8))
  })

  it('resumes from ?since=, and Last-Event-ID wins over it', async () => {
    const story = await makeStory(editor)
    for (const i of range(1, 5)) await post(story.id, `u${i}`)
    const bySince = await stream(server.url, story.id, { query: '?since=2' })
    await bySince.waitFor((x) => x.events.length === 3)
    expect(bySince.seqs()).toEqual([3, 4, 5])
    const both = await stream(server.url, story.id, { query: '?since=0', headers: { 'Last-Event-ID': '4' } })
    await both.waitFor((x) => x.events.length === 1)
    expect(both.seqs()).toEqual([5])
    // Without either, the stream starts at the head: only what comes next.
    const fresh = await stream(server.url, story.id)
    await fresh.live()
    await post(story.id, 'next')
    await fresh.waitFor((x) => x.events.length === 1)
    expect(fresh.seqs()).toEqual([6])
  })

  it('hands off from replay to live without a gap or duplicate while updates keep coming', async () => {
    const story = await makeStory(editor)
    for (const i of range(1, 10)) await post(story.id, `early ${i}`)
    const posting = Promise.all(range(11, 40).map((i) => post(story.id, `burst ${i}`)))
    const readers = await Promise.all(
      [0, 3, 7, 10].map((since) => stream(server.url, story.id, { query: `?since=${since}` })),
    )
    await posting
    for (const [i, r] of readers.entries()) {
      const since = [0, 3, 7, 10][i]!
      await r.waitFor((x) => x.seqs().at(-1) === 40, 10_000, 'seq 40')
      expect(r.seqs()).toEqual(range(since + 1, 40))
    }
  })

  it('feeds websocket readers and stream readers from the same fan-out', async () => {
    const story = await makeStory(editor)
    const ws = await connectReader(server.wsUrl)
    try {
      await ws.subscribe(story.id)
      const sse = await stream(server.url, story.id)
      await sse.live()
      const metrics = await server.api().get('/metrics')
      expect(metrics.body).toMatch(/liveline_sse_streams [1-9]/)
      for (const i of range(1, 10)) await post(story.id, `both ${i}`)
      await sse.waitFor((x) => x.events.length === 10)
      await ws.waitFor((x) => x.seqs(story.id).length === 10)
      expect(sse.storyEvents()).toEqual(ws.events(story.id))
    } finally {
      ws.close()
    }
  })

  it('answers errors in the contract shape before streaming anything', async () => {
    const story = await makeStory(editor)
    await post(story.id, 'one')
    const cases: Array<[string, Record<string, string>, string, number, string]> = [
      ['no-such-story', {}, '', 404, 'not_found'],
      [story.id, {}, '?since=abc', 400, 'invalid_request'],
      [story.id, { 'Last-Event-ID': 'x1' }, '', 400, 'invalid_request'],
      [story.id, {}, '?since=5', 400, 'invalid_request'],
    ]
    for (const [ref, headers, query, status, code] of cases) {
      const r = await stream(server.url, ref, { headers, query })
      await r.waitFor((x) => x.ended, 5000, 'the error body')
      expect(r.status, `${ref}${query} ${JSON.stringify(headers)}`).toBe(status)
      expect(JSON.parse(r.errorBody).error.code).toBe(code)
    }
  })

  it('keeps drafts from public readers and ends a public stream when its story goes back to draft', async () => {
    const draft = await makeStory(editor, { status: 'draft' })
    const refused = await stream(server.url, draft.id)
    await refused.waitFor((x) => x.ended)
    expect(refused.status).toBe(404)
    const asEditor = await stream(server.url, draft.id, {
      headers: { Authorization: `Bearer ${editor.key}` },
    })
    expect(asEditor.status).toBe(200)

    const story = await makeStory(editor)
    const pub = await stream(server.url, story.id)
    await pub.live()
    await editor.patch(`/v1/stories/${story.id}`, { status: 'draft' })
    await pub.waitFor((x) => x.ended, 5000, 'the stream to end')
    expect(pub.events.some((e) => e.event === 'update.created')).toBe(false)
  })
})

describe('server-sent events: limits and shutdown', () => {
  it('sends a reset with the head as its id to a reader too far behind, then goes on live', async () => {
    const story = await makeStory(editor)
    for (const i of range(1, 25)) await post(story.id, `old ${i}`) // replay limit is 20
    const r = await stream(server.url, story.id, { query: '?since=1' })
    await r.live()
    expect(r.events).toEqual([
      { id: '25', event: 'reset', data: JSON.stringify({ type: 'reset', story: story.id, seq: 25 }) },
    ])
    await post(story.id, 'after the reset')
    await r.waitFor((x) => x.seqs().length === 1)
    expect(r.seqs()).toEqual([26])
  })

  it('pings quiet streams with comment lines', async () => {
    const own = await startServer({ limits: { streamPingIntervalMs: 100 } })
    try {
      const ed = await keyFor(own.admin, 'editor')
      const story = await makeStory(ed)
      const r = await stream(own.url, story.id)
      await r.waitFor((x) => x.comments.filter((c) => c === 'ping').length >= 2, 3000, 'two pings')
    } finally {
      await own.stop()
    }
  })

  it('cuts off a reader too slow to take its events instead of buffering without bound', async () => {
    const own = await startServer({ limits: { maxBufferedBytes: 64 * 1024 } })
    try {
      const ed = await keyFor(own.admin, 'editor')
      const story = await makeStory(ed)
      const slow = await stream(own.url, story.id)
      await slow.live()
      slow.response!.socket.pause()
      const big = Array.from({ length: 10 }, () => ({ type: 'text', text: 'x'.repeat(9000) }))
      for (let i = 0; i < 60; i++) await ed.post(`/v1/stories/${story.id}/updates`, { blocks: big })
      const metrics = async () => (await own.api().get('/metrics')).body as string
      await waitFor(
        'the slow reader counted as disconnected',
        async () => expect(await metrics()).toMatch(/liveline_slow_reader_disconnects_total 1/),
        { timeoutMs: 10_000, intervalMs: METRICS_POLL_MS },
      )
      expect(await metrics()).toMatch(/liveline_sse_streams 0/)
      slow.response!.socket.resume()
      await slow.waitFor((x) => x.ended, 10_000, 'the stream to end')
      // What it did get is a gapless prefix: it resumes from its last id.
      expect(slow.seqs()).toEqual(range(1, slow.seqs().length))
    } finally {
      await own.stop()
    }
  })

  it('ends every stream on shutdown so EventSource clients reconnect elsewhere', async () => {
    const own = await startServer()
    const ed = await keyFor(own.admin, 'editor')
    const story = await makeStory(ed)
    const r = await stream(own.url, story.id)
    await r.live()
    const started = Date.now()
    await own.stop()
    await r.waitFor((x) => x.ended, 5000, 'the stream to end')
    expect(Date.now() - started).toBeLessThan(5000)
    expect(r.comments.some((c) => c.includes('server restarting'))).toBe(true)
  })
})
