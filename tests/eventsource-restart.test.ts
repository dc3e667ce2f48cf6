import { randomBytes } from 'node:crypto'
import { EventSource } from 'eventsource'
import { afterAll, describe, expect, it } from 'vitest'
import { Api, keyFor, makeStory, range, textUpdate } from './helpers/api.js'
import { provided } from './helpers/provided.js'
import { startServer, type TestServer } from './helpers/server.js'
import { TcpProxy } from './helpers/tcp-proxy.js'
import { waitFor } from './helpers/wait-for.js'

/** Where the EventSource thinks it connects; the load balancer below picks a real instance. */
const FRONT = 'http://liveline.test'
/** Asked of EventSource between reconnects, so the test rides out restarts quickly. */
const STREAM_RETRY_MS = 100
/** A post every this often for the whole test, through whichever instance is up. */
const POST_EVERY_MS = 40
/** Events to receive from each instance generation before the next restart. */
const EVENTS_PER_STEP = 10
/** In-flight requests' grace on shutdown, as in production (src/main.ts). */
const DRAIN_GRACE_MS = 8000

const running: TestServer[] = []
afterAll(async () => {
  for (const s of running) await s.stop()
})

describe('an EventSource partner (the eventsource package)', () => {
  it('follows through two instances restarting one after the other: every event once, in order', async () => {
    // Same database, one shared Redis under a prefix private to this test.
    const busPrefix = `liveline-test:${provided('runId')}:es-${randomBytes(4).toString('hex')}:`
    const start = async () => {
      const s = await startServer({ redis: true, busPrefix, limits: { streamRetryMs: STREAM_RETRY_MS } })
      running.push(s)
      return s
    }
    const instances = [await start(), await start()]
    const editorOnFirst = await keyFor(instances[0]!.admin, 'editor')
    const story = await makeStory(editorOnFirst)

    // A sticky load balancer: keeps sending a client to the same instance (so a stream that
    // reconnects may meet the instance while it drains) and moves on only when it refuses.
    let target = 0
    const balancedFetch = async (input: string | URL | Request, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input).replace(
        FRONT,
        instances[target % 2]!.url,
      )
      try {
        return await fetch(url, init)
      } catch (err) {
        target++
        throw err
      }
    }
    const seqs: number[] = []
    const es = new EventSource(`${FRONT}/v1/stories/${story.id}/stream`, { fetch: balancedFetch })
    es.addEventListener('update.created', (e) => seqs.push(Number(e.lastEventId)))
    await new Promise<void>((resolve, reject) => {
      es.onopen = () => resolve()
      es.onerror = (e) => reject(new Error(`first connect failed: ${e.message}`))
    })
    es.onerror = () => {}

    let posting = true
    let posted = 0
    const poster = (async () => {
      let via = 0
      while (posting) {
        const editor = new Api(instances[via % 2]!.url, editorOnFirst.key)
        const ok = await editor
          .post(`/v1/stories/${story.id}/updates`, textUpdate(`post ${posted + 1}`))
          .then(
            (r) => r.status === 201,
            () => false,
          )
        if (ok) posted++
        else via++
        await new Promise((r) => setTimeout(r, POST_EVERY_MS))
      }
    })()

    const following = (what: string) =>
      waitFor(what, () => es.readyState !== EventSource.CLOSED && seqs.length >= posted - 1 && posted > 0, {
        timeoutMs: 15_000,
        state: () => `readyState ${es.readyState}, received ${seqs.length}, posted ${posted}`,
      })
    for (const i of [0, 1]) {
      const before = seqs.length
      await waitFor(`${EVENTS_PER_STEP} more events`, () => seqs.length >= before + EVENTS_PER_STEP, {
        timeoutMs: 15_000,
        state: () => `readyState ${es.readyState}, received ${seqs.length}`,
      })
      // Deploy: the old instance drains and stops (with production's grace for in-flight
      // requests), a new one takes its place.
      await instances[i]!.app.close({ httpGraceMs: DRAIN_GRACE_MS })
      instances[i] = await start()
      await following(`the stream to catch up after restarting instance ${i}`)
    }
    const before = seqs.length
    await waitFor('events from the new instances', () => seqs.length >= before + EVENTS_PER_STEP, {
      timeoutMs: 15_000,
    })
    posting = false
    await poster
    // A post cut off by a restart may have been written all the same: the story's seq is the truth.
    const head = (await new Api(instances[0]!.url, editorOnFirst.key).get(`/v1/stories/${story.id}`)).body
      .seq as number
    expect(head).toBeGreaterThanOrEqual(posted)
    await waitFor('every event of the story', () => seqs.length >= head, {
      timeoutMs: 15_000,
      state: () => `readyState ${es.readyState}, received ${seqs.length}, head ${head}`,
    })
    expect(es.readyState).not.toBe(EventSource.CLOSED)
    es.close()
    expect(seqs).toEqual(range(1, head))
  }, 90_000)
})

describe('an EventSource partner while the database is down', () => {
  it('keeps retrying (a 200 stream with retry: that ends), follows once it is back; 404 stays final', async () => {
    const real = new URL(provided('databaseUrl'))
    const proxy = new TcpProxy(real.hostname, Number(real.port || 5432))
    const viaProxy = new URL(real)
    viaProxy.host = `127.0.0.1:${await proxy.start()}`
    const server = await startServer({
      databaseUrl: viaProxy.toString(),
      limits: { streamRetryMs: STREAM_RETRY_MS },
    })
    running.push(server)
    try {
      const editor = await keyFor(server.admin, 'editor')
      const story = await makeStory(editor)
      await proxy.cut()

      const raw = await fetch(`${server.url}/v1/stories/${story.id}/stream`)
      expect(raw.status).toBe(200)
      expect(raw.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
      expect(await raw.text()).toMatch(new RegExp(`^retry: ${STREAM_RETRY_MS}\n\n: closing: .*\n\n$`))

      let errors = 0
      const seqs: number[] = []
      const es = new EventSource(`${server.url}/v1/stories/${story.id}/stream`)
      es.onerror = () => errors++
      es.addEventListener('update.created', (e) => seqs.push(Number(e.lastEventId)))
      await waitFor('a few retries while the database is down', () => errors >= 3)
      expect(es.readyState).not.toBe(EventSource.CLOSED)
      await proxy.restore()
      await waitFor('the stream to open', () => es.readyState === EventSource.OPEN, { timeoutMs: 10_000 })
      expect((await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('back'))).status).toBe(201)
      await waitFor('the event after the outage', () => seqs.includes(1))
      es.close()

      const missing = new EventSource(`${server.url}/v1/stories/no-such-story/stream`)
      await new Promise<void>((resolve) => {
        missing.onerror = () => resolve()
      })
      expect(missing.readyState).toBe(EventSource.CLOSED)
    } finally {
      await server.stop()
      await proxy.cut()
    }
  }, 60_000)
})
