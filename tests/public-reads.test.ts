import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, keyFor, makeStory, textUpdate } from './helpers/api.js'
import { startServer, type TestServer } from './helpers/server.js'
import { waitFor } from './helpers/wait-for.js'

/** The public reads a breaking story is loaded through, by a reader without a key. */
const READS = (story: { id: string; slug: string }) => [
  `/s/${story.slug}`,
  `/s/${story.slug}/fragment`,
  `/v1/stories/${story.id}`,
  `/v1/stories/${story.id}/updates`,
  `/v1/stories/${story.slug}/updates?limit=5`,
  `/v1/stories/${story.id}/feed.atom`,
  `/v1/stories/${story.slug}/feed.json`,
]
/** The feed of every live story: it must move when any one of them does. */
const LIVE_FEED = '/v1/feed.atom'

async function read(server: TestServer, path: string) {
  const res = await fetch(`${server.url}${path}`)
  return { status: res.status, etag: res.headers.get('etag'), body: await res.text() }
}

/** Renders, and answers from memory: from the public read cache (hit) or sent as kept (ready). */
async function renders(server: TestServer): Promise<{ hit: number; render: number }> {
  const text = (await server.api().get('/metrics')).body as string
  const count = (metric: string, label: string) =>
    [...text.matchAll(new RegExp(`${metric}\\{${label}\\} (\\d+)`, 'g'))].reduce(
      (n, m) => n + Number(m[1]),
      0,
    )
  return {
    hit:
      count('liveline_public_reads_total', 'result="hit"') +
      count('liveline_ready_answers_total', 'status="\\d+"'),
    render: count('liveline_public_reads_total', 'result="render"'),
  }
}

/** Waits until the second of a change made at `changedAt` (ms) is over, with a second's margin for clocks. */
async function secondPassed(changedAt: number): Promise<void> {
  const second = (ms: number) => Math.floor(ms / 1000)
  await waitFor('the second of the change to pass', async () => second(Date.now()) > second(changedAt) + 1)
}

/** Caches every read on `on`, posts `text`, then waits until every read there has changed. */
async function expectPostShown(
  on: TestServer,
  story: { id: string; slug: string },
  editor: Api,
  text: string,
): Promise<void> {
  const paths = [...READS(story), LIVE_FEED]
  const cached = new Map<string, string>()
  for (const path of paths) cached.set(path, (await read(on, path)).body)
  await editor.post(`/v1/stories/${story.id}/updates`, textUpdate(text))
  for (const path of paths) {
    // The story JSON shows the new seq and stamp; the other reads show the update itself.
    const shows = (body: string) => path.endsWith(story.id) || body.includes(text)
    await waitFor(
      `${path} to show the post`,
      async () => {
        const now = (await read(on, path)).body
        return now !== cached.get(path) && shows(now)
      },
      { timeoutMs: 3000 },
    )
  }
}

describe('public reads, rendered once per story change', () => {
  let a: TestServer
  let b: TestServer
  let deaf: TestServer
  beforeAll(async () => {
    const busPrefix = `liveline-test:${randomBytes(6).toString('hex')}:`
    // A trust bound far longer than any test: a change must reach b through the bus hint.
    // One public origin, as behind a load balancer: pages hold absolute links.
    const publicUrl = 'https://live.example.com'
    a = await startServer({ redis: true, busPrefix, publicUrl, limits: { publicReadTrustMs: 600_000 } })
    b = await startServer({ redis: true, busPrefix, publicUrl, limits: { publicReadTrustMs: 600_000 } })
    // On a bus of its own: it never hears a hint, as when the bus loses the message.
    deaf = await startServer({ limits: { publicReadTrustMs: 300 } })
  })
  afterAll(async () => {
    await Promise.all([a.stop(), b.stop(), deaf.stop()])
  })

  it('answers repeated reads from memory, with the same ETag on every instance', async () => {
    const editor = await keyFor(a.admin, 'editor')
    const story = await makeStory(editor, { status: 'live' })
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('First report from the border'))
    for (const path of READS(story).filter((p) => !p.includes('/feed.'))) {
      const first = await read(a, path)
      const before = await renders(a)
      const again = await read(a, path)
      const after = await renders(a)
      expect(again).toEqual(first)
      expect(after.render).toBe(before.render)
      expect(after.hit).toBe(before.hit + 1)
      expect((await read(b, path)).etag).toBe(first.etag)
    }
  })

  it('shows a post on every instance within one bus message', async () => {
    const editor = await keyFor(a.admin, 'editor')
    const story = await makeStory(editor, { status: 'live' })
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('Talks are off'))
    await expectPostShown(b, story, editor, 'Talks resume in Washington')
  })

  it('shows a post within the trust bound when the bus hint is lost', async () => {
    const editor = await keyFor(a.admin, 'editor')
    const story = await makeStory(editor, { status: 'live' })
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('Before'))
    await expectPostShown(deaf, story, editor, 'After the lost hint')
  })

  it('answers the same feed validators from every instance, also for the all-live feed', async () => {
    const editor = await keyFor(a.admin, 'editor')
    const story = await makeStory(editor, { status: 'live' })
    const postedAt = Date.now()
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('On the wire'))
    const paths = ['/v1/feed.atom', '/v1/feed.json', `/v1/stories/${story.slug}/feed.rss`]
    // Read on A at once: within the change's own second, Last-Modified is given a second early,
    // and such an answer must not be kept (it would then differ from B's for as long as it is).
    for (const path of paths) await fetch(`${a.url}${path}`)
    await secondPassed(postedAt)
    for (const path of paths) {
      const [onA, onB] = await Promise.all([fetch(`${a.url}${path}`), fetch(`${b.url}${path}`)])
      expect(onB.headers.get('etag')).toBe(onA.headers.get('etag'))
      expect(onB.headers.get('last-modified')).toBe(onA.headers.get('last-modified'))
    }
  })

  it('stops serving a story from memory the moment it goes back to draft', async () => {
    const editor = await keyFor(a.admin, 'editor')
    const story = await makeStory(editor, { status: 'live' })
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('Soon withdrawn'))
    for (const path of READS(story)) expect((await read(a, path)).status).toBe(200)
    await editor.patch(`/v1/stories/${story.id}`, { status: 'draft' })
    for (const path of READS(story)) {
      await waitFor(`${path} to be gone`, async () => (await read(a, path)).status === 404, {
        timeoutMs: 3000,
      })
    }
  })
})

describe('ready answers: public reads sent again as kept, before the router', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startServer({ limits: { publicReadTrustMs: 600_000 } })
  })
  afterAll(() => server.stop())

  const ready = async () => {
    const text = (await server.api().get('/metrics')).body as string
    const counts: Record<string, number> = {}
    for (const [, status, n] of text.matchAll(/liveline_ready_answers_total\{status="(\d+)"\} (\d+)/g)) {
      counts[status as string] = Number(n)
    }
    return counts
  }

  it('answers exactly what the router answered, per coding, with a 304 for the holder, and stops at a change', async () => {
    const editor = await keyFor(server.admin, 'editor')
    const story = await makeStory(editor, { status: 'live' })
    const postedAt = Date.now()
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('Talks are off'))
    // Feeds are kept only once their Last-Modified has settled (the change's second is over).
    await secondPassed(postedAt)
    for (const path of [...READS(story), LIVE_FEED]) {
      for (const coding of ['', 'gzip', 'br']) {
        const headers = { 'Accept-Encoding': coding }
        const get = async (requestId?: string) => {
          const res = await fetch(`${server.url}${path}`, {
            headers: requestId ? { ...headers, 'X-Request-Id': requestId } : headers,
          })
          return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.text() }
        }
        const first = await get('reader-1')
        const before = await ready()
        const again = await get('reader-2')
        expect((await ready())['200'] ?? 0, `${path} ${coding}`).toBe((before['200'] ?? 0) + 1)
        const { date: _d1, 'x-request-id': firstId, ...firstHeaders } = first.headers
        const { date: _d2, 'x-request-id': againId, ...againHeaders } = again.headers
        expect(again.body, `${path} ${coding}`).toBe(first.body)
        expect(againHeaders, `${path} ${coding}`).toEqual(firstHeaders)
        // Each request carries its own id, the caller's or a new one.
        expect([firstId, againId]).toEqual(['reader-1', 'reader-2'])
        const anonymous = (await get()).headers['x-request-id']
        expect(anonymous).toMatch(/^[0-9a-f-]{36}$/)
        expect((await get()).headers['x-request-id']).not.toBe(anonymous)
        // The holder of this answer: once through the router, then ready.
        const etag = first.headers.etag!
        for (let i = 0; i < 2; i++) {
          const res = await fetch(`${server.url}${path}`, {
            headers: { ...headers, 'If-None-Match': etag, 'X-Request-Id': `holder-${i}` },
          })
          expect(res.status).toBe(304)
          expect(res.headers.get('etag')).toBe(etag)
          expect(res.headers.get('x-request-id')).toBe(`holder-${i}`)
          expect(await res.text()).toBe('')
        }
        expect((await ready())['304'] ?? 0, `${path} ${coding}`).toBeGreaterThan(before['304'] ?? 0)
      }
    }
    // A post makes every kept answer stale at once (the bus hint), on this instance too.
    await expectPostShown(server, story, editor, 'Talks resume in Washington')
  })

  it('never keeps what a key unlocks, and serves a draft to no one', async () => {
    const editor = await keyFor(server.admin, 'editor')
    const story = await makeStory(editor, { status: 'live' })
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('Soon withdrawn'))
    for (const path of READS(story)) {
      await read(server, path)
      await read(server, path)
    }
    const keyed = await editor.get(`/v1/stories/${story.id}`)
    expect(keyed.headers.get('cache-control')).toBe('private, no-cache')
    await editor.patch(`/v1/stories/${story.id}`, { status: 'draft' })
    for (const path of READS(story)) {
      await waitFor(`${path} to be gone`, async () => (await read(server, path)).status === 404)
    }
    // The editor still sees the draft with the key, and nothing kept leaks to the public.
    expect((await editor.get(`/v1/stories/${story.id}`)).status).toBe(200)
    expect((await read(server, `/v1/stories/${story.id}`)).status).toBe(404)
  })
})
