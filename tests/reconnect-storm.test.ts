import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keyFor, makeStory, range, textUpdate } from './helpers/api.js'
import { startServer, type TestServer } from './helpers/server.js'
import { connectReader, type Reader } from './helpers/ws-client.js'

const STORIES = 5
const READERS_PER_STORY = 100
/** Readers come back over this long after their instance closes them, as clients with jitter do. */
const JITTER_MS = 400

async function logReads(server: TestServer): Promise<number> {
  const text = (await server.api().get('/metrics')).body as string
  const match = /^liveline_live_log_reads_total (\d+)$/m.exec(text)
  if (!match) throw new Error('liveline_live_log_reads_total is not exported')
  return Number(match[1])
}

describe('a reconnect storm onto an instance that follows none of the stories', () => {
  let a: TestServer
  let b: TestServer
  const readers: Reader[] = []
  beforeAll(async () => {
    const busPrefix = `liveline-test:${randomBytes(6).toString('hex')}:`
    // No head checks during the test: every read B makes is the storm's.
    const limits = { headCheckIntervalMs: 600_000 }
    a = await startServer({ redis: true, busPrefix, limits })
    b = await startServer({ redis: true, busPrefix, limits })
  })
  afterAll(async () => {
    for (const r of readers) r.close()
    await a.stop()
    await b.stop()
  })

  it('gives each of 500 readers every event once, in order, while posts go on, with a few log reads per story', async () => {
    const editor = b.api((await keyFor(a.admin, 'editor')).key)
    const stories = await Promise.all(
      Array.from({ length: STORIES }, () => makeStory(editor).then((s) => s.id)),
    )
    const post = (story: string, n: number) =>
      editor.post(`/v1/stories/${story}/updates`, textUpdate(`update ${n}`)).then((res) => {
        expect(res.status).toBe(201)
      })
    for (const story of stories) for (let n = 1; n <= 3; n++) await post(story, n)

    // 500 readers on A, each holding its story's first 3 events.
    const onA: Array<{ reader: Reader; story: string }> = []
    for (const story of stories)
      for (let i = 0; i < READERS_PER_STORY; i++) onA.push({ reader: await connectReader(a.wsUrl), story })
    for (const { reader } of onA) readers.push(reader)
    await Promise.all(onA.map(({ reader, story }) => reader.subscribe(story, 0)))
    await Promise.all(onA.map(({ reader, story }) => reader.waitFor((r) => r.seqs(story).length === 3)))
    const readsBefore = await logReads(b)

    // Posts go on through B the whole time.
    let posting = true
    let posted = 3
    const poster = (async () => {
      while (posting) {
        posted++
        await Promise.all(stories.map((story) => post(story, posted)))
        await new Promise((r) => setTimeout(r, 20))
      }
    })()

    // A shuts down (1012); each reader reconnects to B after a jitter, with since = its last seq.
    await new Promise((r) => setTimeout(r, 100))
    const onB = onA.map(({ reader, story }) =>
      reader.waitForClose(10_000).then(async (code) => {
        expect(code).toBe(1012)
        await new Promise((r) => setTimeout(r, Math.random() * JITTER_MS))
        const again = await connectReader(b.wsUrl)
        readers.push(again)
        const subscribed = await again.subscribe(story, reader.seqs(story).at(-1))
        expect(subscribed.type).toBe('subscribed')
        return { first: reader, again, story }
      }),
    )
    await a.stop()
    const moved = await Promise.all(onB)
    await new Promise((r) => setTimeout(r, 200))
    posting = false
    await poster

    const last = posted
    await Promise.all(
      moved.map(({ again, story }) => again.waitFor((r) => r.seqs(story).at(-1) === last, 10_000)),
    )
    for (const { first, again, story } of moved)
      expect([...first.seqs(story), ...again.seqs(story)]).toEqual(range(1, last))
    // Per story: the story lookup, its position and the ring's fill, shared by its 100 joiners.
    expect((await logReads(b)) - readsBefore).toBeLessThanOrEqual(3 * STORIES)
  })
})
