/**
 * `npm run chaos`: rounds of faults against two Liveline instances while readers follow and an
 * editor posts, then a check that nothing was lost, repeated or reordered. Everything runs on
 * loopback: two instances (child processes, `node --import tsx src/main.ts`), a private
 * redis-server, a database of its own on the local Postgres, 200 websocket and 20 SSE readers
 * (half through TCP proxies that cut connections at random), posts at 5/s across a few stories,
 * and a webhook receiver.
 *
 * Each round does one fault: SIGKILL an instance and restart it, SIGTERM one and restart it (a
 * rolling deploy), restart Redis, pause Redis (SIGSTOP) for 5 s, or cut every proxied
 * connection. Afterwards every reader must hold every event of its stories exactly once, in
 * order, and the receiver every delivery once. Prints a table per fault kind.
 *
 * Settings (env): CHAOS_ROUNDS (20), CHAOS_ROUND_MS (8000), CHAOS_WS_READERS (200),
 * CHAOS_SSE_READERS (20), CHAOS_POSTS_PER_SECOND (5), CHAOS_STORIES (4), DATABASE_URL.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { createServer, type IncomingMessage } from 'node:http'
import { resolve } from 'node:path'
import { PrivateRedis } from '../tests/helpers/private-redis.js'
import { TcpProxy } from '../tests/helpers/tcp-proxy.js'
import { freePort, ServerProcess, sleep, waitForHttp } from './bench/proc.js'
import { createBenchDatabase } from './bench/targets.js'
import { type ChaosReader, SseChaosReader, WsChaosReader } from './chaos/readers.js'

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback)
const ROUNDS = env('CHAOS_ROUNDS', 20)
const ROUND_MS = env('CHAOS_ROUND_MS', 8000)
const WS_READERS = env('CHAOS_WS_READERS', 200)
const SSE_READERS = env('CHAOS_SSE_READERS', 20)
const POSTS_PER_SECOND = env('CHAOS_POSTS_PER_SECOND', 5)
const STORIES = env('CHAOS_STORIES', 4)
/** How long Redis stays frozen in a pause round. */
const REDIS_PAUSE_MS = 5000
/** Every this often, the proxies drop a random share of their connections. */
const RANDOM_CUT_EVERY_MS = 1500
const RANDOM_CUT_SHARE = 0.1
/** After the last round: how long readers and the receiver get to catch up. */
const SETTLE_TIMEOUT_MS = 60_000
/** Longest an instance may take to start (tsx compiles on start; the machine is shared). */
const START_TIMEOUT_MS = 90_000
/** The run gives up (and fails) after this long, whatever is happening. */
const RUN_DEADLINE_MS = 30 * 60_000

const FAULTS = ['sigkill', 'sigterm', 'redis-restart', 'redis-pause', 'proxy-cut'] as const
type Fault = (typeof FAULTS)[number]

const ROOT = resolve(import.meta.dirname, '..')
const ADMIN_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const ADMIN_KEY = `ll_${randomBytes(32).toString('base64url')}`
const RUN_ID = `chaos-${process.pid}`
const LOG_DIR = resolve(ROOT, 'test-artifacts', RUN_ID)

class Instance {
  server: ServerProcess | null = null
  constructor(
    readonly name: string,
    readonly port: number,
    readonly redisUrl: string,
    readonly databaseUrl: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`
  }

  async start(): Promise<void> {
    this.server = new ServerProcess(
      this.name,
      ['--import', 'tsx', 'src/main.ts'],
      {
        ...process.env,
        DATABASE_URL: this.databaseUrl,
        REDIS_URL: this.redisUrl,
        LIVELINE_BUS_PREFIX: `${RUN_ID}:`,
        LIVELINE_ADMIN_KEY: ADMIN_KEY,
        LIVELINE_WEBHOOK_ALLOW_LOOPBACK: '1',
        LIVELINE_WEBHOOK_POLL_MS: '200',
        PORT: String(this.port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
      },
      ROOT,
      resolve(LOG_DIR, `${this.name}-${Date.now()}.log`),
    )
    await waitForHttp(`${this.url}/readyz`, this.server, START_TIMEOUT_MS)
  }

  async kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const server = this.server
    if (!server?.running) return
    server.child.kill(signal)
    await server.exited
  }
}

/** Which fault was running when: events are charged to the round they were posted in. */
interface Round {
  fault: Fault
  startedAt: number
}

interface Posted {
  story: string
  seq: number
  at: number
  round: number
}

async function main(): Promise<void> {
  const deadline = setTimeout(() => {
    console.error(`chaos: gave up after ${RUN_DEADLINE_MS / 60_000} min`)
    process.exit(2)
  }, RUN_DEADLINE_MS)
  deadline.unref()
  mkdirSync(LOG_DIR, { recursive: true })
  const database = await createBenchDatabase(ADMIN_URL, `liveline_chaos_${process.pid}`)
  const redis = new PrivateRedis(await freePort())
  await redis.start()
  const instances = [
    new Instance('a', await freePort(), redis.url, database.url),
    new Instance('b', await freePort(), redis.url, database.url),
  ]
  const proxies = instances.map((i) => new TcpProxy('127.0.0.1', i.port))
  const receiver = await startDeliveryReceiver()
  const readers: ChaosReader[] = []
  const cleanup = async () => {
    for (const r of readers) r.stop()
    for (const p of proxies) await p.cut()
    for (const i of instances) await i.server?.stop()
    await redis.stop()
    await receiver.close()
    await database.drop()
  }
  try {
    log(`starting two instances (logs in ${LOG_DIR})`)
    await instances[0]?.start() // migrates the database
    await instances[1]?.start()
    for (const p of proxies) await p.start()

    const api = (path: string, body?: unknown, key = ADMIN_KEY, headers: Record<string, string> = {}) =>
      call(instances, path, body, key, headers)
    const editor = (await api('/v1/keys', { name: 'chaos editor', role: 'editor' })) as { key: string }
    const stories: string[] = []
    for (let i = 0; i < STORIES; i++) {
      const story = (await api('/v1/stories', { title: `Chaos story ${i}`, status: 'live' }, editor.key)) as {
        id: string
      }
      stories.push(story.id)
    }
    await api('/v1/webhooks', { url: receiver.url, stories: ['*'] })

    // Readers: half direct (alternating instances), half through the proxies.
    const direct = instances.map((i) => i.url)
    const proxied = proxies.map((p) => `http://127.0.0.1:${p.port}`)
    for (let i = 0; i < WS_READERS; i++) {
      const bases = i % 2 ? proxied : direct
      const urls = (i % 4 < 2 ? bases : [...bases].reverse()).map((b) => `${b.replace('http', 'ws')}/v1/live`)
      readers.push(
        new WsChaosReader(urls, [stories[i % STORIES] as string, stories[(i + 1) % STORIES] as string]),
      )
    }
    for (let i = 0; i < SSE_READERS; i++) {
      const base = (i % 2 ? proxied : direct)[Math.floor(i / 2) % 2] as string
      const story = stories[i % STORIES] as string
      readers.push(new SseChaosReader(`${base}/v1/stories/${story}/stream?since=0`, story))
    }
    log(`${WS_READERS} websocket and ${SSE_READERS} SSE readers on ${STORIES} stories`)

    // Posts at a steady rate, each retried with its Idempotency-Key until some instance takes it.
    const rounds: Round[] = [{ fault: 'proxy-cut', startedAt: Date.now() }]
    const posted: Posted[] = []
    let posting = true
    let nextStory = 0
    const poster = (async () => {
      while (posting) {
        const story = stories[nextStory++ % STORIES] as string
        const round = rounds.length - 1
        const key = randomUUID()
        void (async () => {
          for (;;) {
            try {
              const update = (await api(
                `/v1/stories/${story}/updates`,
                { blocks: [{ type: 'text', text: `chaos ${key}` }] },
                editor.key,
                { 'Idempotency-Key': key },
              )) as { seq: number }
              posted.push({ story, seq: update.seq, at: Date.now(), round })
              return
            } catch {
              await sleep(200)
            }
          }
        })()
        await sleep(1000 / POSTS_PER_SECOND)
      }
    })()
    const randomCuts = setInterval(() => {
      for (const p of proxies) p.drop(RANDOM_CUT_SHARE)
    }, RANDOM_CUT_EVERY_MS)

    await sleep(ROUND_MS / 2)
    for (let r = 0; r < ROUNDS; r++) {
      const fault = FAULTS[r % FAULTS.length] as Fault
      rounds.push({ fault, startedAt: Date.now() })
      const target = instances[Math.floor(r / FAULTS.length) % 2] as Instance
      log(`round ${r + 1}/${ROUNDS}: ${fault}${fault.startsWith('sig') ? ` instance ${target.name}` : ''}`)
      const started = Date.now()
      await inject(fault, target, redis, proxies)
      await sleep(Math.max(0, ROUND_MS - (Date.now() - started)))
    }
    rounds.push({ fault: 'proxy-cut', startedAt: Date.now() }) // after the last round: charged to no fault
    posting = false
    await poster
    clearInterval(randomCuts)
    const expected = await settle(posted, readers, receiver, instances)
    const table = report(rounds, posted, readers, receiver, expected)
    process.stdout.write(`\n${table}\n`)
    const failed = table.includes('FAIL')
    await cleanup()
    process.exit(failed ? 1 : 0)
  } catch (err) {
    console.error(err)
    await cleanup().catch(() => {})
    process.exit(1)
  }
}

async function inject(
  fault: Fault,
  target: Instance,
  redis: PrivateRedis,
  proxies: TcpProxy[],
): Promise<void> {
  switch (fault) {
    case 'sigkill':
      await target.kill('SIGKILL')
      await target.start()
      return
    case 'sigterm':
      await target.kill('SIGTERM')
      await target.start()
      return
    case 'redis-restart':
      await redis.stop()
      await redis.start()
      return
    case 'redis-pause':
      redis.pause()
      await sleep(REDIS_PAUSE_MS)
      redis.resume()
      return
    case 'proxy-cut':
      for (const p of proxies) p.drop(1)
  }
}

/** Waits until every reader and the receiver hold each story's head (or the settle time is up). */
async function settle(
  posted: Posted[],
  readers: ChaosReader[],
  receiver: DeliveryReceiver,
  instances: Instance[],
): Promise<Map<string, number>> {
  // Posts still being retried when posting stopped land meanwhile: wait for the heads to hold still.
  let heads = new Map<string, number>()
  for (let i = 0; i < 50; i++) {
    const before = posted.length
    await sleep(500)
    if (posted.length === before) break
  }
  for (const p of posted) heads.set(p.story, Math.max(heads.get(p.story) ?? 0, p.seq))
  const stories = [...heads.keys()]
  const fromServer = new Map<string, number>()
  for (const story of stories) {
    const s = (await call(instances, `/v1/stories/${story}`)) as { seq: number }
    fromServer.set(story, s.seq)
  }
  heads = fromServer
  const caughtUp = () =>
    readers.every((r) => r.stories.every((s) => (r.lastSeq.get(s) ?? 0) >= (heads.get(s) ?? 0))) &&
    stories.every((s) => receiver.seqs(s).includes(heads.get(s) ?? 0))
  const until = Date.now() + SETTLE_TIMEOUT_MS
  while (!caughtUp() && Date.now() < until) await sleep(250)
  for (const r of readers) r.stop()
  return heads
}

interface Row {
  rounds: number
  events: number
  lost: number
  duplicated: number
  outOfOrder: number
  /** Longest from a post's answer to its arrival, per kind of reader. */
  longestCatchUpMs: Record<ChaosReader['kind'], number>
}

function report(
  rounds: Round[],
  posted: Posted[],
  readers: ChaosReader[],
  receiver: DeliveryReceiver,
  heads: Map<string, number>,
): string {
  const roundOf = new Map(posted.map((p) => [`${p.story}:${p.seq}`, p]))
  const kinds = new Map<string, Row>()
  const row = (kind: string) => {
    let r = kinds.get(kind)
    if (!r) {
      r = {
        rounds: 0,
        events: 0,
        lost: 0,
        duplicated: 0,
        outOfOrder: 0,
        longestCatchUpMs: { websocket: 0, sse: 0 },
      }
      kinds.set(kind, r)
    }
    return r
  }
  const kindOfRound = (i: number) =>
    i === 0 || i === rounds.length - 1 ? 'none' : (rounds[i]?.fault ?? 'none')
  for (let i = 0; i < rounds.length; i++)
    row(kindOfRound(i)).rounds += i === 0 || i === rounds.length - 1 ? 0 : 1
  for (const p of posted) row(kindOfRound(p.round)).events++
  const kindOf = (story: string, seq: number) => {
    const p = roundOf.get(`${story}:${seq}`)
    return p ? kindOfRound(p.round) : 'none'
  }
  const check = (story: string, got: Array<{ seq: number; at: number }>, reader: ChaosReader['kind']) => {
    const head = heads.get(story) ?? 0
    const seen = new Set<number>()
    let max = 0
    for (const { seq, at } of got) {
      const kind = kindOf(story, seq)
      if (seen.has(seq)) row(kind).duplicated++
      else if (seq < max) row(kind).outOfOrder++
      seen.add(seq)
      max = Math.max(max, seq)
      const p = roundOf.get(`${story}:${seq}`)
      if (p) row(kind).longestCatchUpMs[reader] = Math.max(row(kind).longestCatchUpMs[reader], at - p.at)
    }
    for (let seq = 1; seq <= head; seq++) if (!seen.has(seq)) row(kindOf(story, seq)).lost++
  }
  for (const reader of readers) {
    for (const story of reader.stories)
      check(
        story,
        reader.receipts.filter((r) => r.story === story),
        reader.kind,
      )
  }
  // The receiver: each delivery (webhook-id) accepted once, each story's events in order.
  const webhook = { lost: 0, duplicated: 0, outOfOrder: 0 }
  for (const [story, head] of heads) {
    const seqs = receiver.seqs(story)
    const seen = new Set<number>()
    let max = 0
    for (const seq of seqs) {
      if (seen.has(seq)) webhook.duplicated++
      else if (seq < max) webhook.outOfOrder++
      seen.add(seq)
      max = Math.max(max, seq)
    }
    for (let seq = 1; seq <= head; seq++) if (!seen.has(seq)) webhook.lost++
  }
  const lines = [
    '| fault | rounds | events | lost | duplicated | out of order | longest catch-up, websocket | longest catch-up, SSE |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ]
  let bad = webhook.lost + webhook.duplicated + webhook.outOfOrder
  for (const kind of [...FAULTS, 'none']) {
    const r = kinds.get(kind)
    if (!r) continue
    bad += r.lost + r.duplicated + r.outOfOrder
    lines.push(
      `| ${kind} | ${r.rounds} | ${r.events} | ${r.lost} | ${r.duplicated} | ${r.outOfOrder} | ${seconds(r.longestCatchUpMs.websocket)} | ${seconds(r.longestCatchUpMs.sse)} |`,
    )
  }
  const total = [...heads.values()].reduce((a, b) => a + b, 0)
  const reconnects = readers.reduce((a, r) => a + r.reconnects, 0)
  lines.push(
    '',
    `readers: ${readers.length} (${reconnects} reconnects); lost/duplicated/out of order count reader-events.`,
    `webhook receiver: ${total} events, ${receiver.deliveries()} deliveries accepted, ${webhook.lost} lost, ${webhook.duplicated} duplicated, ${webhook.outOfOrder} out of order.`,
    bad === 0 ? 'PASS' : `FAIL: ${bad} problems`,
  )
  return lines.join('\n')
}

interface DeliveryReceiver {
  url: string
  /** The story's event seqs, one per distinct delivery (webhook-id) accepted, in arrival order. */
  seqs(story: string): number[]
  deliveries(): number
  close(): Promise<void>
}

/**
 * The partner's endpoint: accepts every delivery and, as Standard Webhooks asks of receivers,
 * counts a webhook-id it has already accepted (a retry after a lost answer) only once.
 */
async function startDeliveryReceiver(): Promise<DeliveryReceiver> {
  const accepted = new Map<string, { story: string; seq: number }>()
  const byStory = new Map<string, number[]>()
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const id = String(req.headers['webhook-id'] ?? '')
      if (!accepted.has(id)) {
        const event = JSON.parse(Buffer.concat(chunks).toString()) as { story: string; seq: number }
        accepted.set(id, event)
        byStory.set(event.story, [...(byStory.get(event.story) ?? []), event.seq])
      }
      res.writeHead(204).end()
    })
  })
  const port = await freePort()
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()))
  return {
    url: `http://127.0.0.1:${port}/hook`,
    seqs: (story) => byStory.get(story) ?? [],
    deliveries: () => accepted.size,
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

/** An API call to whichever instance answers (one may be down): throws when none does. */
async function call(
  instances: Instance[],
  path: string,
  body?: unknown,
  key = ADMIN_KEY,
  headers: Record<string, string> = {},
): Promise<unknown> {
  let last: unknown
  for (const instance of [...instances].sort(() => Math.random() - 0.5)) {
    try {
      const res = await fetch(`${instance.url}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(10_000),
      })
      const text = await res.text()
      if (res.ok) return JSON.parse(text)
      last = new Error(`${path}: ${res.status} ${text.slice(0, 200)}`)
    } catch (err) {
      last = err
    }
  }
  throw last
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

function log(line: string): void {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`)
}

await main()
