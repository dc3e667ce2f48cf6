import { build } from 'esbuild'
import { type LiveEvent, type LiveState, subscribe } from 'liveline/client'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { WebSocket } from 'ws'
import { type Api, keyFor, makeStory, textUpdate } from './helpers/api.js'
import { startServer, type TestServer } from './helpers/server.js'
import { TcpProxy } from './helpers/tcp-proxy.js'

let server: TestServer
let editor: Api

beforeAll(async () => {
  server = await startServer()
  editor = await keyFor(server.admin, 'editor', 'Web <Editor>')
})
afterAll(() => server?.stop())

const page = (path: string, headers: Record<string, string> = {}) => fetch(server.url + path, { headers })

/** The JSON-LD block of a page, parsed. */
function jsonLd(html: string): any {
  const match = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(html)
  return JSON.parse(match![1]!)
}

describe('reader page /s/:slug (HTTP)', () => {
  test('is server-rendered HTML with the story, its updates and schema.org LiveBlogPosting', async () => {
    const story = await makeStory(editor, { summary: 'All of it', section: 'Politics' })
    await editor.post(`/v1/stories/${story.slug}/updates`, textUpdate('Polls open', { headline: 'Day one' }))
    await editor.post(`/v1/stories/${story.slug}/updates`, textUpdate('Turnout is high', { keyEvent: true }))
    const res = await page(`/s/${story.slug}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    const csp = res.headers.get('content-security-policy')!
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain('unsafe-inline')
    const html = await res.text()
    expect(html).toContain('<h1 class="ll-title">Test story')
    expect(html).toContain('All of it')
    expect(html).toContain('Politics')
    expect(html).toContain('By <span>Web &lt;Editor&gt;</span>')
    expect(html.indexOf('Turnout is high')).toBeLessThan(html.indexOf('Polls open')) // newest first
    expect(html).toMatch(/<nav class="ll-keys"[^>]*><h2 id="ll-keys-h">Key events<\/h2><ol><li><a href="#u-/)
    expect(html).toContain('<script type="module" src="/assets/reader.js"></script>')
    expect(html).not.toMatch(/<script>/) // no inline script
    const ld = jsonLd(html)
    expect(ld['@type']).toBe('LiveBlogPosting')
    expect(ld.headline).toMatch(/^Test story/)
    expect(ld.liveBlogUpdate).toHaveLength(2)
    expect(ld.liveBlogUpdate[1]).toMatchObject({
      '@type': 'BlogPosting',
      headline: 'Day one',
      articleBody: 'Polls open',
    })
  })

  test('escapes everything from the database, in the HTML and in the JSON-LD', async () => {
    const evil = '</script><script>alert(1)</script><b onclick="x">&amp;'
    const story = await makeStory(editor, { title: `T ${evil}`, summary: `S ${evil}`, section: `X ${evil}` })
    await editor.post(`/v1/stories/${story.slug}/updates`, textUpdate(`U ${evil}`, { headline: `H ${evil}` }))
    const html = await (await page(`/s/${story.slug}`)).text()
    expect(html).not.toContain('<script>alert(1)')
    expect(html).not.toContain('<b onclick')
    expect(html).toContain(
      'T &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;b onclick=&quot;x&quot;&gt;&amp;amp;',
    )
    expect(html.match(/<\/script>/g)).toHaveLength(3) // JSON-LD, reader.js, embed-card.js: nothing closed early
    expect(jsonLd(html).headline).toBe(`T ${evil}`)
  })

  test('a draft or an unknown story is a 404 page; an ended story says so', async () => {
    const draft = await makeStory(editor, { status: 'draft' })
    for (const slug of [draft.slug, 'no-such-story']) {
      const res = await page(`/s/${slug}`)
      expect(res.status).toBe(404)
      expect(await res.text()).toContain('There is no live story at this address.')
    }
    const ended = await makeStory(editor)
    await editor.patch(`/v1/stories/${ended.slug}`, { status: 'ended' })
    const html = await (await page(`/s/${ended.slug}`)).text()
    expect(html).toContain('<p class="ll-ended">This live coverage has ended.</p>')
    expect(jsonLd(html).coverageEndTime).toBeTruthy()
  })

  test('pages older updates behind an "Older updates" link; a bad cursor goes back to the top', async () => {
    const story = await makeStory(editor)
    const ids: string[] = []
    for (let i = 0; i < 101; i++) {
      ids.push((await editor.post(`/v1/stories/${story.slug}/updates`, textUpdate(`n${i}`))).body.id)
    }
    const html = await (await page(`/s/${story.slug}`)).text()
    expect(html.match(/<article /g)).toHaveLength(100)
    expect(html).not.toContain(`id="u-${ids[0]}"`)
    const older = /<a href="([^"]+)">Older updates<\/a>/.exec(html)![1]!.replace(/&amp;/g, '&')
    const second = await (await fetch(older)).text()
    expect(second).toContain(`id="u-${ids[0]}"`)
    expect(second).not.toContain('reader.js') // an archive page is not live
    const bad = await fetch(`${server.url}/s/${story.slug}?cursor=garbage`, { redirect: 'manual' })
    expect(bad.status).toBe(302)
    expect(bad.headers.get('location')).toBe(`/s/${story.slug}`)
  })

  test('the fragment for the widget is readable from any origin', async () => {
    const story = await makeStory(editor)
    const res = await page(`/s/${story.slug}/fragment`, { Origin: 'https://cms.example' })
    expect(res.status).toBe(200)
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(await res.text()).toMatch(/^<div class="liveline"/)
  })
})

describe('assets', () => {
  test('are served with their content type, an ETag, caching, CORS, and 304 when unchanged', async () => {
    for (const [path, type] of [
      ['/client.js', 'text/javascript'],
      ['/embed.js', 'text/javascript'],
      ['/assets/live-view.js', 'text/javascript'],
      ['/assets/desk.js', 'text/javascript'],
      ['/assets/live.css', 'text/css'],
    ] as const) {
      const res = await page(path)
      expect(res.status, path).toBe(200)
      expect(res.headers.get('content-type')).toContain(type)
      expect(res.headers.get('cache-control')).toContain('max-age=')
      expect(res.headers.get('access-control-allow-origin')).toBe('*')
      const etag = res.headers.get('etag')!
      expect(etag).toMatch(/^".+"$/)
      const again = await page(path, { 'If-None-Match': etag })
      expect(again.status).toBe(304)
      expect(await again.text()).toBe('')
    }
    expect((await page('/assets/nope.js')).status).toBe(404)
  })

  test('the desk page has no inline script and no key in it', async () => {
    const res = await page('/desk')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
    const html = await res.text()
    expect(html).toContain('<script type="module" src="/assets/desk.js"></script>')
    expect(html).toContain('type="password"')
  })

  test('the reader page script and the widget each stay under 15 KB minified', async () => {
    const minified = async (entry: string) => {
      const out = await build({
        entryPoints: [entry],
        bundle: true,
        minify: true,
        write: false,
        format: 'esm',
      })
      return out.outputFiles[0]!.contents.byteLength
    }
    // reader.js pulls in live-view.js and client.js; the widget is embed.js plus the same two.
    const reader = await minified('src/web/assets/reader.js')
    const widget =
      (await minified('src/web/assets/embed.js')) + (await minified('src/web/assets/live-view.js'))
    console.log(`minified: reader page script ${reader} bytes, widget ${widget} bytes`)
    expect(reader).toBeLessThan(15 * 1024)
    expect(widget).toBeLessThan(15 * 1024)
  })
})

describe('client module (liveline/client) in Node', () => {
  test('delivers each event once, in order, and resumes with since after the server drops it', async () => {
    const story = await makeStory(editor)
    const seen: LiveEvent[] = []
    const states: LiveState[] = []
    const proxy = new TcpProxy('127.0.0.1', server.port)
    await proxy.start()
    const sub = subscribe(story.slug, {
      since: 0,
      url: `http://127.0.0.1:${proxy.port}`,
      WebSocket,
      onEvent: (e) => seen.push(e),
      onState: (s) => states.push(s),
    })
    await expect.poll(() => states.includes('live')).toBe(true)
    await editor.post(`/v1/stories/${story.slug}/updates`, textUpdate('one'))
    await expect.poll(() => seen.length).toBe(1)
    // Cut the network under it, post while it is cut off, then let it back.
    await proxy.cut()
    await expect.poll(() => states.at(-1)).toBe('reconnecting')
    await editor.post(`/v1/stories/${story.slug}/updates`, textUpdate('two'))
    await editor.post(`/v1/stories/${story.slug}/updates`, textUpdate('three'))
    await proxy.restore()
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(3)
    expect(seen.map((e) => e.seq)).toEqual([1, 2, 3])
    expect(seen.map((e) => (e.type === 'update.created' ? e.update.blocks[0] : null))).toEqual([
      { type: 'text', text: 'one' },
      { type: 'text', text: 'two' },
      { type: 'text', text: 'three' },
    ])
    expect(sub.seq).toBe(3)
    expect(sub.storyId).toBe(story.id)
    sub.close()
    expect(states.at(-1)).toBe('closed')
    await proxy.cut()
  })

  test("tells the caller the story's reader count through onPresence and .readers", async () => {
    const story = await makeStory(editor)
    const counts: number[] = []
    const options = { url: server.url, WebSocket, onEvent: () => {} }
    const first = subscribe(story.slug, { ...options, onPresence: (n) => counts.push(n) })
    await expect.poll(() => counts).toEqual([1])
    const second = subscribe(story.id, options)
    await expect.poll(() => second.readers).toBe(2)
    // The first hears the change at the next presence tick (every 5 s by default).
    await expect.poll(() => counts, { timeout: 15_000 }).toEqual([1, 2])
    expect(first.readers).toBe(2)
    first.close()
    second.close()
  })

  test('stops with a clear state when the story does not exist', async () => {
    const details: unknown[] = []
    subscribe('no-such-story', {
      url: server.url,
      WebSocket,
      onEvent: () => {},
      onState: (state, detail) => {
        if (state === 'closed') details.push(detail)
      },
    })
    await expect.poll(() => details).toEqual([expect.objectContaining({ code: 'not_found' })])
  })
})

describe('LIVELINE_PUBLIC_URL', () => {
  test('absolute links in pages and feeds use the configured origin, whatever Host says', async () => {
    const own = await startServer({ publicUrl: 'https://live.example.com' })
    try {
      const ed = await keyFor(own.admin, 'editor')
      const story = await makeStory(ed)
      await ed.post(`/v1/stories/${story.id}/updates`, textUpdate('one'))
      const html = await (await fetch(`${own.url}/s/${story.slug}`)).text()
      expect(html).toContain(`<link rel="canonical" href="https://live.example.com/s/${story.slug}">`)
      expect(jsonLd(html).url).toBe(`https://live.example.com/s/${story.slug}`)
      const feed = await own.api().get(`/v1/stories/${story.slug}/feed.json`, { 'X-Forwarded-Proto': 'http' })
      expect(feed.body.home_page_url).toBe(`https://live.example.com/s/${story.slug}`)
      expect(feed.body.feed_url).toBe(`https://live.example.com/v1/stories/${story.slug}/feed.json`)
      expect(JSON.stringify(feed.body)).not.toContain('127.0.0.1')
    } finally {
      await own.stop()
    }
  })
})

describe('the API from another origin (CORS)', () => {
  test('every kind of answer carries the origin and the headers a script may read', async () => {
    const story = await makeStory(editor, { status: 'live' })
    const origin = { Origin: 'https://cms.example' }
    const answers = {
      'cached public read': (await page(`/v1/stories/${story.id}`, origin)).headers,
      feed: (await page(`/v1/stories/${story.id}/feed.atom`, origin)).headers,
      error: (await page('/v1/stories/no-such-story', origin)).headers,
      post: (await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('Hi'), origin)).headers,
    }
    for (const [answer, headers] of Object.entries(answers)) {
      expect(headers.get('access-control-allow-origin'), answer).toBe('*')
      expect(headers.get('access-control-expose-headers'), answer).toContain('ETag')
      expect(headers.get('x-request-id'), answer).toBeTruthy()
    }
    // The event stream, which EventSource opens from the reader's page on another origin.
    const controller = new AbortController()
    const stream = await fetch(`${server.url}/v1/stories/${story.id}/stream`, {
      headers: { Origin: 'https://cms.example' },
      signal: controller.signal,
    })
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(stream.headers.get('access-control-allow-origin')).toBe('*')
    expect(stream.headers.get('x-request-id')).toBeTruthy()
    controller.abort()
  })
})
