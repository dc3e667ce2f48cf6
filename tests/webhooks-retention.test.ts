import { sql } from 'kysely'
import { describe, expect, it } from 'vitest'
import { type Api, keyFor, makeStory, range, textUpdate } from './helpers/api.js'
import type { TestServer } from './helpers/server.js'
import { waitFor } from './helpers/wait-for.js'
import { acceptedSeqsByStory, type Receiver, useWebhookTestBed } from './helpers/webhook-receiver.js'

describe('webhook retention and runs of deliveries', () => {
  const { start, receiver } = useWebhookTestBed()
  const post = async (editor: Api, storyId: string, n: number) => {
    for (let i = 0; i < n; i++)
      expect((await editor.post(`/v1/stories/${storyId}/updates`, textUpdate(`u${i}`))).status).toBe(201)
  }
  /** Moves a webhook's deliveries `ms` into the past, as if they had been queued and finished then. */
  const age = (server: TestServer, hook: string, ms: number) =>
    sql`UPDATE webhook_deliveries
        SET created_at = created_at - ${`${ms} milliseconds`}::interval,
            finished_at = finished_at - ${`${ms} milliseconds`}::interval
        WHERE webhook_id = ${hook}`.execute(server.app.deps.db)

  it('deletes succeeded and failed deliveries with their attempts after the retention period, never pending ones', async () => {
    // No retries: a refused delivery fails at once (and disables its endpoint, so the next one waits, pending).
    // Queued before a worker runs, so the second event is queued before the first one fails.
    const server = await start({ webhooks: { workerEnabled: false } })
    const editor = await keyFor(server.admin, 'editor')
    const partner = await keyFor(server.admin, 'partner')
    const good = await receiver()
    const bad = await receiver(() => ({ status: 503 }))
    const story = await makeStory(editor)
    const goodHook = (await partner.post('/v1/webhooks', { url: good.url, stories: [story.id] })).body.id
    const badHook = (await partner.post('/v1/webhooks', { url: bad.url, stories: [story.id] })).body.id
    await post(editor, story.id, 2)
    await start({ webhooks: { retryScheduleMs: [], retentionMs: 1500, pruneIntervalMs: 100 } })
    const statuses = (hook: string) =>
      partner
        .get(`/v1/webhooks/${hook}/deliveries`)
        .then((r) => r.body.items.map((d: { seq: number; status: string }) => `${d.seq}:${d.status}`))
    // Kept while younger than the retention period, and listed with their attempts.
    await waitFor('both sent to the good endpoint', async () =>
      expect(await statuses(goodHook)).toEqual(['2:succeeded', '1:succeeded']),
    )
    await waitFor('the first failed at the bad endpoint', async () =>
      expect(await statuses(badHook)).toEqual(['2:pending', '1:failed']),
    )
    const attemptsOf = async (hook: string) => {
      const { rows } = await sql<{ n: string }>`
        SELECT count(*) AS n FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
        WHERE d.webhook_id = ${hook}`.execute(server.app.deps.db)
      return Number(rows[0]?.n)
    }
    expect(await attemptsOf(goodHook)).toBe(2)
    const allAttempts = async () => {
      const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM webhook_attempts`.execute(
        server.app.deps.db,
      )
      return Number(rows[0]?.n)
    }
    expect(await allAttempts()).toBe(3)

    // Past it: the finished ones and their attempts are gone; the pending one stays, however old.
    await waitFor('the good endpoint\u2019s deliveries pruned', async () =>
      expect(await statuses(goodHook)).toEqual([]),
    )
    await waitFor('the failed delivery pruned', async () => expect(await statuses(badHook)).toHaveLength(1))
    expect(await statuses(badHook)).toEqual(['2:pending'])
    expect(await allAttempts()).toBe(0)
    // A later run, marked by a newer delivery it prunes, passes over the pending one too, aged a day.
    // (The bad endpoint is disabled, so nothing new is queued for it.)
    await post(editor, story.id, 1)
    await waitFor('the third sent', async () => expect(await statuses(goodHook)).toEqual(['3:succeeded']))
    await age(server, badHook, 24 * 3600_000)
    await age(server, goodHook, 24 * 3600_000)
    await waitFor('the third pruned', async () => expect(await statuses(goodHook)).toEqual([]))
    expect(await statuses(badHook)).toEqual(['2:pending'])
    expect(good.requests).toHaveLength(3)
  })

  it('keeps finished deliveries while they are younger than the retention period', async () => {
    const server = await start({ webhooks: { retentionMs: 60_000, pruneIntervalMs: 50 } })
    const editor = await keyFor(server.admin, 'editor')
    const partner = await keyFor(server.admin, 'partner')
    const r = await receiver()
    const story = await makeStory(editor)
    const hook = (await partner.post('/v1/webhooks', { url: r.url, stories: [story.id] })).body.id
    await post(editor, story.id, 3)
    const listed = async () =>
      (await partner.get(`/v1/webhooks/${hook}/deliveries`)).body.items.map(
        (d: { seq: number; status: string }) => `${d.seq}:${d.status}`,
      )
    await waitFor('three sent', async () =>
      expect(await listed()).toEqual(['3:succeeded', '2:succeeded', '1:succeeded']),
    )
    // The first, aged past the retention period, marks a pruning run that came after the others finished.
    await sql`UPDATE webhook_deliveries SET finished_at = finished_at - interval '2 minutes'
              WHERE webhook_id = ${hook} AND seq = 1`.execute(server.app.deps.db)
    await waitFor('the aged delivery pruned', async () => expect(await listed()).toHaveLength(2))
    expect(await listed()).toEqual(['3:succeeded', '2:succeeded'])
  })

  it('sends a queued backlog in order, stopping a run at a failure and going on after the retry', async () => {
    const r = await receiver((req, before) => {
      const seq = JSON.parse(req.body).seq as number
      // seq 5 is refused the first time.
      return { status: seq === 5 && !before.some((b) => JSON.parse(b.body).seq === 5) ? 500 : 204 }
    })
    const writer = await start({ webhooks: { workerEnabled: false } })
    const editor = await keyFor(writer.admin, 'editor')
    const partner = await keyFor(writer.admin, 'partner')
    const stories = [await makeStory(editor), await makeStory(editor)]
    await partner.post('/v1/webhooks', { url: r.url, stories: stories.map((s) => s.id) })
    await Promise.all(stories.map((s) => post(editor, s.id, 12)))
    await start({ webhooks: { retryScheduleMs: [50] } })
    await r.waitFor((x) => x.accepted().length >= 24)
    // One more per story: sent in order, it arrives after anything extra for the backlog would have.
    await Promise.all(stories.map((s) => post(editor, s.id, 1)))
    await r.waitFor(
      (x) => stories.every((s) => acceptedSeqsByStory(x).get(s.id)?.includes(13)),
      15_000,
      'seq 13 of each story',
    )
    expect(r.accepted()).toHaveLength(26)
    for (const s of stories) expect(acceptedSeqsByStory(r).get(s.id)).toEqual(range(1, 13))
    // The story whose seq 5 was refused got nothing after it until the retry was accepted.
    const refused = r.requests.find((q) => q.status === 500)!
    const story = JSON.parse(refused.body).story as string
    const sequence = r.requests
      .filter((q) => JSON.parse(q.body).story === story)
      .map((q) => `${JSON.parse(q.body).seq}:${q.status}`)
    expect(sequence).toEqual([
      ...range(1, 4).map((n) => `${n}:204`),
      '5:500',
      ...range(5, 13).map((n) => `${n}:204`),
    ])
  })

  it('stops sending a run to the old URL once the endpoint is changed, losing and repeating nothing', async () => {
    const old = await receiver(() => ({ status: 204, delayMs: 30 }))
    const fresh = await receiver()
    const writer = await start({ webhooks: { workerEnabled: false } })
    const editor = await keyFor(writer.admin, 'editor')
    const partner = await keyFor(writer.admin, 'partner')
    const story = await makeStory(editor)
    const hook = (await partner.post('/v1/webhooks', { url: old.url, stories: [story.id] })).body.id
    await post(editor, story.id, 30)
    await start()
    await old.waitFor((x) => x.accepted().length >= 3)
    expect((await partner.patch(`/v1/webhooks/${hook}`, { url: fresh.url })).status).toBe(200)
    const atChange = old.requests.length
    const seqs = (x: Receiver) => x.accepted().map((q) => JSON.parse(q.body).seq as number)
    await fresh.waitFor((x) => x.accepted().length + old.accepted().length >= 30)
    // One more, sent in order: once it is in, anything extra for the first 30 would be too.
    await post(editor, story.id, 1)
    await fresh.waitFor((x) => seqs(x).includes(31), 15_000, 'seq 31')
    // The send in flight ends, and at most one more whose record raced the change.
    expect(old.requests.length - atChange).toBeLessThanOrEqual(2)
    expect([...seqs(old), ...seqs(fresh)]).toEqual(range(1, 31))
  })
})
