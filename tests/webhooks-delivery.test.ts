import { describe, expect, it } from 'vitest'
import { type Api, keyFor, makeStory, range, textUpdate } from './helpers/api.js'
import { waitFor } from './helpers/wait-for.js'
import { acceptedSeqsByStory, type Receiver, useWebhookTestBed } from './helpers/webhook-receiver.js'

describe('webhook delivery: retries, restarts, several instances, outbound safety', () => {
  const { start, receiver } = useWebhookTestBed()
  const post = (editor: Api, storyId: string, n: number) =>
    (async () => {
      for (let i = 0; i < n; i++)
        expect((await editor.post(`/v1/stories/${storyId}/updates`, textUpdate(`u${i}`))).status).toBe(201)
    })()
  const lastSeqIs =
    (stories: Array<{ id: string }>, seq: number) =>
    (r: Receiver): boolean =>
      stories.every((s) => acceptedSeqsByStory(r).get(s.id)?.at(-1) === seq)

  it('retries a failing endpoint and gets each event accepted exactly once, in order', async () => {
    const server = await start({ webhooks: { retryScheduleMs: [30, 30, 30, 30] } })
    const editor = await keyFor(server.admin, 'editor')
    const partner = await keyFor(server.admin, 'partner')
    // Each event is refused three times (500), then accepted.
    const r = await receiver((req, before) => ({
      status: before.filter((b) => b.id === req.id).length < 3 ? 500 : 200,
    }))
    const story = await makeStory(editor)
    const hook = await partner.post('/v1/webhooks', { url: r.url, stories: [story.id] })
    await post(editor, story.id, 3)
    await r.waitFor((x) => x.accepted().length === 3)
    expect(acceptedSeqsByStory(r).get(story.id)).toEqual([1, 2, 3])
    expect(new Set(r.accepted().map((q) => q.id)).size).toBe(3)
    // The webhook-id is stable across retries, and seq 2 was not tried before seq 1 got through.
    const order = r.requests.map((q) => `${JSON.parse(q.body).seq}:${q.status}`)
    expect(order).toEqual(
      ['1:500', '1:500', '1:500', '1:200', '2:500', '2:500', '2:500', '2:200'].concat([
        '3:500',
        '3:500',
        '3:500',
        '3:200',
      ]),
    )
    for (const seq of [1, 2, 3])
      expect(new Set(r.requests.filter((q) => JSON.parse(q.body).seq === seq).map((q) => q.id)).size).toBe(1)
    // The worker records an answer after the receiver has sent it.
    let deliveries: any
    await waitFor('all three recorded as succeeded', async () => {
      deliveries = await partner.get(`/v1/webhooks/${hook.body.id}/deliveries`)
      expect(
        deliveries.body.items.map((d: { seq: number; status: string }) => `${d.seq}:${d.status}`),
      ).toEqual(['3:succeeded', '2:succeeded', '1:succeeded'])
    })
    for (const d of deliveries.body.items) {
      expect(d.status).toBe('succeeded')
      expect(d.attemptCount).toBe(4)
      expect(d.attempts.map((a: { statusCode: number }) => a.statusCode)).toEqual([500, 500, 500, 200])
      expect(d.attempts[0].error).toBe('HTTP 500')
    }
    expect((await partner.get(`/v1/webhooks/${hook.body.id}`)).body.disabledAt).toBeNull()
  })

  it('disables an endpoint that fails through the whole retry budget, says why, and can be re-enabled', async () => {
    const server = await start({ webhooks: { retryScheduleMs: [20, 20] } })
    const editor = await keyFor(server.admin, 'editor')
    const partner = await keyFor(server.admin, 'partner')
    const r = await receiver(() => ({ status: 503 }))
    const story = await makeStory(editor)
    const hook = await partner.post('/v1/webhooks', { url: r.url, stories: [story.id] })
    const id = hook.body.id
    await post(editor, story.id, 2)
    let disabled: any
    await waitFor('the endpoint disabled', async () => {
      disabled = (await partner.get(`/v1/webhooks/${id}`)).body
      return disabled.disabledAt !== null
    })
    expect(disabled.disabledReason).toMatch(/failed 3 times; last error: HTTP 503/)
    expect(r.requests).toHaveLength(3)
    const failed = await partner.get(`/v1/webhooks/${id}/deliveries?status=failed`)
    expect(failed.body.items).toHaveLength(1)
    expect(failed.body.items[0]).toMatchObject({
      seq: 1,
      status: 'failed',
      attemptCount: 3,
      nextAttemptAt: null,
    })
    // Seq 2 waits behind seq 1 and stays pending; nothing new is queued while the endpoint is disabled.
    await post(editor, story.id, 1)
    const all = await partner.get(`/v1/webhooks/${id}/deliveries`)
    expect(all.body.items.map((d: any) => `${d.seq}:${d.status}`)).toEqual(['2:pending', '1:failed'])
    const refused = await partner.post(`/v1/webhooks/${id}/deliveries/${failed.body.items[0].id}/retry`)
    expect(refused.status).toBe(409)
    expect(refused.body.error.code).toBe('webhook_disabled')

    // Fixed: re-enable, and resend the failed one by hand.
    r.respond(() => ({ status: 200 }))
    const enabled = await partner.patch(`/v1/webhooks/${id}`, { enabled: true })
    expect(enabled.body).toMatchObject({ disabledAt: null, disabledReason: null })
    await r.waitFor((x) => x.accepted().length === 1)
    const retried = await partner.post(`/v1/webhooks/${id}/deliveries/${failed.body.items[0].id}/retry`)
    expect(retried.status).toBe(202)
    expect(retried.body).toMatchObject({ id: failed.body.items[0].id, status: 'pending' })
    await r.waitFor((x) => x.accepted().length === 2)
    expect(r.accepted().map((q) => JSON.parse(q.body).seq)).toEqual([2, 1])
    expect(r.accepted()[1]!.id).toBe(failed.body.items[0].id)
    const unknown = await partner.post(`/v1/webhooks/${id}/deliveries/nope/retry`)
    expect(unknown.status).toBe(404)
  })

  it('loses nothing when the service stops mid-queue: a new instance on the same database delivers the rest once', async () => {
    const r = await receiver(() => ({ status: 200, delayMs: 40 }))
    // The events are queued by an instance without a worker, so the queue is full when sending starts.
    const writer = await start({ webhooks: { workerEnabled: false } })
    const editor = await keyFor(writer.admin, 'editor')
    const partner = await keyFor(writer.admin, 'partner')
    const stories = [await makeStory(editor), await makeStory(editor), await makeStory(editor)]
    await partner.post('/v1/webhooks', { url: r.url, stories: stories.map((s) => s.id) })
    await Promise.all(stories.map((s) => post(editor, s.id, 10)))
    const first = await start()
    await r.waitFor((x) => x.accepted().length >= 3)
    await first.stop()
    const deliveredBeforeRestart = r.accepted().length
    expect(deliveredBeforeRestart).toBeLessThan(30)

    await start()
    await r.waitFor((x) => x.accepted().length >= 30)
    // One more per story, sent in order: once each is in, anything sent twice would be too.
    await Promise.all(stories.map((s) => post(editor, s.id, 1)))
    await r.waitFor(lastSeqIs(stories, 11), 15_000, 'seq 11 of each story')
    expect(r.accepted()).toHaveLength(33)
    expect(new Set(r.accepted().map((q) => q.id)).size).toBe(33)
    for (const s of stories) expect(acceptedSeqsByStory(r).get(s.id)).toEqual(range(1, 11))
  })

  it('never lets two instances on one database both deliver the same event', async () => {
    const r = await receiver(() => ({ status: 200, delayMs: Math.floor(Math.random() * 5) }))
    const a = await start({ webhooks: { pollIntervalMs: 20 } })
    const b = await start({ webhooks: { pollIntervalMs: 20 } })
    const editor = await keyFor(a.admin, 'editor')
    const partner = await keyFor(a.admin, 'partner')
    const stories = await Promise.all(range(1, 6).map(() => makeStory(editor)))
    await partner.post('/v1/webhooks', { url: r.url, stories: ['*'] })
    // Half the posts through each instance, so both workers are woken and both claim.
    await Promise.all(stories.map((s, i) => post(i % 2 ? editor : b.api(editor.key), s.id, 20)))
    await r.waitFor((x) => x.accepted().length >= 120, 30_000)
    // One more per story, sent in order: once each is in, anything sent twice would be too.
    await Promise.all(stories.map((s) => post(editor, s.id, 1)))
    await r.waitFor(lastSeqIs(stories, 21), 15_000, 'seq 21 of each story')
    expect(r.requests).toHaveLength(126)
    expect(new Set(r.requests.map((q) => q.id)).size).toBe(126)
    for (const s of stories) expect(acceptedSeqsByStory(r).get(s.id)).toEqual(range(1, 21))
  })

  it('refuses private, loopback and link-local targets unless loopback is allowed, at creation and at send time', async () => {
    const strict = await start({ webhooks: { allowLoopback: false, retryScheduleMs: [20] } })
    const lenient = await start({ webhooks: { workerEnabled: false } })
    const partner = await keyFor(strict.admin, 'partner')
    const editor = await keyFor(strict.admin, 'editor')
    const story = await makeStory(editor)
    const refusedBy = async (api: Api, url: string) => {
      const res = await api.post('/v1/webhooks', { url, stories: [story.id] })
      expect(res.status, url).toBe(400)
      expect(res.body.error.code).toBe('invalid_request')
      return res.body.error.details.url as string
    }
    expect(await refusedBy(partner, 'http://127.0.0.1:8080/hook')).toMatch(/loopback/)
    expect(await refusedBy(partner, 'http://[::1]:8080/hook')).toMatch(/loopback/)
    expect(await refusedBy(partner, 'http://localhost:8080/hook')).toMatch(/loopback/)
    expect(await refusedBy(partner, 'http://10.1.2.3/hook')).toMatch(/private/)
    expect(await refusedBy(partner, 'http://192.168.0.10/hook')).toMatch(/private/)
    expect(await refusedBy(partner, 'https://[fd00::1]/hook')).toMatch(/private/)
    expect(await refusedBy(partner, 'http://169.254.169.254/latest/meta-data')).toMatch(/link-local/)
    // IPv4-mapped IPv6 addresses are judged by the IPv4 address they carry.
    expect(await refusedBy(partner, 'http://[::ffff:127.0.0.1]/')).toMatch(/loopback/)
    expect(await refusedBy(partner, 'http://[::ffff:10.0.0.1]/')).toMatch(/private/)
    // The development setting allows loopback, and nothing else.
    const onLenient = lenient.api(partner.key)
    expect(await refusedBy(onLenient, 'http://10.1.2.3/hook')).toMatch(/private/)
    expect(await refusedBy(onLenient, 'http://169.254.169.254/')).toMatch(/link-local/)

    // Registered where loopback was allowed; the strict instance checks again when it sends,
    // resolving the name itself (what a DNS rebinding attack would change after creation).
    const r = await receiver()
    const port = new URL(r.url).port
    const hook = await onLenient.post('/v1/webhooks', {
      url: `http://localhost:${port}/`,
      stories: [story.id],
    })
    expect(hook.status).toBe(201)
    await post(editor, story.id, 1)
    let deliveries: any
    await waitFor('an attempt', async () => {
      deliveries = (await partner.get(`/v1/webhooks/${hook.body.id}/deliveries`)).body
      return deliveries.items[0]?.attempts.length > 0
    })
    expect(deliveries.items[0].attempts[0]).toMatchObject({
      statusCode: null,
      error: expect.stringMatching(/^localhost resolves to a refused target: .* is a loopback address$/),
    })
    expect(r.requests).toHaveLength(0)
  })
})
