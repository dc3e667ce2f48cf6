import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, makeStory, textUpdate } from './helpers/api.js'
import { startServer, type TestServer } from './helpers/server.js'

let server: TestServer
let editor: Api
let editorId: string
beforeAll(async () => {
  server = await startServer()
  const created = await server.admin.post('/v1/keys', { name: 'Jane Editor', role: 'editor' })
  editorId = created.body.id
  editor = server.api(created.body.key)
})
afterAll(() => server.stop())

const ALL_BLOCKS = [
  { type: 'text', text: 'Officials said the meeting was off.\n\nMore at https://example.com/story.' },
  { type: 'quote', text: 'We remain committed.', attribution: 'A spokesperson' },
  {
    type: 'image',
    url: 'https://images.example.com/rafah.jpg',
    caption: 'Rafah crossing',
    credit: 'Reuters',
    alt: 'A crossing',
  },
  { type: 'embed', url: 'https://video.example.com/watch?v=1' },
]

describe('posting updates', () => {
  it('posts all four block types and returns the contract Update with escaped html', async () => {
    const story = await makeStory(editor)
    const res = await editor.post(`/v1/stories/${story.slug}/updates`, {
      headline: 'Talks canceled',
      blocks: ALL_BLOCKS,
      keyEvent: true,
    })
    expect(res.status).toBe(201)
    expect(res.body).toEqual({
      id: expect.any(String),
      storyId: story.id,
      status: 'published',
      headline: 'Talks canceled',
      blocks: ALL_BLOCKS,
      html: expect.any(String),
      keyEvent: true,
      author: { id: editorId, name: 'Jane Editor', title: null, avatarUrl: null },
      createdAt: res.body.publishedAt,
      publishedAt: expect.stringMatching(/Z$/),
      publishAt: null,
      editedAt: null,
      corrections: [],
      seq: 1,
    })
    const { html } = res.body
    expect(html).toContain('<h2>Talks canceled</h2>')
    expect(html).toContain('<p>Officials said the meeting was off.</p>')
    expect(html).toContain(
      '<a href="https://example.com/story" rel="noopener nofollow ugc">https://example.com/story</a>.',
    )
    expect(html).toContain(
      '<blockquote><p>We remain committed.</p><footer>A spokesperson</footer></blockquote>',
    )
    expect(html).toContain('<img src="https://images.example.com/rafah.jpg" alt="A crossing" loading="lazy">')
    expect(html).toContain('<span class="credit">Reuters</span>')

    const after = (await server.api().get(`/v1/stories/${story.id}`)).body
    expect(after).toMatchObject({ seq: 1, updateCount: 1, lastUpdateAt: res.body.publishedAt })
  })

  it('escapes markup in every text field so none reaches a reader', async () => {
    const story = await makeStory(editor)
    const evil = '<script>alert(1)</script><img src=x onerror=alert(2)>"\''
    const res = await editor.post(`/v1/stories/${story.id}/updates`, {
      headline: evil,
      blocks: [
        { type: 'text', text: evil },
        { type: 'quote', text: evil, attribution: evil },
        {
          type: 'image',
          url: 'https://example.com/a.jpg?q="><script>',
          caption: evil,
          credit: evil,
          alt: evil,
        },
      ],
    })
    expect(res.status).toBe(201)
    expect(res.body.html).not.toMatch(/<script|<img src=x|onerror=alert\(2\)>/)
    expect(res.body.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(res.body.html).toContain('src="https://example.com/a.jpg?q=&quot;&gt;&lt;script&gt;"')
    expect(res.body.blocks[0].text).toBe(evil)
  })

  it('accepts only http and https URLs in image and embed blocks', async () => {
    const story = await makeStory(editor)
    for (const url of ['javascript:alert(1)', 'data:text/html,hi', 'ftp://example.com/x', 'not a url']) {
      const res = await editor.post(`/v1/stories/${story.id}/updates`, { blocks: [{ type: 'embed', url }] })
      expect(res.status, url).toBe(400)
      expect(res.body.error.details).toHaveProperty(['blocks.0.url'])
    }
    const img = await editor.post(`/v1/stories/${story.id}/updates`, {
      blocks: [{ type: 'image', url: 'javascript:x' }],
    })
    expect(img.status).toBe(400)
    expect((await server.api().get(`/v1/stories/${story.id}`)).body.seq).toBe(0)
  })

  it('names each bad field and changes nothing on invalid input', async () => {
    const story = await makeStory(editor)
    const cases: Array<[unknown, string[]]> = [
      [{ blocks: [] }, ['blocks']],
      [{}, ['blocks']],
      [{ blocks: [{ type: 'video', url: 'https://x' }] }, ['blocks.0.type']],
      [{ blocks: [{ type: 'text', text: '' }] }, ['blocks.0.text']],
      [{ blocks: [{ type: 'text', text: 'x'.repeat(10_001) }] }, ['blocks.0.text']],
      [{ blocks: Array.from({ length: 51 }, () => ({ type: 'text', text: 'x' })) }, ['blocks']],
      [
        { headline: 'h'.repeat(301), blocks: [{ type: 'text', text: 'x' }], keyEvent: 'yes' },
        ['headline', 'keyEvent'],
      ],
    ]
    for (const [body, fields] of cases) {
      const res = await editor.post(`/v1/stories/${story.id}/updates`, body)
      expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400)
      expect(res.body.error.code).toBe('invalid_request')
      expect(Object.keys(res.body.error.details).sort()).toEqual(fields)
    }
    expect((await server.api().get(`/v1/stories/${story.id}/events`)).body).toEqual({ events: [], head: 0 })
  })

  it('answers malformed JSON with 400 and an oversized body with 413, in the error shape', async () => {
    const story = await makeStory(editor)
    const malformed = await editor.post(`/v1/stories/${story.id}/updates`, '{"blocks": [')
    expect(malformed.status).toBe(400)
    expect(malformed.body.error).toMatchObject({ code: 'invalid_request', message: expect.any(String) })
    const big = await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('x'.repeat(300 * 1024)))
    expect(big.status).toBe(413)
    expect(big.body.error.code).toBe('payload_too_large')
  })

  it('says so when a JSON body is sent without Content-Type: application/json', async () => {
    const story = await makeStory(editor)
    const res = await editor.post(`/v1/stories/${story.id}/updates`, JSON.stringify(textUpdate('x')), {
      'Content-Type': 'text/plain',
    })
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({
      code: 'invalid_request',
      details: { 'Content-Type': expect.any(String) },
    })
  })

  it('answers 404 in the error shape for an unknown story or route', async () => {
    const res = await editor.post('/v1/stories/no-such-story/updates', textUpdate('x'))
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('not_found')
    const route = await server.api().get('/v1/nothing-here')
    expect(route.status).toBe(404)
    expect(route.body.error.code).toBe('not_found')
  })

  it('pins an update when posted with pinned: true (update.created then story.updated)', async () => {
    const story = await makeStory(editor)
    const res = await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('pinned', { pinned: true }))
    const events = (await server.api().get(`/v1/stories/${story.id}/events`)).body.events
    expect(events.map((e: { type: string }) => e.type)).toEqual(['update.created', 'story.updated'])
    expect(events[1].storyState.pinnedUpdateId).toBe(res.body.id)
    expect(events[1].storyState.seq).toBe(2)
  })
})

describe('Idempotency-Key', () => {
  it('returns the same update for a retry with the same key and body, and posts once', async () => {
    const story = await makeStory(editor)
    const headers = { 'Idempotency-Key': `retry-${Date.now()}` }
    const first = await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('once'), headers)
    const second = await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('once'), headers)
    expect(first.status).toBe(201)
    expect(second.status).toBe(201)
    expect(second.body).toEqual(first.body)
    expect(second.headers.get('idempotent-replayed')).toBe('true')
    const list = await server.api().get(`/v1/stories/${story.id}/updates`)
    expect(list.body.items).toHaveLength(1)
  })

  it('answers 422 for the same key with a different body', async () => {
    const story = await makeStory(editor)
    const headers = { 'Idempotency-Key': `reuse-${Date.now()}` }
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('one'), headers)
    const res = await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('two'), headers)
    expect(res.status).toBe(422)
    expect(res.body.error.code).toBe('idempotency_key_reused')
  })

  it('posts exactly once when ten identical retries race', async () => {
    const story = await makeStory(editor)
    const headers = { 'Idempotency-Key': `race-${Date.now()}` }
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        editor.post(`/v1/stories/${story.id}/updates`, textUpdate('race'), headers),
      ),
    )
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(201))
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1)
    expect((await server.api().get(`/v1/stories/${story.id}`)).body.seq).toBe(1)
  })
})

describe('editing, deleting and listing updates', () => {
  it('edits an update in place, sets editedAt and appends update.edited', async () => {
    const story = await makeStory(editor)
    const created = (await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('typo'))).body
    const edited = await editor.patch(`/v1/stories/${story.id}/updates/${created.id}`, {
      blocks: [{ type: 'text', text: 'fixed' }],
      keyEvent: true,
    })
    expect(edited.status).toBe(200)
    expect(edited.body).toMatchObject({ id: created.id, keyEvent: true, seq: 2, html: '<p>fixed</p>' })
    expect(edited.body.editedAt).toEqual(expect.any(String))
    const events = (await server.api().get(`/v1/stories/${story.id}/events?since=1`)).body
    expect(events).toEqual({
      events: [expect.objectContaining({ seq: 2, type: 'update.edited', update: edited.body })],
      head: 2,
    })
    expect(events.events[0].lastUpdateAt).toBe(edited.body.editedAt)
  })

  it('appends nothing for an edit that changes nothing', async () => {
    const story = await makeStory(editor)
    const created = (await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('same'))).body
    const res = await editor.patch(`/v1/stories/${story.id}/updates/${created.id}`, textUpdate('same'))
    expect(res.status).toBe(200)
    expect(res.body).toEqual(created)
    expect((await server.api().get(`/v1/stories/${story.id}`)).body.seq).toBe(1)
  })

  it('refuses an empty edit', async () => {
    const story = await makeStory(editor)
    const created = (await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('x'))).body
    const res = await editor.patch(`/v1/stories/${story.id}/updates/${created.id}`, {})
    expect(res.status).toBe(400)
  })

  it('deletes an update: 204, gone from the list and GET, update.deleted appended, pinned story unpinned', async () => {
    const story = await makeStory(editor)
    const created = (
      await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('oops', { pinned: true }))
    ).body
    const res = await editor.delete(`/v1/stories/${story.id}/updates/${created.id}`)
    expect(res.status).toBe(204)
    expect((await server.api().get(`/v1/stories/${story.id}/updates/${created.id}`)).status).toBe(404)
    expect((await server.api().get(`/v1/stories/${story.id}/updates`)).body.items).toEqual([])
    const events = (await server.api().get(`/v1/stories/${story.id}/events?since=2`)).body.events
    expect(events.map((e: { type: string }) => e.type)).toEqual(['update.deleted', 'story.updated'])
    expect(events[0].updateId).toBe(created.id)
    const after = (await server.api().get(`/v1/stories/${story.id}`)).body
    expect(after).toMatchObject({ updateCount: 0, pinnedUpdateId: null, seq: 4 })
    expect((await editor.delete(`/v1/stories/${story.id}/updates/${created.id}`)).status).toBe(404)
  })

  it('lists updates newest first with a cursor', async () => {
    const story = await makeStory(editor)
    const ids: string[] = []
    for (let i = 0; i < 5; i++)
      ids.push((await editor.post(`/v1/stories/${story.id}/updates`, textUpdate(`u${i}`))).body.id)
    const page1 = (await server.api().get(`/v1/stories/${story.id}/updates?limit=3`)).body
    const page2 = (
      await server.api().get(`/v1/stories/${story.id}/updates?limit=3&cursor=${page1.nextCursor}`)
    ).body
    expect([...page1.items, ...page2.items].map((u: { id: string }) => u.id)).toEqual(ids.reverse())
    expect(page2.nextCursor).toBeNull()
  })
})
