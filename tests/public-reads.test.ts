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

async function renders(server: TestServer): Promise<{ hit: number; render: number }> {
  const text = (await server.api().get('/metrics')).body as string
  const count = (result: string) =>
    Number(new RegExp(`liveline_public_reads_total\\{result="${result}"\\} (\\d+)`).exec(text)?.[1] ?? 0)
  return { hit: count('hit'), render: count('render') }
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
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('On the wire'))
    for (const path of ['/v1/feed.atom', '/v1/feed.json', `/v1/stories/${story.slug}/feed.rss`]) {
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
