/**
 * `npx tsx scripts/bench-webhooks.ts`: webhook delivery throughput (deliveries/s) to a local
 * receiver, against a baseline measured in the same run on the same receiver:
 *   baseline-1   plain signed POSTs from one loop, one at a time (keep-alive)
 *   baseline-C   the same with C requests in flight (the worker's concurrency)
 *   drain        N events over S stories are queued by an instance without a worker; then an
 *                instance with a worker starts and the clock runs until the receiver has all N
 *   live         the same N events posted while the worker runs: first post to last delivery
 * The worker claims runs of consecutive deliveries of one (endpoint, story) in one statement, sends
 * each run in order (at most one request in flight per pair, so S bounds the parallelism), and
 * records the attempts of all its runs in batched statements (group commit).
 *
 * Flags: --events=2000 --stories=50 --concurrency=16 --delay=0 (receiver answer delay, ms).
 * Needs the local Postgres (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres);
 * a database of its own is created and dropped.
 */
import http, { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import { pino } from 'pino'
import { type Config, DEFAULT_LIMITS, DEFAULT_WEBHOOK_SETTINGS, type WebhookSettings } from '../src/config.js'
import { createService, type Service } from '../src/service.js'
import { signPayload } from '../src/webhooks/signature.js'
import { createBenchDatabase } from './bench/targets.js'

const flag = (name: string, fallback: number) => {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`))
  return arg ? Number(arg.split('=')[1]) : fallback
}
const EVENTS = flag('events', 2000)
const STORIES = flag('stories', 50)
const CONCURRENCY = flag('concurrency', 16)
const DELAY_MS = flag('delay', 0)
const ADMIN_KEY = `ll_bench_admin_${'x'.repeat(40)}`

async function startReceiver() {
  let count = 0
  let onCount: (() => void) | null = null
  const server = createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      const answer = () => {
        count++
        res.writeHead(204).end()
        onCount?.()
      }
      if (DELAY_MS) setTimeout(answer, DELAY_MS)
      else answer()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    get count() {
      return count
    },
    reset() {
      count = 0
    },
    /** Resolves once `n` requests have been answered. */
    until(n: number) {
      return new Promise<void>((resolve) => {
        onCount = () => {
          if (count >= n) resolve()
        }
        onCount()
      })
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

/** The baseline: the same kind of request (signed JSON, same size) sent straight from a loop. */
async function baseline(url: string, body: string, total: number, inFlight: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: inFlight })
  const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`
  let next = 0
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const id = `msg${next}`
      const ts = Math.floor(Date.now() / 1000)
      const req = http.request(url, {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'webhook-id': id,
          'webhook-timestamp': String(ts),
          'webhook-signature': signPayload(secret, id, ts, body),
        },
      })
      req.on('response', (res) => {
        res.resume()
        res.on('end', resolve)
      })
      req.on('error', reject)
      req.end(body)
    })
  const started = performance.now()
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < total) {
        next++
        await one()
      }
    }),
  )
  const seconds = (performance.now() - started) / 1000
  agent.destroy()
  return total / seconds
}

function config(databaseUrl: string, webhooks: Partial<WebhookSettings>): Config {
  return {
    port: 0,
    host: '127.0.0.1',
    databaseUrl,
    dataDir: 'memory://',
    redisUrl: undefined,
    busPrefix: 'bench:',
    adminKey: ADMIN_KEY,
    adminKeyGenerated: false,
    migrate: true,
    sqlDir: resolve('sql'),
    logLevel: 'silent',
    limits: DEFAULT_LIMITS,
    webhooks: { ...DEFAULT_WEBHOOK_SETTINGS, allowLoopback: true, concurrency: CONCURRENCY, ...webhooks },
  }
}

async function call<T>(app: Service, method: string, path: string, key: string, body?: unknown): Promise<T> {
  const res = await app.fetch(
    new Request(`http://bench${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  )
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}

/** Posts EVENTS updates round-robin over the stories, STORIES posters at a time. */
async function postEvents(app: Service, editorKey: string, storyIds: string[]): Promise<void> {
  const perStory = Math.ceil(EVENTS / storyIds.length)
  let posted = 0
  await Promise.all(
    storyIds.map(async (id) => {
      for (let i = 0; i < perStory && posted < EVENTS; i++) {
        posted++
        await call(app, 'POST', `/v1/stories/${id}/updates`, editorKey, {
          blocks: [{ type: 'text', text: `Bench update ${i}: ${'lorem ipsum '.repeat(40)}` }],
        })
      }
    }),
  )
}

async function setup(app: Service, receiverUrl: string) {
  const editor = await call<{ key: string }>(app, 'POST', '/v1/keys', ADMIN_KEY, {
    name: 'ed',
    role: 'editor',
  })
  const partner = await call<{ key: string }>(app, 'POST', '/v1/keys', ADMIN_KEY, {
    name: 'p',
    role: 'partner',
  })
  const stories: string[] = []
  for (let i = 0; i < STORIES; i++)
    stories.push(
      (
        await call<{ id: string }>(app, 'POST', '/v1/stories', editor.key, {
          title: `Bench ${i}`,
          status: 'live',
        })
      ).id,
    )
  const hook = await call<{ id: string }>(app, 'POST', '/v1/webhooks', partner.key, {
    url: receiverUrl,
    stories: ['*'],
  })
  return { editorKey: editor.key, partnerKey: partner.key, stories, hookId: hook.id }
}

async function main() {
  const db = await createBenchDatabase(
    process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    `liveline_bench_${process.pid}`,
  )
  const receiver = await startReceiver()
  const log = pino({ level: 'silent' })
  try {
    // A body of the size the bench's events have.
    const writer = await createService(config(db.url, { workerEnabled: false }), { log })
    const ctx = await setup(writer, receiver.url)
    const sample = await call<{ events: unknown[] }>(
      writer,
      'GET',
      `/v1/stories/${ctx.stories[0]}/events`,
      ADMIN_KEY,
    )
    const body =
      sample.events.length > 0 ? JSON.stringify(sample.events[0]) : JSON.stringify({ text: 'x'.repeat(900) })
    const baseline1 = await baseline(receiver.url, body, Math.min(EVENTS, 2000), 1)
    const baselineC = await baseline(receiver.url, body, EVENTS, CONCURRENCY)
    receiver.reset()

    // Drain: the whole queue is there when the worker starts.
    await postEvents(writer, ctx.editorKey, ctx.stories)
    const started = performance.now()
    const worker = await createService(config(db.url, {}), { log })
    await receiver.until(EVENTS)
    const drain = EVENTS / ((performance.now() - started) / 1000)

    // Live: posting and delivering at once (the worker is woken by each local commit).
    receiver.reset()
    const liveStarted = performance.now()
    await postEvents(worker, ctx.editorKey, ctx.stories)
    const postedIn = (performance.now() - liveStarted) / 1000
    await receiver.until(EVENTS)
    const live = EVENTS / ((performance.now() - liveStarted) / 1000)
    await worker.close()
    await writer.close()

    const rows: Array<[string, string]> = [
      ['baseline, 1 in flight (plain POST loop)', `${baseline1.toFixed(0)} req/s`],
      [`baseline, ${CONCURRENCY} in flight`, `${baselineC.toFixed(0)} req/s`],
      [
        `webhooks drain (${EVENTS} events, ${STORIES} stories, concurrency ${CONCURRENCY})`,
        `${drain.toFixed(0)} deliveries/s`,
      ],
      [
        `webhooks live (posting ${(EVENTS / postedIn).toFixed(0)} events/s)`,
        `${live.toFixed(0)} deliveries/s`,
      ],
      ['drain / baseline-1', `${(drain / baseline1).toFixed(2)}x`],
      [`drain / baseline-${CONCURRENCY}`, `${(drain / baselineC).toFixed(2)}x`],
    ]
    const width = Math.max(...rows.map(([k]) => k.length))
    process.stdout.write(`\nWebhook throughput (receiver answer delay ${DELAY_MS} ms)\n`)
    for (const [k, v] of rows) process.stdout.write(`  ${k.padEnd(width)}  ${v}\n`)
  } finally {
    await receiver.close()
    await db.drop()
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`)
  process.exit(1)
})
