import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, keyFor, makeStory, textUpdate } from './helpers/api.js'
import { startServer, type TestServer } from './helpers/server.js'
import { waitFor } from './helpers/wait-for.js'
import { startReceiver } from './helpers/webhook-receiver.js'
import { connectReader } from './helpers/ws-client.js'

let server: TestServer
let editor: Api
let contributor: Api
let partner: Api
let reader: Api
let selin: { id: string; name: string; title: string; avatarUrl: string }
let contributorPerson: { id: string }

beforeAll(async () => {
  server = await startServer()
  editor = await keyFor(server.admin, 'editor', 'acc-editor')
  partner = await keyFor(server.admin, 'partner')
  reader = server.api()
  selin = (
    await server.admin.post('/v1/people', {
      name: 'Selin Atay',
      title: 'Editor',
      avatarUrl: 'https://img.example.com/selin.jpg',
      bio: 'Runs the desk.',
    })
  ).body
  contributorPerson = (await editor.post('/v1/people', { name: 'Ali Stringer', title: 'Reporter' })).body
  const key = await server.admin.post('/v1/keys', {
    name: 'field',
    role: 'contributor',
    personId: contributorPerson.id,
  })
  contributor = server.api(key.body.key)
})
afterAll(() => server.stop())

const events = async (story: { id: string }) =>
  (await editor.get(`/v1/stories/${story.id}/events?since=0`)).body as {
    events: Array<{ type: string; seq: number; update?: { id: string } }>
    head: number
  }
const pageHtml = async (slug: string) => (await fetch(`${server.url}/s/${slug}`)).text()
const feedText = async (story: { id: string }, format: string) =>
  (await fetch(`${server.url}/v1/stories/${story.id}/feed.${format}`)).text()
function jsonLd(html: string): any {
  const match = /<script type="application\/ld\+json">([\s\S]*?)<\/script>/.exec(html)
  return JSON.parse(match![1]!)
}

describe('people', () => {
  it('creates, lists, reads, edits and deletes people; bad input is 400 naming the fields', async () => {
    expect(selin).toEqual({
      id: expect.any(String),
      name: 'Selin Atay',
      title: 'Editor',
      avatarUrl: 'https://img.example.com/selin.jpg',
      bio: 'Runs the desk.',
      createdAt: expect.stringMatching(/Z$/),
    })
    const created = await editor.post('/v1/people', { name: 'Temp Person' })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ title: null, avatarUrl: null, bio: null })
    const list = await reader.get('/v1/people')
    expect(list.body.items.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['Selin Atay', 'Temp Person']),
    )
    expect((await reader.get(`/v1/people/${created.body.id}`)).body.name).toBe('Temp Person')
    const edited = await editor.patch(`/v1/people/${created.body.id}`, { title: 'Photographer' })
    expect(edited.body).toMatchObject({ name: 'Temp Person', title: 'Photographer' })

    const bad = await editor.post('/v1/people', { name: '', avatarUrl: 'javascript:alert(1)' })
    expect(bad.status).toBe(400)
    expect(bad.body.error.code).toBe('invalid_request')
    expect(Object.keys(bad.body.error.details).sort()).toEqual(['avatarUrl', 'name'])

    expect((await contributor.post('/v1/people', { name: 'X' })).status).toBe(403)
    expect((await partner.patch(`/v1/people/${created.body.id}`, { name: 'X' })).status).toBe(403)
    expect((await reader.delete(`/v1/people/${created.body.id}`)).status).toBe(401)

    expect((await editor.delete(`/v1/people/${created.body.id}`)).status).toBe(204)
    expect((await reader.get(`/v1/people/${created.body.id}`)).status).toBe(404)
  })

  it('a key with a person posts under their byline; an editor may post under a colleague\u2019s', async () => {
    const key = await server.admin.post('/v1/keys', { name: 'selin-key', role: 'editor', personId: selin.id })
    expect(key.body.personId).toBe(selin.id)
    const selinApi = server.api(key.body.key)
    const story = await makeStory(editor)
    const own = await selinApi.post(`/v1/stories/${story.id}/updates`, textUpdate('Talks resume'))
    expect(own.body.author).toEqual({
      id: selin.id,
      name: 'Selin Atay',
      title: 'Editor',
      avatarUrl: 'https://img.example.com/selin.jpg',
    })
    const phoned = await editor.post(
      `/v1/stories/${story.id}/updates`,
      textUpdate('Phoned in', { authorId: contributorPerson.id }),
    )
    expect(phoned.body.author).toMatchObject({
      id: contributorPerson.id,
      name: 'Ali Stringer',
      title: 'Reporter',
    })
    const plain = await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('Key name'))
    expect(plain.body.author).toMatchObject({ name: 'acc-editor', title: null, avatarUrl: null })

    const unknown = await editor.post(
      `/v1/stories/${story.id}/updates`,
      textUpdate('x', { authorId: 'nope' }),
    )
    expect(unknown.status).toBe(400)
    expect(Object.keys(unknown.body.error.details)).toEqual(['authorId'])
    const badKey = await server.admin.post('/v1/keys', { name: 'k', role: 'editor', personId: 'nope' })
    expect(badKey.status).toBe(400)
    expect(Object.keys(badKey.body.error.details)).toEqual(['personId'])
    expect((await editor.post('/v1/keys', { name: 'k', role: 'editor', personId: selin.id })).status).toBe(
      403,
    )

    const html = await pageHtml(story.slug)
    expect(html).toContain('<img class="ll-avatar" src="https://img.example.com/selin.jpg"')
    expect(html).toContain(
      '<span class="ll-author-name">Selin Atay</span><span class="ll-author-title">, Editor</span>',
    )
    const post = jsonLd(html).liveBlogUpdate.find(
      (u: { articleBody: string }) => u.articleBody === 'Talks resume',
    )
    expect(post.author).toEqual({
      '@type': 'Person',
      name: 'Selin Atay',
      jobTitle: 'Editor',
      image: 'https://img.example.com/selin.jpg',
    })
    const feed = JSON.parse(await feedText(story, 'json'))
    const item = feed.items.find((i: { id: string }) => i.id === own.body.id)
    expect(item.authors).toEqual([{ name: 'Selin Atay', avatar: 'https://img.example.com/selin.jpg' }])
    expect(await feedText(story, 'atom')).toContain('<author><name>Selin Atay</name></author>')
  })
})

describe('contributors', () => {
  it('submissions wait unseen by readers until an editor publishes them', async () => {
    const story = await makeStory(editor)
    const before = await events(story)
    const sub = await contributor.post(
      `/v1/stories/${story.id}/updates`,
      textUpdate('Crowds at the border', { headline: 'From the field' }),
    )
    expect(sub.status).toBe(201)
    expect(sub.body).toMatchObject({ status: 'submitted', publishedAt: null, seq: 0 })
    expect(sub.body.author).toMatchObject({ id: contributorPerson.id, name: 'Ali Stringer' })

    // Nothing public: no event, not in the list, get, feeds, page or story counters.
    expect((await events(story)).head).toBe(before.head)
    expect((await reader.get(`/v1/stories/${story.id}/updates`)).body.items).toEqual([])
    expect((await reader.get(`/v1/stories/${story.id}/updates/${sub.body.id}`)).status).toBe(404)
    expect((await partner.get(`/v1/stories/${story.id}/updates/${sub.body.id}`)).status).toBe(404)
    for (const f of ['atom', 'json', 'rss']) expect(await feedText(story, f)).not.toContain('From the field')
    expect(await pageHtml(story.slug)).not.toContain('From the field')
    expect((await reader.get(`/v1/stories/${story.id}`)).body).toMatchObject({
      updateCount: 0,
      lastUpdateAt: null,
    })

    // The queue: editors see it; readers and partners may not list it.
    const queue = await editor.get(`/v1/stories/${story.id}/updates?status=submitted`)
    expect(queue.body.items.map((u: { id: string }) => u.id)).toEqual([sub.body.id])
    expect(
      (await contributor.get(`/v1/stories/${story.id}/updates?status=submitted`)).body.items,
    ).toHaveLength(1)
    expect((await reader.get(`/v1/stories/${story.id}/updates?status=submitted`)).status).toBe(401)
    expect((await partner.get(`/v1/stories/${story.id}/updates?status=submitted`)).status).toBe(403)

    // The contributor may fix its own submission; nothing is appended.
    const fixed = await contributor.patch(`/v1/stories/${story.id}/updates/${sub.body.id}`, {
      headline: 'From the border',
    })
    expect(fixed.body).toMatchObject({ status: 'submitted', headline: 'From the border' })
    expect((await events(story)).head).toBe(before.head)

    const published = await editor.patch(`/v1/stories/${story.id}/updates/${sub.body.id}`, {
      status: 'published',
    })
    expect(published.body).toMatchObject({ status: 'published', publishedAt: expect.stringMatching(/Z$/) })
    const after = await events(story)
    expect(after.events.map((e) => [e.type, e.update?.id])).toEqual([['update.created', sub.body.id]])
    expect((await reader.get(`/v1/stories/${story.id}/updates`)).body.items[0].id).toBe(sub.body.id)
    expect(await pageHtml(story.slug)).toContain('From the border')

    // Discarding another submission leaves no trace.
    const other = await contributor.post(`/v1/stories/${story.id}/updates`, textUpdate('Unverified rumour'))
    expect((await editor.delete(`/v1/stories/${story.id}/updates/${other.body.id}`)).status).toBe(204)
    expect((await editor.get(`/v1/stories/${story.id}/updates?status=submitted`)).body.items).toEqual([])
    expect((await events(story)).head).toBe(after.head)
  })

  it('every forbidden action is 403 and changes nothing', async () => {
    const story = await makeStory(editor)
    const editorsUpdate = (await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('Official'))).body
    const own = (await contributor.post(`/v1/stories/${story.id}/updates`, textUpdate('Mine'))).body
    const head = (await events(story)).head
    const storyBefore = (await editor.get(`/v1/stories/${story.id}`)).body
    const inAnHour = new Date(Date.now() + 3600_000).toISOString()

    const attempts = [
      contributor.post(`/v1/stories/${story.id}/updates`, textUpdate('Later', { publishAt: inAnHour })),
      contributor.post(`/v1/stories/${story.id}/updates`, textUpdate('Pin me', { pinned: true })),
      contributor.post(`/v1/stories/${story.id}/updates`, textUpdate('As Selin', { authorId: selin.id })),
      contributor.patch(`/v1/stories/${story.id}/updates/${own.id}`, { status: 'published' }),
      contributor.patch(`/v1/stories/${story.id}/updates/${own.id}`, { publishAt: inAnHour }),
      contributor.patch(`/v1/stories/${story.id}/updates/${own.id}`, { authorId: selin.id }),
      contributor.patch(`/v1/stories/${story.id}/updates/${editorsUpdate.id}`, { headline: 'Hijacked' }),
      contributor.patch(`/v1/stories/${story.id}/updates/${editorsUpdate.id}`, { correction: 'No' }),
      contributor.delete(`/v1/stories/${story.id}/updates/${editorsUpdate.id}`),
      contributor.patch(`/v1/stories/${story.id}`, { title: 'Renamed' }),
      contributor.patch(`/v1/stories/${story.id}`, { status: 'ended' }),
      contributor.post('/v1/stories', { title: 'New story' }),
      contributor.post('/v1/keys', { name: 'k', role: 'editor' }),
      contributor.post('/v1/people', { name: 'Someone' }),
    ]
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(403)
      expect(res.body.error.code).toBe('forbidden')
    }
    expect((await events(story)).head).toBe(head)
    expect((await editor.get(`/v1/stories/${story.id}`)).body).toEqual(storyBefore)
    expect((await editor.get(`/v1/stories/${story.id}/updates/${editorsUpdate.id}`)).body).toEqual(
      editorsUpdate,
    )
    expect((await editor.get(`/v1/stories/${story.id}/updates/${own.id}`)).body).toEqual(own)
    expect((await editor.get(`/v1/stories/${story.id}/updates?status=scheduled`)).body.items).toEqual([])

    // Once published it is the desk's: the contributor can no longer change it.
    await editor.patch(`/v1/stories/${story.id}/updates/${own.id}`, { status: 'published' })
    expect(
      (await contributor.patch(`/v1/stories/${story.id}/updates/${own.id}`, { headline: 'x' })).status,
    ).toBe(403)
    expect((await contributor.delete(`/v1/stories/${story.id}/updates/${own.id}`)).status).toBe(403)
  })
})

describe('scheduling', () => {
  it('reschedules and publishes now; scheduled updates stay out of every public read', async () => {
    const story = await makeStory(editor)
    const inAnHour = new Date(Date.now() + 3600_000).toISOString()
    const later = new Date(Date.now() + 7200_000).toISOString()
    const sched = await editor.post(
      `/v1/stories/${story.id}/updates`,
      textUpdate('Talks resume in Washington', { publishAt: inAnHour }),
    )
    expect(sched.body).toMatchObject({ status: 'scheduled', publishAt: inAnHour, publishedAt: null })
    expect((await events(story)).head).toBe(0)
    expect((await reader.get(`/v1/stories/${story.id}/updates`)).body.items).toEqual([])
    expect(await feedText(story, 'atom')).not.toContain('Talks resume')
    expect(await pageHtml(story.slug)).not.toContain('Talks resume')

    const moved = await editor.patch(`/v1/stories/${story.id}/updates/${sched.body.id}`, { publishAt: later })
    expect(moved.body).toMatchObject({ status: 'scheduled', publishAt: later })
    const queue = await editor.get(`/v1/stories/${story.id}/updates?status=scheduled`)
    expect(queue.body.items.map((u: { publishAt: string }) => u.publishAt)).toEqual([later])
    expect((await events(story)).head).toBe(0)

    const now = await editor.patch(`/v1/stories/${story.id}/updates/${sched.body.id}`, {
      status: 'published',
    })
    expect(now.body.status).toBe('published')
    expect(Date.parse(now.body.publishedAt)).toBeLessThan(Date.parse(inAnHour))
    expect((await events(story)).events.map((e) => e.type)).toEqual(['update.created'])
    expect(await pageHtml(story.slug)).toContain('Talks resume in Washington')

    const bad = await editor.post(
      `/v1/stories/${story.id}/updates`,
      textUpdate('x', { publishAt: 'tomorrow' }),
    )
    expect(bad.status).toBe(400)
    expect(Object.keys(bad.body.error.details)).toEqual(['publishAt'])
  })

  it('publishes once, on time, on the surviving instance when the other has stopped', async () => {
    const other = await startServer()
    const story = await makeStory(editor)
    const otherEditor = other.api(editor.key)
    const publishAt = new Date(Date.now() + 2500)
    const sched = await otherEditor.post(
      `/v1/stories/${story.id}/updates`,
      textUpdate('At its time', { publishAt: publishAt.toISOString() }),
    )
    expect(sched.body.status).toBe('scheduled')
    await other.stop()
    await waitFor(
      'the scheduled update published',
      async () => expect((await events(story)).head).toBeGreaterThan(0),
      { timeoutMs: 6000 },
    )
    const log = await events(story)
    expect(log.events.map((e) => [e.type, e.update?.id])).toEqual([['update.created', sched.body.id]])
    const published = (await reader.get(`/v1/stories/${story.id}/updates/${sched.body.id}`)).body
    const lateness = Date.parse(published.publishedAt) - publishAt.getTime()
    expect(lateness).toBeGreaterThanOrEqual(0)
    expect(lateness).toBeLessThan(1000)
  })
})

describe('a claim whose instance died', () => {
  it('runs out, and the update is published by another instance then', async () => {
    const story = await makeStory(editor)
    const publishAt = new Date(Date.now() + 300)
    const sched = await editor.post(
      `/v1/stories/${story.id}/updates`,
      textUpdate('Claimed by the dead', { publishAt: publishAt.toISOString() }),
    )
    // What an instance that claimed it and then died leaves behind: a claim running 1.5 s.
    const claimedUntil = new Date(Date.now() + 1500)
    await server.app.deps.db
      .updateTable('updates')
      .set({ claimed_until: claimedUntil })
      .where('id', '=', sched.body.id)
      .execute()
    await waitFor(
      'the update published after the claim ran out',
      async () => expect((await events(story)).head).toBe(1),
      { timeoutMs: 5000 },
    )
    const published = (await reader.get(`/v1/stories/${story.id}/updates/${sched.body.id}`)).body
    expect(Date.parse(published.publishedAt)).toBeGreaterThanOrEqual(claimedUntil.getTime())
    expect(Date.parse(published.publishedAt) - claimedUntil.getTime()).toBeLessThan(1000)
  })
})

describe('live readers', () => {
  it('get nothing of a submission, and a scheduled update only when it is published', async () => {
    const story = await makeStory(editor)
    const ws = await connectReader(server.wsUrl)
    await ws.subscribe(story.id, 0)
    await contributor.post(`/v1/stories/${story.id}/updates`, textUpdate('Submitted, unseen'))
    const publishAt = new Date(Date.now() + 1500).toISOString()
    const sched = await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('Due soon', { publishAt }))
    // A published marker: everything before it in the stream is what the reader was sent.
    const marker = await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('Marker'))
    await ws.waitFor((r) => r.events(story.id).length >= 1, 5000, 'the marker')
    expect(ws.events(story.id).map((e) => e.update.id)).toEqual([marker.body.id])
    await ws.waitFor((r) => r.events(story.id).length >= 2, 5000, 'the scheduled update')
    const [, created] = ws.events(story.id)
    expect(created).toMatchObject({
      type: 'update.created',
      seq: 2,
      update: { id: sched.body.id, status: 'published' },
    })
    expect(ws.events(story.id)).toHaveLength(2)
    ws.close()
  })
})

describe('webhooks', () => {
  it('deliver nothing of a submission or a scheduled update until it is published', async () => {
    const receiver = await startReceiver()
    try {
      const story = await makeStory(editor)
      const hook = await server.admin.post('/v1/webhooks', { url: receiver.url, stories: [story.id] })
      expect(hook.status).toBe(201)
      await contributor.post(`/v1/stories/${story.id}/updates`, textUpdate('Submitted'))
      const inAnHour = new Date(Date.now() + 3600_000).toISOString()
      const sched = await editor.post(
        `/v1/stories/${story.id}/updates`,
        textUpdate('Later', { publishAt: inAnHour }),
      )
      const marker = await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('Marker'))
      await receiver.waitFor((r) => r.accepted().length >= 1, 5000, 'the marker delivered')
      await editor.patch(`/v1/stories/${story.id}/updates/${sched.body.id}`, { status: 'published' })
      await receiver.waitFor((r) => r.accepted().length >= 2, 5000, 'the published update delivered')
      const delivered = receiver.accepted().map((r) => JSON.parse(r.body))
      expect(delivered.map((e) => [e.seq, e.type, e.update.id])).toEqual([
        [1, 'update.created', marker.body.id],
        [2, 'update.created', sched.body.id],
      ])
    } finally {
      await receiver.close()
    }
  })
})

describe('key persons', () => {
  it('only an admin gives a key a person; later posts carry that byline', async () => {
    const created = await server.admin.post('/v1/keys', { name: 'later-selin', role: 'editor' })
    const api = server.api(created.body.key)
    expect((await editor.patch(`/v1/keys/${created.body.id}`, { personId: selin.id })).status).toBe(403)
    const set = await server.admin.patch(`/v1/keys/${created.body.id}`, { personId: selin.id })
    expect(set.body).toMatchObject({ id: created.body.id, personId: selin.id })
    const story = await makeStory(editor)
    const posted = await api.post(`/v1/stories/${story.id}/updates`, textUpdate('Now as Selin'))
    expect(posted.body.author.name).toBe('Selin Atay')
    const missing = await server.admin.patch(`/v1/keys/${created.body.id}`, { personId: 'nope' })
    expect(missing.status).toBe(400)
    expect((await server.admin.patch('/v1/keys/nope', { personId: null })).status).toBe(404)
  })
})

describe('corrections', () => {
  it('appends the note, tells live readers, and shows it on the page, in feeds and in JSON-LD', async () => {
    const story = await makeStory(editor)
    const posted = (
      await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('The meeting is on Monday'))
    ).body
    const ws = await connectReader(server.wsUrl)
    await ws.subscribe(story.id, posted.seq)
    // Markup in a note stays text everywhere it is shown.
    const note = 'An earlier version said Monday; the meeting is on <b>Tuesday</b>'
    const escapedNote = 'An earlier version said Monday; the meeting is on &lt;b&gt;Tuesday&lt;/b&gt;'
    const corrected = await editor.patch(`/v1/stories/${story.id}/updates/${posted.id}`, {
      blocks: [{ type: 'text', text: 'The meeting is on Tuesday' }],
      correction: note,
    })
    expect(corrected.status).toBe(200)
    expect(corrected.body.corrections).toEqual([{ at: corrected.body.editedAt, note }])
    // The contract's `html` is the headline and blocks: the correction is in `corrections` only.
    expect(corrected.body.html).toBe('<p>The meeting is on Tuesday</p>')
    const log = await events(story)
    expect(log.events.map((e) => e.type)).toEqual(['update.created', 'update.edited'])

    // Live readers get the whole corrected update, from which the page renders the note at once.
    await ws.waitFor((r) => r.events(story.id).length >= 1, 5000, 'the correction')
    const [edited] = ws.events(story.id)
    expect(edited).toMatchObject({ type: 'update.edited', update: { corrections: [{ note }] } })
    expect(edited.update.html).toBe('<p>The meeting is on Tuesday</p>')
    ws.close()

    const stamp = `${corrected.body.editedAt.slice(0, 10)} ${corrected.body.editedAt.slice(11, 16)} UTC`
    const shown = `<p class="ll-correction"><strong>Correction</strong>, <time datetime="${corrected.body.editedAt}">${stamp}</time>: ${escapedNote}</p>`
    const html = await pageHtml(story.slug)
    expect(html).toContain(
      `<div class="ll-body"><p>The meeting is on Tuesday</p></div><aside class="ll-corrections">${shown}</aside>`,
    )
    expect(html).not.toContain('<b>Tuesday')
    // The widget renders the same fragment.
    expect(await (await fetch(`${server.url}/s/${story.slug}/fragment`)).text()).toContain(shown)
    const entryHtml = `<p>The meeting is on Tuesday</p><aside class="ll-corrections">${shown}</aside>`
    expect(JSON.parse(await feedText(story, 'json')).items[0].content_html).toBe(entryHtml)
    for (const f of ['atom', 'rss']) {
      const feed = await feedText(story, f)
      // The entry's HTML is itself escaped once more inside the XML.
      expect(feed).toContain('&lt;strong&gt;Correction&lt;/strong&gt;, ')
      expect(feed).toContain('&amp;lt;b&amp;gt;Tuesday')
    }
    const post = jsonLd(html).liveBlogUpdate[0]
    expect(post.correction).toEqual([
      { '@type': 'CorrectionComment', text: note, datePublished: corrected.body.editedAt },
    ])

    const second = await editor.patch(`/v1/stories/${story.id}/updates/${posted.id}`, {
      correction: 'Second',
    })
    expect(second.body.corrections.map((c: { note: string }) => c.note)).toEqual([note, 'Second'])
    expect(second.body.html).toBe('<p>The meeting is on Tuesday</p>')
    expect((await pageHtml(story.slug)).match(/class="ll-correction"/g)).toHaveLength(2)

    const draft = (await contributor.post(`/v1/stories/${story.id}/updates`, textUpdate('unseen'))).body
    const early = await editor.patch(`/v1/stories/${story.id}/updates/${draft.id}`, { correction: 'x' })
    expect(early.status).toBe(400)
    expect(Object.keys(early.body.error.details)).toEqual(['correction'])
  })
})
