import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, keyFor, makeStory, textUpdate } from './helpers/api.js'
import { getWithHost, metricValue, privateDatabase, SteppingClock } from './helpers/feeds.js'
import { parseXml } from './helpers/parse-xml.js'
import { startServer, type TestServer } from './helpers/server.js'

let server: TestServer
let editor: Api
let partner: Api
let db: Awaited<ReturnType<typeof privateDatabase>>
const time = new SteppingClock()

beforeAll(async () => {
  db = await privateDatabase()
  server = await startServer({ databaseUrl: db.url, migrate: true, overrides: { clock: time.clock } })
  const created = await server.admin.post('/v1/keys', { name: 'Jane Editor', role: 'editor' })
  editor = server.api(created.body.key)
  partner = await keyFor(server.admin, 'partner')
})
afterAll(async () => {
  await server.stop()
  await db.drop()
})

const RFC3339_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/
const HTTP_DATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/

async function post(story: { id: string }, body: Record<string, unknown>) {
  const res = await editor.post(`/v1/stories/${story.id}/updates`, body)
  expect(res.status).toBe(201)
  return res.body as { id: string; publishedAt: string; editedAt: string | null; html: string }
}

/** A GET with the body as raw text too (`body` is parsed when it is JSON). */
async function feed(path: string, headers: Record<string, string> = {}, api: Api = server.api()) {
  const h: Record<string, string> = { ...headers }
  if (api.key) h.Authorization = `Bearer ${api.key}`
  const res = await fetch(server.url + path, { headers: h })
  const text = await res.text()
  const body = text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text
  return { status: res.status, headers: res.headers, text, body }
}

const atomEntries = (text: string) => parseXml(text).feed.entry ?? []
const rssItems = (text: string) => parseXml(text).rss.channel.item ?? []
const linkOf = (links: any[], rel: string) => links.find((l) => l['@rel'] === rel)?.['@href']

/** A story with three updates: plain, a key event without a headline, and a pinned one. */
async function storyWithUpdates(fields: Record<string, unknown> = {}) {
  const story = await makeStory(editor, { summary: 'What we know', ...fields })
  const first = await post(story, { headline: 'Talks begin', ...textUpdate('Delegations arrived.') })
  const second = await post(story, textUpdate('No headline here, just words.', { keyEvent: true }))
  const third = await post(story, { headline: 'Pinned summary', ...textUpdate('All of it.'), pinned: true })
  return { story, updates: [first, second, third] }
}

describe('story feeds are valid documents', () => {
  it('serves Atom 1.0 with the required elements, entries newest first', async () => {
    const { story, updates } = await storyWithUpdates()
    const res = await feed(`/v1/stories/${story.slug}/feed.atom`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8')
    const doc = parseXml(res.text)
    const f = doc.feed
    expect(f['@xmlns']).toBe('http://www.w3.org/2005/Atom')
    expect(f.id).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    const current = (await server.api().get(`/v1/stories/${story.id}`)).body
    expect(f.title['#text']).toBe(current.title)
    expect(f.subtitle['#text']).toBe('What we know')
    expect(f.updated).toBe(current.lastUpdateAt)
    expect(linkOf(f.link, 'self')).toBe(`${server.url}/v1/stories/${story.slug}/feed.atom`)
    expect(linkOf(f.link, 'alternate')).toBe(`${server.url}/s/${story.slug}`)
    const entries = f.entry
    expect(entries).toHaveLength(3)
    const newestFirst = [...updates].reverse()
    entries.forEach((e: any, i: number) => {
      const u = newestFirst[i]!
      expect(e.id).toMatch(/^urn:uuid:/)
      expect(typeof e.title['#text']).toBe('string')
      expect(e.title['#text'].length).toBeGreaterThan(0)
      expect(e.published).toBe(u.publishedAt)
      expect(e.updated).toBe(u.publishedAt)
      expect(e.author.name).toBe('Jane Editor')
      expect(e.content['@type']).toBe('html')
      expect(e.content['#text']).toBe(u.html)
      expect(linkOf(e.link, 'alternate')).toBe(`${server.url}/s/${story.slug}#update-${u.id}`)
    })
    expect(new Set(entries.map((e: any) => e.id)).size).toBe(3)
    expect(entries[0].title['#text']).toBe('Pinned summary')
    expect(entries[0].category.map((c: any) => c['@term'])).toEqual(['pinned'])
    // No headline: the title is the start of the text.
    expect(entries[1].title['#text']).toBe('No headline here, just words.')
    expect(entries[1].category.map((c: any) => c['@term'])).toEqual(['key-event'])
  })

  it('keeps entry ids stable across requests, hosts and edits', async () => {
    const { story, updates } = await storyWithUpdates()
    const path = `/v1/stories/${story.id}/feed.atom`
    const before = atomEntries((await feed(path)).text).map((e: any) => e.id)
    const viaOtherHost = await getWithHost(server.url + path, 'news.example.com')
    const other = atomEntries(viaOtherHost.text)
    expect(other.map((e: any) => e.id)).toEqual(before)
    expect(linkOf(other[0].link, 'alternate')).toMatch(/^http:\/\/news\.example\.com\/s\//)
    await editor.patch(`/v1/stories/${story.id}/updates/${updates[0]!.id}`, { headline: 'Edited' })
    expect(atomEntries((await feed(path)).text).map((e: any) => e.id)).toEqual(before)
  })

  it('serves RSS 2.0 with guid isPermaLink="false" and RFC 822 dates', async () => {
    const { story, updates } = await storyWithUpdates()
    const res = await feed(`/v1/stories/${story.slug}/feed.rss`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8')
    const doc = parseXml(res.text)
    expect(doc.rss['@version']).toBe('2.0')
    const ch = doc.rss.channel
    expect(typeof ch.title).toBe('string')
    expect(ch.link).toBe(`${server.url}/s/${story.slug}`)
    expect(ch.description).toBe('What we know')
    expect(ch.language).toBe('en')
    expect(ch['atom:link']['@href']).toBe(`${server.url}/v1/stories/${story.slug}/feed.rss`)
    expect(ch['atom:link']['@rel']).toBe('self')
    const items = ch.item
    expect(items).toHaveLength(3)
    const newestFirst = [...updates].reverse()
    items.forEach((item: any, i: number) => {
      const u = newestFirst[i]!
      expect(item.guid['#text']).toBe(u.id)
      expect(item.guid['@isPermaLink']).toBe('false')
      expect(item.pubDate).toMatch(HTTP_DATE)
      expect(new Date(item.pubDate).getTime()).toBe(Math.floor(Date.parse(u.publishedAt) / 1000) * 1000)
      expect(item.description).toBe(u.html)
      expect(item.link).toBe(`${server.url}/s/${story.slug}#update-${u.id}`)
      expect(item['dc:creator']).toBe('Jane Editor')
      expect(item['atom:updated']).toBe(u.publishedAt)
    })
    expect(new Date(ch.lastBuildDate).getTime()).toBeGreaterThan(0)
  })

  it('serves JSON Feed 1.1 per its spec', async () => {
    const { story, updates } = await storyWithUpdates()
    const res = await server.api().get(`/v1/stories/${story.slug}/feed.json`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/feed+json; charset=utf-8')
    const doc = res.body
    expect(doc.version).toBe('https://jsonfeed.org/version/1.1')
    expect(typeof doc.title).toBe('string')
    expect(doc.home_page_url).toBe(`${server.url}/s/${story.slug}`)
    expect(doc.feed_url).toBe(`${server.url}/v1/stories/${story.slug}/feed.json`)
    expect(doc.description).toBe('What we know')
    expect(doc.language).toBe('en')
    expect(doc.items).toHaveLength(3)
    const newestFirst = [...updates].reverse()
    doc.items.forEach((item: any, i: number) => {
      const u = newestFirst[i]!
      // The spec: id is a string, unique in the feed; content_html or content_text is required.
      expect(item.id).toBe(u.id)
      expect(item.content_html).toBe(u.html)
      expect(item.url).toBe(`${server.url}/s/${story.slug}#update-${u.id}`)
      expect(item.date_published).toMatch(RFC3339_MS)
      expect(item.date_published).toBe(u.publishedAt)
      expect(item.date_modified).toBe(u.publishedAt)
      expect(item.authors).toEqual([{ name: 'Jane Editor' }])
    })
    expect(doc.items[0]._liveline).toEqual({ keyEvent: false, pinned: true })
    expect(doc.items[1].tags).toEqual(['key-event'])
    // Feed readers that know no extensions must still find only spec keys outside `_`-prefixed ones.
    const specItemKeys = [
      'id',
      'url',
      'title',
      'content_html',
      'date_published',
      'date_modified',
      'authors',
      'tags',
    ]
    for (const item of doc.items)
      for (const key of Object.keys(item))
        expect(key.startsWith('_') || specItemKeys.includes(key)).toBe(true)
  })

  it('bounds the entries with ?limit and refuses a bad one with invalid_request', async () => {
    const { story, updates } = await storyWithUpdates()
    const two = await server.api().get(`/v1/stories/${story.id}/feed.json?limit=2`)
    expect(two.body.items.map((i: any) => i.id)).toEqual([updates[2]!.id, updates[1]!.id])
    expect(two.body.feed_url).toBe(`${server.url}/v1/stories/${story.slug}/feed.json?limit=2`)
    for (const bad of ['0', '201', 'ten', '-1']) {
      const res = await server.api().get(`/v1/stories/${story.id}/feed.atom?limit=${bad}`)
      expect(res.status).toBe(400)
      expect(res.body.error.code).toBe('invalid_request')
      expect(res.body.error.details).toHaveProperty('limit')
    }
  })

  it('answers 404 in the error shape for an unknown story', async () => {
    for (const format of ['atom', 'json', 'rss']) {
      const res = await server.api().get(`/v1/stories/no-such-story/feed.${format}`)
      expect(res.status).toBe(404)
      expect(res.headers.get('content-type')).toMatch(/^application\/json/)
      expect(res.body.error.code).toBe('not_found')
    }
  })

  it('uses the https scheme the proxy reports, and ignores X-Forwarded-Host', async () => {
    const { story } = await storyWithUpdates()
    const res = await server.api().get(`/v1/stories/${story.slug}/feed.json`, {
      'X-Forwarded-Proto': 'https',
      'X-Forwarded-Host': 'evil.example',
    })
    const host = new URL(server.url).host
    expect(res.body.feed_url).toBe(`https://${host}/v1/stories/${story.slug}/feed.json`)
    expect(JSON.stringify(res.body)).not.toContain('evil.example')
  })
})

describe('escaping', () => {
  it('escapes markup and drops characters XML forbids, in every format', async () => {
    const story = await makeStory(editor, { title: 'Q&A <live> "quotes"' })
    const nasty = await post(story, {
      headline: '<script>alert(1)</script> & ]]> \u0001bell',
      blocks: [
        { type: 'text', text: 'Body <script>alert("x")</script> <img src=x onerror=alert(1)> \u0008 done' },
      ],
    })
    const atom = await feed(`/v1/stories/${story.id}/feed.atom`)
    const rss = await feed(`/v1/stories/${story.id}/feed.rss`)
    const json = await feed(`/v1/stories/${story.id}/feed.json`)
    for (const doc of [atom.text, rss.text, json.text]) {
      expect(doc).not.toMatch(/<script|<img/i)
      expect(doc).not.toContain('\u0001')
      expect(doc).not.toContain('\u0008')
    }
    const entry = atomEntries(atom.text)[0]
    // Text stays text: the reader shows the headline's characters, the content is the escaped html.
    expect(entry.title['#text']).toBe('<script>alert(1)</script> & ]]> bell')
    expect(entry.content['#text']).toBe(nasty.html.replaceAll('\u0001', '').replaceAll('\u0008', ''))
    expect(entry.content['#text']).toContain('&lt;script&gt;')
    expect(entry.content['#text']).not.toContain('<script')
    expect(parseXml(atom.text).feed.title['#text']).toBe('Q&A <live> "quotes"')
    expect(rssItems(rss.text)[0].description).not.toContain('<script')
    const item = json.body.items[0]
    expect(item.content_html).toBe(nasty.html)
    expect(item.content_html).not.toContain('<script')
  })
})

describe('edits and deletes', () => {
  it('moves an edited entry\u2019s updated time, drops a deleted one, and moves the feed\u2019s updated', async () => {
    const { story, updates } = await storyWithUpdates()
    const [first, second, third] = updates as [any, any, any]
    time.advance(5000)
    const edited = await editor.patch(`/v1/stories/${story.id}/updates/${first.id}`, {
      headline: 'Talks begin, late',
    })
    expect(edited.status).toBe(200)
    const del = await editor.delete(`/v1/stories/${story.id}/updates/${second.id}`)
    expect(del.status).toBe(204)
    const current = (await server.api().get(`/v1/stories/${story.id}`)).body

    const atom = parseXml((await feed(`/v1/stories/${story.id}/feed.atom`)).text).feed
    expect(atom.updated).toBe(current.lastUpdateAt)
    expect(atom.entry).toHaveLength(2)
    const [a3, a1] = atom.entry
    expect(a3.title['#text']).toBe('Pinned summary')
    expect(a1.title['#text']).toBe('Talks begin, late')
    expect(a1.published).toBe(first.publishedAt)
    expect(a1.updated).toBe(edited.body.editedAt)
    expect(a1.updated > a1.published).toBe(true)
    expect(a1.content['#text']).toBe(edited.body.html)

    const json = (await server.api().get(`/v1/stories/${story.id}/feed.json`)).body
    expect(json.items.map((i: any) => i.id)).toEqual([third.id, first.id])
    expect(json.items[1].date_modified).toBe(edited.body.editedAt)
    expect(json.items[1].date_published).toBe(first.publishedAt)

    const items = rssItems((await feed(`/v1/stories/${story.id}/feed.rss`)).text)
    expect(items.map((i: any) => i.guid['#text'])).toEqual([third.id, first.id])
    expect(items[1]['atom:updated']).toBe(edited.body.editedAt)
  })

  it('shows a story edit (new title) at once', async () => {
    const { story } = await storyWithUpdates()
    const before = await feed(`/v1/stories/${story.id}/feed.rss`)
    await editor.patch(`/v1/stories/${story.id}`, { title: 'A new title' })
    const after = await feed(`/v1/stories/${story.id}/feed.rss`, {
      'If-None-Match': before.headers.get('etag')!,
    })
    expect(after.status).toBe(200)
    expect(parseXml(after.text).rss.channel.title).toBe('A new title')
  })
})

/** A live feed: feed readers come back within 30 s; a CDN keeps it briefly and serves stale while it asks. */
const LIVE_CACHE_CONTROL = 'public, max-age=30, s-maxage=5, stale-while-revalidate=30'

describe('conditional GET', () => {
  it('answers 304 to a matching If-None-Match, and 200 with a new ETag after a change', async () => {
    const { story } = await storyWithUpdates()
    for (const format of ['atom', 'json', 'rss']) {
      const path = `/v1/stories/${story.id}/feed.${format}`
      const first = await feed(path)
      const etag = first.headers.get('etag')!
      expect(etag).toMatch(/^"[^"]+"$/)
      expect(first.headers.get('last-modified')).toMatch(HTTP_DATE)
      expect(first.headers.get('cache-control')).toBe(LIVE_CACHE_CONTROL)
      const again = await feed(path, { 'If-None-Match': etag })
      expect(again.status).toBe(304)
      expect(again.text).toBe('')
      expect(again.headers.get('etag')).toBe(etag)
      expect(again.headers.get('last-modified')).toBe(first.headers.get('last-modified'))
      expect(again.headers.get('cache-control')).toBe(LIVE_CACHE_CONTROL)
      // A list and a weak form of it match too (If-None-Match uses the weak comparison).
      expect((await feed(path, { 'If-None-Match': `"other", W/${etag}` })).status).toBe(304)
      expect((await feed(path, { 'If-None-Match': '"other"' })).status).toBe(200)
    }
    const etags = await Promise.all(
      ['atom', 'json', 'rss'].map(async (f) =>
        (await feed(`/v1/stories/${story.id}/feed.${f}`)).headers.get('etag'),
      ),
    )
    expect(new Set(etags).size).toBe(3)
    await post(story, textUpdate('news'))
    for (const [i, format] of ['atom', 'json', 'rss'].entries()) {
      const changed = await feed(`/v1/stories/${story.id}/feed.${format}`, { 'If-None-Match': etags[i]! })
      expect(changed.status).toBe(200)
      expect(changed.headers.get('etag')).not.toBe(etags[i])
    }
  })

  it('answers HEAD with the same validators and no body', async () => {
    const { story } = await storyWithUpdates()
    const path = `/v1/stories/${story.id}/feed.atom`
    const get = await feed(path)
    const head = await fetch(server.url + path, { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('etag')).toBe(get.headers.get('etag'))
    expect(head.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8')
    expect(await head.text()).toBe('')
  })

  it('answers If-Modified-Since with 304 once the change\u2019s second is over, and 200 after a change', async () => {
    const { story } = await storyWithUpdates()
    const path = `/v1/stories/${story.id}/feed.atom`
    time.advance(2000)
    const first = await feed(path)
    const lastModified = first.headers.get('last-modified')!
    const current = (await server.api().get(`/v1/stories/${story.id}`)).body
    expect(Date.parse(lastModified)).toBe(Math.floor(Date.parse(current.lastUpdateAt) / 1000) * 1000)
    const same = await feed(path, { 'If-Modified-Since': lastModified })
    expect(same.status).toBe(304)
    expect(same.text).toBe('')
    // If-None-Match wins when both are sent.
    expect((await feed(path, { 'If-Modified-Since': lastModified, 'If-None-Match': '"stale"' })).status).toBe(
      200,
    )
    // Garbage dates are ignored, not 304.
    expect((await feed(path, { 'If-Modified-Since': 'yesterday' })).status).toBe(200)
    await post(story, textUpdate('later'))
    time.advance(2000)
    const changed = await feed(path, { 'If-Modified-Since': lastModified })
    expect(changed.status).toBe(200)
    expect(Date.parse(changed.headers.get('last-modified')!)).toBeGreaterThan(Date.parse(lastModified))
  })

  it('never gives a wrong 304 to a reader who fetched in the same second as a change', async () => {
    const story = await makeStory(editor)
    await post(story, textUpdate('one'))
    const path = `/v1/stories/${story.id}/feed.json`
    // Same second as the post: Last-Modified is reported a second early.
    const early = await feed(path)
    const lastModified = early.headers.get('last-modified')!
    const current = (await server.api().get(`/v1/stories/${story.id}`)).body
    expect(Date.parse(lastModified)).toBe(Math.floor(Date.parse(current.lastUpdateAt) / 1000) * 1000 - 1000)
    await post(story, textUpdate('two, in the same second'))
    time.advance(2000)
    const later = await feed(path, { 'If-Modified-Since': lastModified })
    expect(later.status).toBe(200)
    expect(later.body.items).toHaveLength(2)
  })
})

describe('render cache', () => {
  it('renders a feed once per change of the story, not once per request', async () => {
    const { story } = await storyWithUpdates()
    const renders = () => metricValue(server, 'liveline_feed_renders_total', 'format="rss"')
    // From the feed cache, or sent again as kept before the router (ready answers).
    const hits = async () =>
      (await metricValue(server, 'liveline_feed_cache_hits_total', 'format="rss"')) +
      (await metricValue(server, 'liveline_ready_answers_total', 'status="200"'))
    const path = `/v1/stories/${story.id}/feed.rss`
    await feed(path)
    const [r0, h0] = [await renders(), await hits()]
    const a = await feed(path)
    const b = await feed(path)
    expect(await renders()).toBe(r0)
    expect(await hits()).toBe(h0 + 2)
    expect(b.text).toBe(a.text)

    await post(story, textUpdate('a change'))
    const c = await feed(path)
    const d = await feed(path, {}, partner)
    expect(await renders()).toBe(r0 + 1)
    expect(d.text).toBe(c.text)
    expect(rssItems(c.text)).toHaveLength(4)
    // A 304 reads no entries either.
    const before304 = await metricValue(server, 'liveline_feed_not_modified_total', 'format="rss"')
    expect((await feed(path, { 'If-None-Match': c.headers.get('etag')! })).status).toBe(304)
    expect(await renders()).toBe(r0 + 1)
    expect(await metricValue(server, 'liveline_feed_not_modified_total', 'format="rss"')).toBe(before304 + 1)
  })
})

describe('drafts', () => {
  it('hides a draft\u2019s feeds from public readers and partners, and shows them to editors, privately', async () => {
    const { story } = await storyWithUpdates({ status: 'draft' })
    for (const format of ['atom', 'json', 'rss']) {
      const path = `/v1/stories/${story.id}/feed.${format}`
      for (const reader of [server.api(), partner]) {
        const res = await reader.get(path)
        expect(res.status).toBe(404)
        expect(res.body.error.code).toBe('not_found')
      }
      const own = await editor.get(path)
      expect(own.status).toBe(200)
      expect(own.headers.get('cache-control')).toBe('private, no-cache')
    }
    // And partners can read it once it is live.
    await editor.patch(`/v1/stories/${story.id}`, { status: 'live' })
    expect((await partner.get(`/v1/stories/${story.id}/feed.atom`)).status).toBe(200)
  })

  it('serves an ended story with a longer max-age', async () => {
    const { story } = await storyWithUpdates()
    await editor.patch(`/v1/stories/${story.id}`, { status: 'ended' })
    const res = await server.api().get(`/v1/stories/${story.id}/feed.json`)
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe(
      'public, max-age=300, s-maxage=5, stale-while-revalidate=30',
    )
  })

  it('keeps a feed read with a key out of shared caches', async () => {
    const { story } = await storyWithUpdates()
    const res = await editor.get(`/v1/stories/${story.id}/feed.atom`)
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('private, no-cache')
    const live = await editor.get('/v1/feed.atom')
    expect(live.headers.get('cache-control')).toBe('private, no-cache')
  })
})

describe('the all-live-stories feed', () => {
  it('merges the updates of live stories only, newest first, with their story as source', async () => {
    const live = await storyWithUpdates()
    const draft = await storyWithUpdates({ status: 'draft' })
    const ending = await storyWithUpdates()
    await editor.patch(`/v1/stories/${ending.story.id}`, { status: 'ended' })
    const latest = await post(live.story, textUpdate('the very latest'))

    const json = (await server.api().get('/v1/feed.json?limit=200')).body
    expect(json.version).toBe('https://jsonfeed.org/version/1.1')
    expect(json.feed_url).toBe(`${server.url}/v1/feed.json?limit=200`)
    const ids = json.items.map((i: any) => i.id)
    expect(ids[0]).toBe(latest.id)
    for (const u of live.updates) expect(ids).toContain(u.id)
    for (const u of [...draft.updates, ...ending.updates]) expect(ids).not.toContain(u.id)
    const dates = json.items.map((i: any) => i.date_published)
    expect([...dates].sort().reverse()).toEqual(dates)
    expect(json.items[0]._liveline.story.url).toBe(`${server.url}/s/${live.story.slug}`)

    const atom = parseXml((await feed('/v1/feed.atom?limit=200')).text).feed
    expect(atom.id).toMatch(/^urn:uuid:/)
    expect(linkOf(atom.link, 'self')).toBe(`${server.url}/v1/feed.atom?limit=200`)
    expect(atom.entry[0].source.id).toMatch(/^urn:uuid:/)
    expect(linkOf(atom.entry[0].source.link, 'self')).toBe(
      `${server.url}/v1/stories/${live.story.slug}/feed.atom`,
    )
    expect(atom.entry).toHaveLength(ids.length)

    const rss = parseXml((await feed('/v1/feed.rss?limit=200')).text).rss
    expect(rss['@version']).toBe('2.0')
    expect(rss.channel.item[0].source['@url']).toBe(`${server.url}/v1/stories/${live.story.slug}/feed.rss`)
    expect(rss.channel.item.map((i: any) => i.guid['#text'])).toEqual(ids)
  })

  it('changes its ETag when a live story changes, goes live or ends, and 304s otherwise', async () => {
    const { story } = await storyWithUpdates()
    const etagOf = async () => (await feed('/v1/feed.atom')).headers.get('etag')!
    let etag = await etagOf()
    expect((await feed('/v1/feed.atom', { 'If-None-Match': etag })).status).toBe(304)

    await post(story, textUpdate('change'))
    expect((await feed('/v1/feed.atom', { 'If-None-Match': etag })).status).toBe(200)
    etag = await etagOf()

    const draft = await storyWithUpdates({ status: 'draft' })
    expect((await feed('/v1/feed.atom', { 'If-None-Match': etag })).status).toBe(304)
    await editor.patch(`/v1/stories/${draft.story.id}`, { status: 'live' })
    const wentLive = await feed('/v1/feed.atom', { 'If-None-Match': etag })
    expect(wentLive.status).toBe(200)
    const storyLinks = (text: string) => atomEntries(text).map((e: any) => linkOf(e.link, 'alternate'))
    const fromDraft = (href: string) => href.startsWith(`${server.url}/s/${draft.story.slug}#`)
    expect(storyLinks(wentLive.text).filter(fromDraft)).toHaveLength(3)
    etag = wentLive.headers.get('etag')!

    time.advance(2000)
    const settled = await feed('/v1/feed.atom')
    const lastModified = settled.headers.get('last-modified')!
    expect((await feed('/v1/feed.atom', { 'If-Modified-Since': lastModified })).status).toBe(304)
    await editor.patch(`/v1/stories/${draft.story.id}`, { status: 'ended' })
    time.advance(2000)
    // The ended story took its own timestamps out of the set; the feed still reads as modified.
    const ended = await feed('/v1/feed.atom', { 'If-Modified-Since': lastModified })
    expect(ended.status).toBe(200)
    expect(storyLinks(ended.text).filter(fromDraft)).toHaveLength(0)
    expect((await feed('/v1/feed.atom', { 'If-None-Match': etag })).status).toBe(200)
  })
})

describe('OpenAPI', () => {
  it('documents the six feed routes under Syndication with their content types', async () => {
    const doc = (await server.api().get('/openapi.json')).body
    const types: Record<string, string> = {
      atom: 'application/atom+xml; charset=utf-8',
      json: 'application/feed+json; charset=utf-8',
      rss: 'application/rss+xml; charset=utf-8',
    }
    for (const [format, type] of Object.entries(types)) {
      for (const path of [`/v1/stories/{story}/feed.${format}`, `/v1/feed.${format}`]) {
        const op = doc.paths[path]?.get
        expect(op?.tags).toEqual(['Syndication'])
        expect(Object.keys(op.responses['200'].content)).toEqual([type])
        expect(op.responses).toHaveProperty('304')
        expect(op.parameters.map((p: any) => p.name)).toEqual(
          expect.arrayContaining(['limit', 'If-None-Match']),
        )
      }
    }
  })
})
