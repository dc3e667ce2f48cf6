import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, keyFor, makeStory, textUpdate } from './helpers/api.js'
import { startServer, type TestServer } from './helpers/server.js'

let server: TestServer
let editor: Api
let partner: Api
beforeAll(async () => {
  server = await startServer()
  editor = await keyFor(server.admin, 'editor', 'Jane Editor')
  partner = await keyFor(server.admin, 'partner')
})
afterAll(() => server.stop())

const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/

describe('stories', () => {
  it('creates a story with a slug derived from the title and the contract fields', async () => {
    const title = `Israel seeks new US meeting after canceled Rafah talks ${Date.now()}`
    const res = await editor.post('/v1/stories', {
      title,
      section: 'World',
      summary: 'Talks were called off.',
    })
    expect(res.status).toBe(201)
    expect(res.body).toEqual({
      id: expect.any(String),
      slug: `israel-seeks-new-us-meeting-after-canceled-rafah-talks-${title.split(' ').pop()}`,
      title,
      summary: 'Talks were called off.',
      section: 'World',
      language: 'en',
      status: 'draft',
      comments: 'off',
      createdAt: expect.stringMatching(TIME),
      updatedAt: expect.stringMatching(TIME),
      lastUpdateAt: null,
      seq: 0,
      updateCount: 0,
      pinnedUpdateId: null,
    })
  })

  it('answers 409 for a taken explicit slug, and gives a derived one a suffix instead', async () => {
    const slug = `taken-${Date.now()}`
    expect((await editor.post('/v1/stories', { title: 'First', slug })).status).toBe(201)
    const again = await editor.post('/v1/stories', { title: 'Second', slug })
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('slug_taken')

    const title = `Same headline ${Date.now()}`
    const a = await editor.post('/v1/stories', { title })
    const b = await editor.post('/v1/stories', { title })
    expect(b.status).toBe(201)
    expect(b.body.slug).not.toBe(a.body.slug)
    expect(b.body.slug.startsWith(a.body.slug)).toBe(true)
  })

  it('gets a story by id and by slug', async () => {
    const story = await makeStory(editor)
    const byId = await server.api().get(`/v1/stories/${story.id}`)
    const bySlug = await server.api().get(`/v1/stories/${story.slug}`)
    expect(byId.status).toBe(200)
    expect(bySlug.body).toEqual(byId.body)
  })

  it('hides drafts from public readers and partners (404) but not from editors', async () => {
    const draft = await makeStory(editor, { status: 'draft' })
    expect((await server.api().get(`/v1/stories/${draft.id}`)).status).toBe(404)
    expect((await partner.get(`/v1/stories/${draft.slug}`)).status).toBe(404)
    expect((await server.api().get(`/v1/stories/${draft.id}/updates`)).status).toBe(404)
    expect((await server.api().get(`/v1/stories/${draft.id}/events`)).status).toBe(404)
    expect((await editor.get(`/v1/stories/${draft.id}`)).status).toBe(200)
    const publicList = await server.api().get('/v1/stories?limit=100')
    expect(publicList.body.items.map((s: { id: string }) => s.id)).not.toContain(draft.id)
    const draftsForPublic = await server.api().get('/v1/stories?status=draft')
    expect(draftsForPublic.body.items).toEqual([])
    const editorList = await editor.get('/v1/stories?status=draft&limit=100')
    expect(editorList.body.items.map((s: { id: string }) => s.id)).toContain(draft.id)
  })

  it('lists newest first with a cursor that pages through without repeats', async () => {
    const section = `paging-${Date.now()}`
    const made = []
    for (let i = 0; i < 5; i++) made.push(await makeStory(editor, { section }))
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const res: { body: { items: Array<{ id: string; section: string }>; nextCursor: string | null } } =
        await editor.get(`/v1/stories?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      seen.push(...res.body.items.filter((s) => s.section === section).map((s) => s.id))
      cursor = res.body.nextCursor
    } while (cursor && seen.length < 5)
    expect(seen).toEqual(made.map((s) => s.id).reverse())
  })

  it('rejects bad list parameters and a forged cursor with invalid_request', async () => {
    const bad = await server.api().get('/v1/stories?limit=1000&status=archived')
    expect(bad.status).toBe(400)
    expect(Object.keys(bad.body.error.details).sort()).toEqual(['limit', 'status'])
    const forged = await server.api().get('/v1/stories?cursor=garbage')
    expect(forged.status).toBe(400)
  })

  it('patches fields, appends story.updated, and refuses new updates once ended', async () => {
    const story = await makeStory(editor)
    const patched = await editor.patch(`/v1/stories/${story.id}`, { title: 'New title', summary: null })
    expect(patched.status).toBe(200)
    expect(patched.body).toMatchObject({ title: 'New title', summary: null, seq: 1 })
    const events = await server.api().get(`/v1/stories/${story.id}/events`)
    expect(events.body.events).toHaveLength(1)
    expect(events.body.events[0]).toMatchObject({ seq: 1, type: 'story.updated', storyState: patched.body })

    const ended = await editor.patch(`/v1/stories/${story.id}`, { status: 'ended' })
    expect(ended.body.status).toBe('ended')
    const post = await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('too late'))
    expect(post.status).toBe(409)
    expect(post.body.error.code).toBe('story_ended')
    const reopen = await editor.patch(`/v1/stories/${story.id}`, { status: 'live' })
    expect(reopen.status).toBe(409)
    expect((await server.api().get(`/v1/stories/${story.id}`)).body.seq).toBe(2)
  })

  it('pins and unpins an update through pinnedUpdateId, refusing updates of other stories', async () => {
    const story = await makeStory(editor)
    const other = await makeStory(editor)
    const update = (await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('pin me'))).body
    const foreign = (await editor.post(`/v1/stories/${other.id}/updates`, textUpdate('not here'))).body
    const pinned = await editor.patch(`/v1/stories/${story.id}`, { pinnedUpdateId: update.id })
    expect(pinned.body.pinnedUpdateId).toBe(update.id)
    const wrong = await editor.patch(`/v1/stories/${story.id}`, { pinnedUpdateId: foreign.id })
    expect(wrong.status).toBe(400)
    expect(wrong.body.error.details).toHaveProperty('pinnedUpdateId')
    const unpinned = await editor.patch(`/v1/stories/${story.id}`, { pinnedUpdateId: null })
    expect(unpinned.body.pinnedUpdateId).toBeNull()
  })

  it('makes no event for a patch that changes nothing', async () => {
    const story = await makeStory(editor)
    const current = (await editor.get(`/v1/stories/${story.id}`)).body
    const res = await editor.patch(`/v1/stories/${story.id}`, { title: current.title })
    expect(res.body.seq).toBe(0)
  })

  it('refuses writes from partners (403) and readers without a key (401)', async () => {
    const story = await makeStory(editor)
    expect((await partner.post('/v1/stories', { title: 'x' })).status).toBe(403)
    expect((await partner.patch(`/v1/stories/${story.id}`, { title: 'x' })).status).toBe(403)
    expect((await server.api().patch(`/v1/stories/${story.id}`, { title: 'x' })).status).toBe(401)
  })

  it('rejects unknown fields and bad values, naming each field', async () => {
    const res = await editor.post('/v1/stories', {
      title: '',
      slug: 'Not A Slug',
      colour: 'red',
      status: 'open',
    })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('invalid_request')
    expect(Object.keys(res.body.error.details).sort()).toEqual(['colour', 'slug', 'status', 'title'])
    expect(res.body.error.details.colour).toBe('unknown field: not accepted here')
  })
})
