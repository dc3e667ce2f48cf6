/**
 * `npm run bench:scheduler`: how late scheduled updates are published, with two instances.
 *
 * Two Liveline processes (src/main.ts) share a fresh database of the local Postgres and the local
 * Redis, as two instances of one deployment. BENCH_SCHEDULED (100) updates over BENCH_STORIES (10)
 * stories are scheduled, alternately through each instance, due BENCH_SPACING_MS (100 ms) apart
 * starting a few seconds ahead; every instance's scheduler competes for them. The bench reads back
 * each update's `publishedAt − publishAt` (lateness: both instances and the bench share this
 * machine's clock), p50/p99/max, and checks each was published exactly once (one `update.created`).
 *
 *   npm run bench:scheduler
 *   BENCH_SCHEDULED=200 BENCH_SPACING_MS=20 npm run bench:scheduler
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import os from 'node:os'
import { type LivelineInstance, newAdminKey, startLivelineInstance } from './bench/liveline-instance.js'
import { LOG_DIR, PG_ADMIN_URL, REDIS_URL, ROOT } from './bench/places.js'
import { sleep } from './bench/proc.js'
import { runBench } from './bench/run-bench.js'
import { type BenchDatabase, createBenchDatabase } from './bench/targets.js'

const num = (name: string, fallback: number) => Number(process.env[name] ?? fallback)
const SCHEDULED = num('BENCH_SCHEDULED', 100)
const STORIES = num('BENCH_STORIES', 10)
const SPACING_MS = num('BENCH_SPACING_MS', 100)
/** The first update falls due this long after scheduling starts: all are scheduled before any is due. */
const LEAD_MS = 5000 + SCHEDULED * 20

const log = (message: string) => console.error(`[bench-scheduler ${new Date().toISOString()}] ${message}`)
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number

const instances: LivelineInstance[] = []
const databases: BenchDatabase[] = []

async function main() {
  mkdirSync(LOG_DIR, { recursive: true })
  const database = await createBenchDatabase(PG_ADMIN_URL, `liveline_bench_${process.pid}`)
  databases.push(database)
  const common = {
    root: ROOT,
    logDir: LOG_DIR,
    databaseUrl: database.url,
    redisUrl: REDIS_URL,
    busPrefix: `liveline-bench-scheduler-${process.pid}-${randomBytes(3).toString('hex')}:`,
    adminKey: newAdminKey(),
  }
  // One first: it applies the migrations.
  instances.push(await startLivelineInstance({ ...common, name: 'scheduler-a' }))
  instances.push(await startLivelineInstance({ ...common, name: 'scheduler-b' }))
  const [a, b] = instances as [LivelineInstance, LivelineInstance]
  const { key } = await a.api<{ key: string }>('POST', '/v1/keys', { name: 'Bench editor', role: 'editor' })
  const stories = await Promise.all(
    Array.from({ length: STORIES }, (_, i) =>
      a.api<{ id: string }>('POST', '/v1/stories', { title: `Scheduler bench ${i}`, status: 'live' }, key),
    ),
  )
  const start = Date.now() + LEAD_MS
  log(`scheduling ${SCHEDULED} updates over ${STORIES} stories, ${SPACING_MS} ms apart`)
  const scheduled = await Promise.all(
    Array.from({ length: SCHEDULED }, (_, i) => {
      const story = stories[i % STORIES] as { id: string }
      const publishAt = new Date(start + i * SPACING_MS).toISOString()
      return (i % 2 ? b : a).api<{ id: string; status: string }>(
        'POST',
        `/v1/stories/${story.id}/updates`,
        { blocks: [{ type: 'text', text: `Scheduled update ${i + 1}` }], publishAt },
        key,
      )
    }),
  )
  if (Date.now() > start)
    log('warning: scheduling took longer than the lead time; the first were due already')
  if (scheduled.some((u) => u.status !== 'scheduled')) throw new Error('an update was not scheduled')

  type Listed = { id: string; publishedAt: string; publishAt: string }
  const listed = async () =>
    (
      await Promise.all(
        stories.map(
          async (s) =>
            (
              await b.api<{ items: Listed[] }>('GET', `/v1/stories/${s.id}/updates?limit=100`, undefined, key)
            ).items,
        ),
      )
    ).flat()
  const deadline = start + SCHEDULED * SPACING_MS + 30_000
  let published: Listed[] = []
  while (Date.now() < deadline) {
    published = await listed()
    if (published.length >= SCHEDULED) break
    await sleep(500)
  }
  let createdEvents = 0
  const ids = new Set<string>()
  for (const story of stories) {
    const { events } = await a.api<{ events: Array<{ type: string; update?: { id: string } }> }>(
      'GET',
      `/v1/stories/${story.id}/events?since=0&limit=1000`,
      undefined,
      key,
    )
    for (const e of events.filter((e) => e.type === 'update.created')) {
      createdEvents++
      if (e.update) ids.add(e.update.id)
    }
  }
  const lateness = published
    .map((u) => Date.parse(u.publishedAt) - Date.parse(u.publishAt))
    .sort((x, y) => x - y)
  const cpu = os.cpus()
  console.log(
    [
      'Liveline scheduler lateness',
      `machine   ${cpu[0]?.model ?? 'unknown'}, ${cpu.length} cores, load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
      `date      ${new Date().toISOString()}`,
      `config    ${SCHEDULED} updates over ${STORIES} stories, due ${SPACING_MS} ms apart, scheduled alternately on 2 instances (separate processes)`,
      `published ${published.length} of ${SCHEDULED}; update.created events ${createdEvents} for ${ids.size} distinct updates (exactly once: ${createdEvents === SCHEDULED && ids.size === SCHEDULED ? 'ok' : 'MISSED'})`,
      `lateness  p50 ${pct(lateness, 0.5)} ms, p99 ${pct(lateness, 0.99)} ms, max ${lateness.at(-1)} ms, min ${lateness[0]} ms (target p99 < 1000 ms: ${pct(lateness, 0.99) < 1000 ? 'ok' : 'MISSED'})`,
    ].join('\n'),
  )
}

await runBench(main, async () => {
  for (const instance of instances) await instance.stop().catch(() => {})
  for (const database of databases) await database.drop().catch(() => {})
})
