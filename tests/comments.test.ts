import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, keyFor, makeStory, textUpdate } from './helpers/api.js'
import { startServer, type TestServer } from './helpers/server.js'
import { useWebhookTestBed } from './helpers/webhook-receiver.js'
import { connectReader } from './helpers/ws-client.js'

const CLEAN = 'Thank you for the clear reporting on the storm tonight.'
const CLEAN_2 = 'The bridge near our house is closed since this morning.'

/** A fresh story with comments set as asked (`makeStory` creates it live). */
async function storyWithComments(editor: Api, comments: string, fields: Record<string, unknown> = {}) {
  const story = await makeStory(editor, fields)
  const res = await editor.patch(`/v1/stories/${story.id}`, { comments })
  expect(res.status).toBe(200)
  expect(res.body.comments).toBe(comments)
  return res.body as { id: string; slug: string; seq: number }
}

describe('reader comments over HTTP and the websocket', () => {
  let server: TestServer
  let editor: Api
  let reader: Api
  beforeAll(async () => {
    server = await startServer({ comments: { perStory: 100, perAddress: 1000 } })
    editor = await keyFor(server.admin, 'editor')
    reader = server.api()
    // Until the dictionaries are built the spelling rules hold every comment.
    await server.app.comments.rules.ready()
  }, 60_000)
  afterAll(() => server.stop())

  it('a new story has comments off, and takes none: 409 comments_closed', async () => {
    const story = await makeStory(editor)
    expect((await reader.get(`/v1/stories/${story.id}`)).body.comments).toBe('off')
    const res = await reader.post(`/v1/stories/${story.id}/comments`, { name: 'Ayşe', text: CLEAN })
    expect(res.status).toBe(409)
    expect(res.body.error.code).toBe('comments_closed')
  })

  it('publishes comments that crowd in at once on an open story, each once with its own seq, in the log and live', async () => {
    const story = await storyWithComments(editor, 'open')
    const ws = await connectReader(server.wsUrl)
    await ws.subscribe(story.id, story.seq)
    const texts = Array.from(
      { length: 40 },
      (_, i) => `Thank you for the coverage, reader number ${i + 1} here.`,
    )
    const posted = await Promise.all(
      texts.map((text) => reader.post(`/v1/stories/${story.id}/comments`, { name: 'Crowd', text })),
    )
    expect(posted.map((r) => [r.status, r.body.status])).toEqual(texts.map(() => [201, 'published']))
    const log = await editor.get(`/v1/stories/${story.id}/events?since=${story.seq}`)
    expect(log.body.events.map((e: { seq: number }) => e.seq)).toEqual(texts.map((_, i) => story.seq + i + 1))
    expect(new Set(log.body.events.map((e: { comment: { id: string } }) => e.comment.id))).toEqual(
      new Set(posted.map((r) => r.body.id)),
    )
    await ws.waitFor((r) => r.events(story.id).length >= texts.length, 10_000, 'every comment live')
    expect(ws.events(story.id).map((e) => e.seq)).toEqual(texts.map((_, i) => story.seq + i + 1))
    ws.close()
    const list = await reader.get(`/v1/stories/${story.id}/comments?limit=100`)
    expect(list.body.items).toHaveLength(texts.length)
  })

  it('on a moderated story a comment waits; approving it reaches readers live and in the list', async () => {
    const story = await storyWithComments(editor, 'moderated')
    const ws = await connectReader(server.wsUrl)
    ws.send({ type: 'subscribe', story: story.id })
    await ws.waitForFrame('subscribed')

    const posted = await reader.post(`/v1/stories/${story.slug}/comments`, { name: 'Jane', text: CLEAN })
    expect(posted.status).toBe(201)
    expect(posted.body).toMatchObject({
      storyId: story.id,
      name: 'Jane',
      text: CLEAN,
      status: 'pending',
      reasons: [],
    })
    expect(posted.body.decidedAt).toBeNull()
    expect(posted.body).not.toHaveProperty('clientKey')
    expect((await reader.get(`/v1/stories/${story.id}/comments`)).body.items).toEqual([])
    const queue = await editor.get(`/v1/stories/${story.id}/comments?status=pending`)
    expect(queue.body.items.map((c: { id: string }) => c.id)).toEqual([posted.body.id])

    const approved = await editor.patch(`/v1/stories/${story.id}/comments/${posted.body.id}`, {
      status: 'published',
    })
    expect(approved.status).toBe(200)
    expect(approved.body.status).toBe('published')
    await ws.waitFor((r) => r.events(story.id).some((e) => e.type === 'comment.published'))
    const event = ws.events(story.id).find((e) => e.type === 'comment.published')
    expect(event.comment).toEqual(approved.body)
    // The pending comment appended nothing: the approval is the story's first event after the setting.
    expect(event.seq).toBe(story.seq + 1)
    const list = await reader.get(`/v1/stories/${story.id}/comments`)
    expect(list.body.items).toEqual([approved.body])
    ws.ws.close()
  })

  it('on an open story a clean comment is published at once; a rejected one changes nothing readers see', async () => {
    const story = await storyWithComments(editor, 'open')
    const clean = await reader.post(`/v1/stories/${story.id}/comments`, { name: 'Ali', text: CLEAN })
    expect(clean.body.status).toBe('published')
    expect(clean.body.decidedAt).not.toBeNull()

    const before = (await reader.get(`/v1/stories/${story.id}`)).body.seq
    const shouting = await reader.post(`/v1/stories/${story.id}/comments`, {
      name: 'Bob',
      text: 'THIS IS A DISGRACE AND EVERYONE KNOWS IT',
    })
    expect(shouting.status).toBe(201)
    expect(shouting.body).toMatchObject({ status: 'rejected', reasons: ['all_caps'] })
    const linked = await reader.post(`/v1/stories/${story.id}/comments`, {
      name: 'Spam',
      text: 'Great deals on watches at example.com today',
    })
    expect(linked.body).toMatchObject({ status: 'pending', reasons: ['link'] })
    expect((await reader.get(`/v1/stories/${story.id}`)).body.seq).toBe(before)
    const events = (await reader.get(`/v1/stories/${story.id}/events?since=${before}`)).body.events
    expect(events).toEqual([])
    const published = (await reader.get(`/v1/stories/${story.id}/comments`)).body.items
    expect(published.map((c: { id: string }) => c.id)).toEqual([clean.body.id])
    const rejected = await editor.get(`/v1/stories/${story.id}/comments?status=rejected`)
    expect(rejected.body.items.map((c: { id: string }) => c.id)).toEqual([shouting.body.id])

    // The same text again from the same client within ten minutes: `repeat`.
    const again = await reader.post(`/v1/stories/${story.id}/comments`, { name: 'Ali', text: CLEAN })
    expect(again.body).toMatchObject({ status: 'rejected', reasons: ['repeat'] })
  })

  it('rejecting or deleting a published comment appends comment.removed; readers resume across both with since', async () => {
    const story = await storyWithComments(editor, 'open')
    const a = await reader.post(`/v1/stories/${story.id}/comments`, { name: 'A', text: CLEAN })
    const b = await reader.post(`/v1/stories/${story.id}/comments`, { name: 'B', text: CLEAN_2 })
    expect([a.body.status, b.body.status]).toEqual(['published', 'published'])
    const since = (await reader.get(`/v1/stories/${story.id}`)).body.seq

    const rejected = await editor.patch(`/v1/stories/${story.id}/comments/${a.body.id}`, {
      status: 'rejected',
    })
    expect(rejected.body.status).toBe('rejected')
    expect((await editor.delete(`/v1/stories/${story.id}/comments/${b.body.id}`)).status).toBe(204)
    expect((await editor.delete(`/v1/stories/${story.id}/comments/${b.body.id}`)).status).toBe(404)
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('Marker after the removals'))

    const ws = await connectReader(server.wsUrl)
    ws.send({ type: 'subscribe', story: story.id, since })
    await ws.waitFor((r) => r.events(story.id).some((e) => e.type === 'update.created'))
    expect(ws.events(story.id).map((e) => [e.seq, e.type, e.commentId])).toEqual([
      [since + 1, 'comment.removed', a.body.id],
      [since + 2, 'comment.removed', b.body.id],
      [since + 3, 'update.created', undefined],
    ])
    expect((await reader.get(`/v1/stories/${story.id}/comments`)).body.items).toEqual([])
    ws.ws.close()
  })

  it('refuses bad input with 400 naming the field, and changes nothing', async () => {
    const story = await storyWithComments(editor, 'open')
    const cases: Array<[unknown, string]> = [
      [{ name: '', text: CLEAN }, 'name'],
      [{ name: 'x'.repeat(61), text: CLEAN }, 'name'],
      [{ name: 'Jane', text: 'y'.repeat(2001) }, 'text'],
      [{ name: 'Jane', text: 'hello \u202ethere' }, 'text'],
      [{ name: 'Ja\u0007ne', text: CLEAN }, 'name'],
      [{ name: 'Jane' }, 'text'],
      [{ name: 'Jane', text: CLEAN, status: 'published' }, 'status'],
    ]
    for (const [body, field] of cases) {
      const res = await reader.post(`/v1/stories/${story.id}/comments`, body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.body.error.code).toBe('invalid_request')
      expect(Object.keys(res.body.error.details)).toContain(field)
    }
    const lists = await Promise.all(
      ['pending', 'published', 'rejected'].map((s) =>
        editor.get(`/v1/stories/${story.id}/comments?status=${s}`),
      ),
    )
    expect(lists.flatMap((l) => l.body.items)).toEqual([])
  })

  it('keeps markup as plain text in the API and escapes it on the reader page', async () => {
    const story = await storyWithComments(editor, 'open')
    const text = 'Nice coverage </script><script>alert(1)</script> <b>really</b> well done'
    const posted = await reader.post(`/v1/stories/${story.id}/comments`, {
      name: '<img src=x onerror=alert(1)>',
      text,
    })
    expect(posted.body.text).toBe(text)
    const page = await reader.get(`/s/${story.slug}`)
    expect(page.status).toBe(200)
    expect(page.body).not.toContain('<script>alert(1)')
    expect(page.body).not.toContain('<img src=x')
    expect(page.body).toContain(
      '&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;really&lt;/b&gt;',
    )
    expect(page.body).toContain('&lt;img src=x onerror=alert(1)&gt;')
    // The policy is printed above the form while comments are open.
    expect(page.body).toMatch(/class="ll-policy">Comments that contain insults/)
  })

  it('only editors and admins list pending or rejected comments: public 401, partner 403', async () => {
    const story = await storyWithComments(editor, 'moderated')
    expect((await reader.get(`/v1/stories/${story.id}/comments?status=pending`)).status).toBe(401)
    const partner = await keyFor(server.admin, 'partner')
    expect((await partner.get(`/v1/stories/${story.id}/comments?status=rejected`)).status).toBe(403)
    expect((await server.admin.get(`/v1/stories/${story.id}/comments?status=pending`)).status).toBe(200)
    const posted = await reader.post(`/v1/stories/${story.id}/comments`, { name: 'C', text: CLEAN })
    expect(
      (await reader.patch(`/v1/stories/${story.id}/comments/${posted.body.id}`, { status: 'published' }))
        .status,
    ).toBe(401)
    expect((await partner.delete(`/v1/stories/${story.id}/comments/${posted.body.id}`)).status).toBe(403)
  })

  it('closed: nothing new is accepted, published comments stay visible', async () => {
    const story = await storyWithComments(editor, 'open')
    const posted = await reader.post(`/v1/stories/${story.id}/comments`, { name: 'D', text: CLEAN })
    await editor.patch(`/v1/stories/${story.id}`, { comments: 'closed' })
    const refused = await reader.post(`/v1/stories/${story.id}/comments`, { name: 'D', text: CLEAN_2 })
    expect(refused.status).toBe(409)
    expect(refused.body.error.code).toBe('comments_closed')
    expect(
      (await reader.get(`/v1/stories/${story.id}/comments`)).body.items.map((c: { id: string }) => c.id),
    ).toEqual([posted.body.id])
  })

  it('counts comments received and decided, and the moderation queue, in /metrics', async () => {
    const story = await storyWithComments(editor, 'moderated')
    await reader.post(`/v1/stories/${story.id}/comments`, { name: 'E', text: CLEAN })
    const metrics = String((await reader.get('/metrics')).body)
    expect(metrics).toMatch(/liveline_comments_received_total [1-9]/)
    expect(metrics).toMatch(/liveline_comments_decided_total\{status="pending",by="rules"\} [1-9]/)
    expect(metrics).toMatch(/liveline_comment_rules_fired_total\{rule="all_caps"\} [1-9]/)
    expect(metrics).toMatch(/liveline_comments_pending [1-9]/)
  })
})

describe('comment rate limits', () => {
  const servers: TestServer[] = []
  afterAll(async () => {
    for (const s of servers) await s.stop()
  })

  it('answers 429 rate_limited with Retry-After past the per-story limit, counted across two instances on Redis; readers on either see approvals', async () => {
    const busPrefix = `liveline-test:comments:${Math.random().toString(36).slice(2)}:`
    const options = { redis: true, busPrefix, comments: { perStory: 3, perAddress: 100 } }
    const a = await startServer(options)
    const b = await startServer(options)
    servers.push(a, b)
    const editor = await keyFor(a.admin, 'editor')
    const story = await storyWithComments(editor, 'moderated')
    const texts = [
      'First comment here.',
      'Second comment here.',
      'Third comment here.',
      'Fourth comment here.',
    ]
    const statuses = []
    for (const [i, text] of texts.entries()) {
      const res = await (i % 2 ? b : a).api().post(`/v1/stories/${story.id}/comments`, { name: 'F', text })
      statuses.push(res.status)
      if (res.status === 429) {
        expect(res.body.error.code).toBe('rate_limited')
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
      }
    }
    expect(statuses).toEqual([201, 201, 201, 429])

    // A reader on the other instance sees an approval made on this one.
    const ws = await connectReader(b.wsUrl)
    ws.send({ type: 'subscribe', story: story.id })
    await ws.waitForFrame('subscribed')
    const queue = await editor.get(`/v1/stories/${story.id}/comments?status=pending`)
    const first = queue.body.items.at(-1)
    await editor.patch(`/v1/stories/${story.id}/comments/${first.id}`, { status: 'published' })
    await ws.waitFor((r) => r.events(story.id).some((e) => e.type === 'comment.published'))
    expect(ws.events(story.id).map((e) => e.comment?.id)).toEqual([first.id])
    ws.ws.close()
    // Another story is counted on its own.
    const other = await storyWithComments(editor, 'moderated')
    expect(
      (await b.api().post(`/v1/stories/${other.id}/comments`, { name: 'F', text: 'Elsewhere.' })).status,
    ).toBe(201)
  })

  it('trusts the client-address header only when it is configured', async () => {
    const trusting = await startServer({ comments: { perStory: 1, clientIpHeader: 'Fly-Client-IP' } })
    const untrusting = await startServer({ comments: { perStory: 1 } })
    servers.push(trusting, untrusting)
    for (const [server, expected] of [
      [trusting, [201, 201, 429]],
      [untrusting, [201, 429, 429]],
    ] as const) {
      const editor = await keyFor(server.admin, 'editor')
      const story = await storyWithComments(editor, 'moderated')
      const statuses = []
      for (const [i, address] of ['198.51.100.1', '198.51.100.2', '198.51.100.2'].entries()) {
        const res = await server
          .api()
          .post(
            `/v1/stories/${story.id}/comments`,
            { name: 'G', text: `Comment number ${i}.` },
            { 'Fly-Client-IP': address },
          )
        statuses.push(res.status)
      }
      expect(statuses).toEqual(expected)
    }
  })
})

describe('comment events by webhook: opt-in', () => {
  const bed = useWebhookTestBed()

  it('an endpoint naming comment.published gets it; one without an events list does not', async () => {
    const server = await bed.start()
    await server.app.comments.rules.ready()
    const editor = await keyFor(server.admin, 'editor')
    const partner = await keyFor(server.admin, 'partner')
    const story = await storyWithComments(editor, 'open')
    const optedIn = await bed.receiver()
    const everything = await bed.receiver()
    expect(
      (
        await partner.post('/v1/webhooks', {
          url: optedIn.url,
          stories: [story.id],
          events: ['update.created', 'comment.published'],
        })
      ).status,
    ).toBe(201)
    expect((await partner.post('/v1/webhooks', { url: everything.url, stories: [story.id] })).status).toBe(
      201,
    )

    const comment = await server.api().post(`/v1/stories/${story.id}/comments`, { name: 'H', text: CLEAN })
    expect(comment.body.status).toBe('published')
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('Marker update'))
    const types = (r: typeof optedIn) => r.accepted().map((req) => JSON.parse(req.body).type as string)
    await optedIn.waitFor((r) => types(r).includes('update.created'))
    await everything.waitFor((r) => types(r).includes('update.created'))
    expect(types(optedIn).sort()).toEqual(['comment.published', 'update.created'])
    expect(types(everything)).toEqual(['update.created'])
    const delivered = optedIn
      .accepted()
      .map((req) => JSON.parse(req.body))
      .find((e) => e.type === 'comment.published')
    expect(delivered.comment).toEqual(comment.body)
  })
})
