import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, keyFor, makeStory, range, textUpdate } from './helpers/api.js'
import { startServer, type TestServer } from './helpers/server.js'
import { waitFor } from './helpers/wait-for.js'
import {
  acceptedSeqsByStory,
  createPrivateDatabase,
  type Receiver,
  startReceiver,
  verifySignature,
} from './helpers/webhook-receiver.js'

describe('webhooks: management, signatures and order', () => {
  let db: Awaited<ReturnType<typeof createPrivateDatabase>>
  let server: TestServer
  let editor: Api
  let partner: Api
  let otherPartner: Api
  const receivers: Receiver[] = []
  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const r = await startReceiver(...args)
    receivers.push(r)
    return r
  }

  beforeAll(async () => {
    db = await createPrivateDatabase()
    server = await startServer({ databaseUrl: db.url, webhooks: { retryScheduleMs: [50, 50, 50] } })
    editor = await keyFor(server.admin, 'editor')
    partner = await keyFor(server.admin, 'partner', 'partner A')
    otherPartner = await keyFor(server.admin, 'partner', 'partner B')
  })
  afterAll(async () => {
    for (const r of receivers) await r.close()
    await server?.stop()
    await db?.drop()
  })

  it('registers a webhook and shows its secret only in the creation response', async () => {
    const story = await makeStory(editor)
    const created = await partner.post('/v1/webhooks', {
      url: 'http://127.0.0.1:9/hook',
      stories: [story.id],
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      url: 'http://127.0.0.1:9/hook',
      stories: [story.id],
      events: null,
      disabledAt: null,
      disabledReason: null,
    })
    expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    expect(Buffer.from(created.body.secret.slice(6), 'base64')).toHaveLength(32)
    const fetched = await partner.get(`/v1/webhooks/${created.body.id}`)
    expect(fetched.status).toBe(200)
    expect(fetched.body).not.toHaveProperty('secret')
    const { secret: _, ...withoutSecret } = created.body
    expect(fetched.body).toEqual(withoutSecret)
    const listed = await partner.get('/v1/webhooks')
    expect(listed.body.items.find((w: { id: string }) => w.id === created.body.id)).toEqual(withoutSecret)
  })

  it('keeps each partner to its own webhooks, lets an admin see all, and refuses editors', async () => {
    const story = await makeStory(editor)
    const mine = await partner.post('/v1/webhooks', { url: 'http://127.0.0.1:9/a', stories: [story.slug] })
    expect(mine.body.stories).toEqual([story.id])
    const id = mine.body.id
    expect((await otherPartner.get(`/v1/webhooks/${id}`)).status).toBe(404)
    expect((await otherPartner.patch(`/v1/webhooks/${id}`, { enabled: false })).status).toBe(404)
    expect((await otherPartner.delete(`/v1/webhooks/${id}`)).status).toBe(404)
    expect((await otherPartner.get(`/v1/webhooks/${id}/deliveries`)).status).toBe(404)
    const theirs = await otherPartner.get('/v1/webhooks')
    expect(theirs.body.items.map((w: { id: string }) => w.id)).not.toContain(id)
    const all = await server.admin.get('/v1/webhooks?limit=100')
    expect(all.body.items.map((w: { id: string }) => w.id)).toContain(id)
    expect((await server.admin.get(`/v1/webhooks/${id}`)).status).toBe(200)

    const asEditor = await editor.post('/v1/webhooks', { url: 'http://127.0.0.1:9/', stories: ['*'] })
    expect(asEditor.status).toBe(403)
    expect(asEditor.body.error.code).toBe('forbidden')
    expect((await editor.get('/v1/webhooks')).status).toBe(403)
    const anonymous = await server.api().get('/v1/webhooks')
    expect(anonymous.status).toBe(401)
    expect(anonymous.body.error.code).toBe('unauthorized')

    expect((await partner.delete(`/v1/webhooks/${id}`)).status).toBe(204)
    expect((await partner.get(`/v1/webhooks/${id}`)).status).toBe(404)
  })

  it('answers bad input with invalid_request naming the field, and changes nothing', async () => {
    const before = (await partner.get('/v1/webhooks?limit=100')).body.items.length
    const draft = await makeStory(editor, { status: 'draft' })
    const cases: Array<[unknown, string]> = [
      [{ url: 'ftp://example.com/x', stories: ['*'] }, 'url'],
      [{ url: 'not a url', stories: ['*'] }, 'url'],
      [{ url: 'http://user:pw@example.com/', stories: ['*'] }, 'url'],
      [{ url: 'http://127.0.0.1:9/', stories: [] }, 'stories'],
      [{ url: 'http://127.0.0.1:9/', stories: ['*', 'x'] }, 'stories'],
      [{ url: 'http://127.0.0.1:9/', stories: ['no-such-story'] }, 'stories.0'],
      // A partner cannot see drafts, so it cannot follow one.
      [{ url: 'http://127.0.0.1:9/', stories: [draft.id] }, 'stories.0'],
      [{ url: 'http://127.0.0.1:9/', stories: ['*'], events: ['update.exploded'] }, 'events.0'],
      [{ url: 'http://127.0.0.1:9/', stories: ['*'], extra: 1 }, 'extra'],
      [{ stories: ['*'] }, 'url'],
    ]
    for (const [body, field] of cases) {
      const res = await partner.post('/v1/webhooks', body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.body.error.code).toBe('invalid_request')
      expect(Object.keys(res.body.error.details ?? {}), JSON.stringify(body)).toContain(field)
    }
    expect((await partner.get('/v1/webhooks?limit=100')).body.items.length).toBe(before)
    expect((await partner.get('/v1/webhooks/nope/deliveries')).status).toBe(404)
  })

  it('signs each delivery per Standard Webhooks and sends the Event exactly as the events endpoint has it', async () => {
    const r = await receiver()
    const story = await makeStory(editor)
    const created = await partner.post('/v1/webhooks', { url: `${r.url}/hooks`, stories: [story.id] })
    const posted = await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('signed'))
    await r.waitFor((x) => x.accepted().length === 1)
    const [got] = r.requests
    expect(verifySignature(created.body.secret, got!)).toBe(true)
    expect(verifySignature(`whsec_${Buffer.alloc(32).toString('base64')}`, got!)).toBe(false)
    expect(got!.path).toBe('/hooks')
    expect(got!.headers['content-type']).toBe('application/json')
    expect(got!.id).toMatch(/^msg[0-9a-f]{32}$/)
    expect(Math.abs(Number(got!.timestamp) - Date.now() / 1000)).toBeLessThan(60)
    const log = await server.api().get(`/v1/stories/${story.id}/events?since=0`)
    expect(got!.body).toBe(JSON.stringify(log.body.events[0]))
    expect(JSON.parse(got!.body)).toMatchObject({
      story: story.id,
      seq: 1,
      type: 'update.created',
      update: posted.body,
    })

    // The worker records the answer after the receiver has sent it.
    let deliveries: any
    await waitFor('the delivery recorded', async () => {
      deliveries = await partner.get(`/v1/webhooks/${created.body.id}/deliveries`)
      expect(deliveries.body.items[0]?.status).toBe('succeeded')
    })
    expect(deliveries.status).toBe(200)
    expect(deliveries.body.items).toHaveLength(1)
    expect(deliveries.body.items[0]).toMatchObject({
      id: got!.id,
      webhookId: created.body.id,
      story: story.id,
      seq: 1,
      type: 'update.created',
      status: 'succeeded',
      nextAttemptAt: null,
      attemptCount: 1,
      attempts: [{ statusCode: 204, error: null }],
    })
    expect(deliveries.body.items[0].attempts[0].latencyMs).toBeGreaterThanOrEqual(0)
  })

  it('delivers each story\u2019s events in seq order, one request per event, even when the endpoint is slow', async () => {
    // Random answer times would reorder events if two of one story were ever in flight at once.
    const r = await receiver(() => ({ status: 200, delayMs: Math.floor(Math.random() * 15) }))
    const a = await makeStory(editor)
    const b = await makeStory(editor)
    await partner.post('/v1/webhooks', { url: r.url, stories: [a.id, b.id] })
    await Promise.all([
      (async () => {
        for (let i = 0; i < 15; i++) await editor.post(`/v1/stories/${a.id}/updates`, textUpdate(`a${i}`))
      })(),
      (async () => {
        for (let i = 0; i < 15; i++) await editor.post(`/v1/stories/${b.id}/updates`, textUpdate(`b${i}`))
      })(),
    ])
    await r.waitFor((x) => x.accepted().length === 30)
    const seqs = acceptedSeqsByStory(r)
    expect(seqs.get(a.id)).toEqual(range(1, 15))
    expect(seqs.get(b.id)).toEqual(range(1, 15))
    expect(new Set(r.requests.map((x) => x.id)).size).toBe(30)
  })

  it('sends only the chosen event types, and no draft events to a partner (an admin\u2019s "*" gets them)', async () => {
    const forPartner = await receiver()
    const forAdmin = await receiver()
    const story = await makeStory(editor)
    await partner.post('/v1/webhooks', { url: forPartner.url, stories: ['*'], events: ['story.updated'] })
    const adminHook = await server.admin.post('/v1/webhooks', { url: forAdmin.url, stories: ['*'] })
    const draft = await makeStory(editor, { status: 'draft' })
    await editor.post(`/v1/stories/${draft.id}/updates`, textUpdate('embargoed'))
    await editor.patch(`/v1/stories/${draft.id}`, { summary: 'a story.updated no partner may see' })
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('not a story.updated'))
    await editor.patch(`/v1/stories/${story.id}`, { summary: 'now summarised' })
    await forPartner.waitFor((x) => x.accepted().some((q) => JSON.parse(q.body).story === story.id))
    await forAdmin.waitFor(
      (x) => x.accepted().filter((q) => JSON.parse(q.body).story === draft.id).length === 2,
    )
    await forAdmin.waitFor(
      (x) => x.accepted().filter((q) => JSON.parse(q.body).story === story.id).length === 2,
    )
    const partnerEvents = forPartner.accepted().map((q) => JSON.parse(q.body))
    expect(partnerEvents.every((e) => e.type === 'story.updated')).toBe(true)
    expect(partnerEvents.some((e) => e.story === draft.id)).toBe(false)
    expect(partnerEvents.filter((e) => e.story === story.id).map((e) => e.seq)).toEqual([2])
    await server.admin.delete(`/v1/webhooks/${adminHook.body.id}`)
  })

  it('stops sending to the webhooks of a revoked key', async () => {
    const r = await receiver()
    const story = await makeStory(editor)
    const created = await server.admin.post('/v1/keys', { name: 'leaving partner', role: 'partner' })
    const leaving = server.api(created.body.key)
    const hook = await leaving.post('/v1/webhooks', { url: r.url, stories: [story.id] })
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('before'))
    await r.waitFor((x) => x.accepted().length === 1)
    await server.admin.delete(`/v1/keys/${created.body.id}`)
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('after'))
    // A later event to a live endpoint proves the worker ran meanwhile.
    const control = await receiver()
    await partner.post('/v1/webhooks', { url: control.url, stories: [story.id] })
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('control'))
    await control.waitFor((x) => x.accepted().length === 1)
    // Nothing was queued for the revoked key's endpoint either, so nothing can reach it later.
    await waitFor('only the first delivery listed', async () => {
      const queued = (await server.admin.get(`/v1/webhooks/${hook.body.id}/deliveries`)).body.items
      expect(queued.map((d: { seq: number; status: string }) => `${d.seq}:${d.status}`)).toEqual([
        '1:succeeded',
      ])
    })
    expect(r.requests.map((q) => JSON.parse(q.body).seq)).toEqual([1])
  })

  it('does not follow redirects: a 3xx is a failed attempt', async () => {
    const r = await receiver((req) =>
      req.path === '/moved' ? { status: 302, headers: { location: '/elsewhere' } } : { status: 200 },
    )
    const story = await makeStory(editor)
    const hook = await partner.post('/v1/webhooks', { url: `${r.url}/moved`, stories: [story.id] })
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('x'))
    await r.waitFor((x) => x.requests.length >= 2)
    expect(r.requests.every((q) => q.path === '/moved')).toBe(true)
    const deliveries = await partner.get(`/v1/webhooks/${hook.body.id}/deliveries`)
    expect(deliveries.body.items[0].attempts[0]).toMatchObject({
      statusCode: 302,
      error: 'redirect to /elsewhere not followed',
    })
    await partner.patch(`/v1/webhooks/${hook.body.id}`, { enabled: false })
  })

  it('lists the routes in the OpenAPI document under Webhooks', async () => {
    const doc = (await server.api().get('/openapi.json')).body
    for (const path of [
      '/v1/webhooks',
      '/v1/webhooks/{id}',
      '/v1/webhooks/{id}/deliveries',
      '/v1/webhooks/{id}/deliveries/{deliveryId}/retry',
    ])
      expect(
        Object.values(doc.paths[path]).every((op: any) => op.tags[0] === 'Webhooks'),
        path,
      ).toBe(true)
    expect(
      doc.paths['/v1/webhooks'].post.responses['201'].content['application/json'].schema.required,
    ).toContain('secret')
  })
})
