/**
 * `npx tsx scripts/bench-feeds.ts [--updates 1000] [--samples 51]`: how long a feed takes for a
 * story with many updates, cold (rendered after a change) and cached, next to a 304 and to
 * GET /healthz as the baseline of one HTTP round trip, all over real HTTP in one run.
 *
 * Store: DATABASE_URL when set (a real Postgres; the bench adds one story to it), else an
 * in-memory embedded Postgres (PGlite). Prints medians (and p90) in milliseconds, and ratios.
 */
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { loadConfig } from '../src/config.js'
import { newApiKey } from '../src/lib/ids.js'
import { listen } from '../src/listen.js'
import { createService } from '../src/service.js'

const { values } = parseArgs({
  options: {
    updates: { type: 'string', default: '1000' },
    samples: { type: 'string', default: '51' },
  },
})
const UPDATES = Number(values.updates)
const SAMPLES = Number(values.samples)

const adminKey = newApiKey()
const config = loadConfig(
  {
    ...process.env,
    LIVELINE_ADMIN_KEY: adminKey,
    LIVELINE_DATA_DIR: process.env.DATABASE_URL ? './data' : 'memory://bench-feeds',
    LOG_LEVEL: 'silent',
  },
  process.cwd(),
)
const app = await createService(config, { log: pino({ level: 'silent' }) })
const port = await listen(app, 0, '127.0.0.1')
const base = `http://127.0.0.1:${port}`

async function call(
  method: string,
  path: string,
  key?: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...headers,
      ...(key ? { Authorization: `Bearer ${key}` } : {}),
      ...(body ? { 'Content-Type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  })
  const text = await res.text()
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text}`)
  return { res, text }
}

const ms = () => performance.now()
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = ms()
  await fn()
  return ms() - started
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number
  return { median: at(0.5), p90: at(0.9) }
}

try {
  const editor = JSON.parse(
    (await call('POST', '/v1/keys', adminKey, { name: 'Bench Editor', role: 'editor' })).text,
  ).key as string
  const story = JSON.parse(
    (
      await call('POST', '/v1/stories', editor, {
        title: `Feed bench ${Date.now()}`,
        status: 'live',
        summary: 'Bench',
      })
    ).text,
  ) as { id: string }
  const seedStarted = ms()
  for (let i = 1; i <= UPDATES; i++) {
    await call('POST', `/v1/stories/${story.id}/updates`, editor, {
      headline: `Update ${i}: officials confirm the next round of talks`,
      blocks: [
        {
          type: 'text',
          text: `Paragraph one of update ${i}, with a link to https://example.com/report/${i} and some <angle> & "quoted" text.\n\nA second paragraph that carries the detail a live blog usually has: who said what, where and when.`,
        },
        { type: 'quote', text: 'We remain committed to the process.', attribution: 'A spokesperson' },
      ],
      keyEvent: i % 10 === 0,
    })
  }
  const seedSeconds = (ms() - seedStarted) / 1000

  const rows: Array<Record<string, string | number>> = []
  const healthz = stats(await sample(() => call('GET', '/healthz')))
  rows.push({ case: 'GET /healthz (baseline)', median: healthz.median, p90: healthz.p90 })

  for (const [format, limit] of [
    ['atom', 50],
    ['json', 50],
    ['rss', 50],
    ['atom', 200],
  ] as const) {
    const path = `/v1/stories/${story.id}/feed.${format}${limit === 50 ? '' : `?limit=${limit}`}`
    // Cold: each sample follows a story edit, which moves the seq, so the feed is rendered anew.
    const cold: number[] = []
    let bytes = 0
    for (let i = 0; i < SAMPLES; i++) {
      await call('PATCH', `/v1/stories/${story.id}`, editor, {
        summary: `Bench summary ${format} ${limit} ${i}`,
      })
      cold.push(
        await timed(async () => {
          bytes = (await call('GET', path)).text.length
        }),
      )
    }
    const cached = await sample(() => call('GET', path))
    const etag = (await call('GET', path)).res.headers.get('etag') as string
    const notModified = await sample(() => call('GET', path, undefined, undefined, { 'If-None-Match': etag }))
    const c = stats(cold)
    const h = stats(cached)
    const n = stats(notModified)
    const label = `${format} limit=${limit} (${Math.round(bytes / 1024)} KiB)`
    rows.push({ case: `${label} cold`, median: c.median, p90: c.p90, 'x healthz': c.median / healthz.median })
    rows.push({
      case: `${label} cached`,
      median: h.median,
      p90: h.p90,
      'x healthz': h.median / healthz.median,
      'cold / cached': c.median / h.median,
    })
    rows.push({ case: `${label} 304`, median: n.median, p90: n.p90, 'x healthz': n.median / healthz.median })
  }

  const metrics = (await call('GET', '/metrics')).text
  const renders = metrics
    .split('\n')
    .filter((l) => l.startsWith('liveline_feed_renders_total{'))
    .reduce((sum, l) => sum + Number(l.split(' ')[1]), 0)
  console.log(
    `store: ${config.databaseUrl ? 'Postgres (DATABASE_URL)' : 'embedded PGlite (memory)'}; story with ${UPDATES} updates (seeded over HTTP in ${seedSeconds.toFixed(1)} s); ${SAMPLES} samples a case; times in ms over real HTTP`,
  )
  console.table(
    rows.map((r) =>
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [
          k,
          typeof v === 'number' ? Number(v.toFixed(k.includes('/') || k.startsWith('x') ? 1 : 2)) : v,
        ]),
      ),
    ),
  )
  console.log(
    `feed renders in this run: ${renders} (expected ${4 * SAMPLES}: one per change, none for cached or 304 answers)`,
  )
} finally {
  await app.close({ httpGraceMs: 1000 })
}

async function sample(fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 5; i++) await fn() // warm-up
  const out: number[] = []
  for (let i = 0; i < SAMPLES; i++) out.push(await timed(fn))
  return out
}
