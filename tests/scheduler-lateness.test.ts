import { afterAll, beforeAll, expect, it } from 'vitest'
import { type Api, keyFor, makeStory, textUpdate } from './helpers/api.js'
import { startServer, type TestServer } from './helpers/server.js'
import { waitFor } from './helpers/wait-for.js'

/** How many scheduled updates the measurement covers, and over how many stories. */
const SCHEDULED = 80
const STORIES = 8
/** Due times are this far apart, and the first this far ahead (all posted before any is due). */
const SPACING_MS = 50
const LEAD_MS = 3000

let a: TestServer
let b: TestServer
let editors: Api[]
beforeAll(async () => {
  a = await startServer()
  b = await startServer()
  const key = await keyFor(a.admin, 'editor')
  editors = [a.api(key.key), b.api(key.key)]
})
afterAll(async () => {
  await a.stop()
  await b.stop()
})

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number

it(`publishes ${SCHEDULED} updates scheduled across two instances once each, p99 within 1 s`, async () => {
  const stories = await Promise.all(Array.from({ length: STORIES }, () => makeStory(editors[0] as Api)))
  const start = Date.now() + LEAD_MS
  const posted = await Promise.all(
    Array.from({ length: SCHEDULED }, async (_, i) => {
      const story = stories[i % STORIES] as { id: string }
      const publishAt = new Date(start + i * SPACING_MS).toISOString()
      const res = await (editors[i % 2] as Api).post(
        `/v1/stories/${story.id}/updates`,
        textUpdate(`Scheduled ${i}`, { publishAt }),
      )
      expect(res.body.status).toBe('scheduled')
      return res.body as { id: string; storyId: string; publishAt: string }
    }),
  )
  const listed = async () => {
    const all = await Promise.all(
      stories.map(async (s) => (await editors[1]!.get(`/v1/stories/${s.id}/updates?limit=100`)).body.items),
    )
    return all.flat() as Array<{ id: string; publishedAt: string; publishAt: string }>
  }
  await waitFor(
    'every scheduled update published',
    async () => expect(await listed()).toHaveLength(SCHEDULED),
    {
      timeoutMs: LEAD_MS + SCHEDULED * SPACING_MS + 5000,
    },
  )
  // Exactly once: one update.created per update, across both instances' schedulers.
  for (const story of stories) {
    const { events } = (await editors[0]!.get(`/v1/stories/${story.id}/events?since=0&limit=1000`)).body
    const created = events.filter((e: { type: string }) => e.type === 'update.created')
    expect(created).toHaveLength(SCHEDULED / STORIES)
    expect(new Set(created.map((e: { update: { id: string } }) => e.update.id)).size).toBe(
      SCHEDULED / STORIES,
    )
  }
  const lateness = (await listed())
    .map((u) => Date.parse(u.publishedAt) - Date.parse(u.publishAt))
    .sort((x, y) => x - y)
  const p50 = percentile(lateness, 50)
  const p99 = percentile(lateness, 99)
  console.log(
    `scheduler lateness over ${SCHEDULED} updates on 2 instances: p50 ${p50} ms, p99 ${p99} ms, max ${lateness.at(-1)} ms`,
  )
  expect(lateness[0]).toBeGreaterThanOrEqual(0)
  expect(p99).toBeLessThan(1000)
  expect(posted).toHaveLength(SCHEDULED)
})
