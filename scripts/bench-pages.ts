/**
 * `npm run bench:pages`: Liveline's public reads (reader page, widget fragment, story, updates list
 * and its second page, the story's Atom feed, the all-live feed, /healthz) against a static
 * `node:http` server answering the very same bytes with the same headers, in one run, through the
 * same load generator (autocannon, a child process). Talks to Liveline over HTTP only.
 *
 * Setup: one Liveline child on a fresh database of the local Postgres (dropped at the end) and the
 * local Redis, one live story of `--updates` realistic updates. Each answer is fetched once from
 * Liveline without and with `Accept-Encoding: gzip, br`; the static server (scripts/bench/static-server.ts)
 * answers those recordings.
 *
 * warm  `--connections` connections for `--duration` s per target, encoding and server (after a
 *       `--warmup` s run that is not counted), static and Liveline in turn, `--rounds` times: the
 *       machine's speed drifts over seconds, so each ratio is the median of the rounds' ratios
 *       (each round's pair a few seconds apart), and each figure the median of the rounds'.
 * cold  post an update, wait `--cold-settle-ms` (the bus message), then time the first request of
 *       each target; `--cold-reps` times per encoding. Liveline only: a static server has no "change".
 *
 * Flags: --duration 2 --rounds 3 --warmup 1 --connections 50 --updates 200 --cold-reps 20 --cold-settle-ms 100
 * --only page,fragment,… (target names below) --quick (1 s runs, 5 cold reps) --profile (a CPU
 * profile of Liveline into test-artifacts/bench-profiles/pages). Prints a Markdown
 * table; the JSON goes to bench-results/pages-<date>.json.
 */
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import os from 'node:os'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import {
  benchNodeArgs,
  type LivelineInstance,
  newAdminKey,
  startLivelineInstance,
} from './bench/liveline-instance.js'
import { LOG_DIR, PG_ADMIN_URL, REDIS_URL, RESULTS_DIR, ROOT } from './bench/places.js'
import {
  diffMachineCpu,
  freePort,
  machineCpu,
  processCpuMs,
  ServerProcess,
  sleep,
  waitForHttp,
} from './bench/proc.js'
import type { RecordedAnswer, RecordedPath } from './bench/static-server.js'
import { benchUpdate } from './bench/story-content.js'
import { type BenchDatabase, createBenchDatabase } from './bench/targets.js'

/** What a browser, a CDN or an app sends when it takes compressed answers. */
const COMPRESSED_ACCEPT = 'gzip, br'
/** Headers that belong to one connection, not to the answer: not replayed by the static server. */
const HOP_HEADERS = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding'])

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '50' },
    updates: { type: 'string', default: '200' },
    'cold-reps': { type: 'string', default: '20' },
    'cold-settle-ms': { type: 'string', default: '100' },
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
  },
})

function positive(name: string, raw: string | undefined): number {
  const value = Number(raw)
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number >= 0`)
  return value
}

const config = {
  durationSeconds: flags.quick ? 1 : positive('duration', flags.duration),
  warmupSeconds: flags.quick ? 0 : positive('warmup', flags.warmup),
  rounds: flags.quick ? 1 : Math.max(1, Math.round(positive('rounds', flags.rounds))),
  connections: Math.round(positive('connections', flags.connections)),
  updates: Math.round(positive('updates', flags.updates)),
  coldReps: flags.quick ? 5 : Math.round(positive('cold-reps', flags['cold-reps'])),
  coldSettleMs: positive('cold-settle-ms', flags['cold-settle-ms']),
  only: flags.only ? flags.only.split(',') : null,
  quick: flags.quick,
}

// ---------------------------------------------------------------------------------------------
// Lifecycle: every child is stopped on success, error, Ctrl-C or the overall deadline.

const servers = new Set<ServerProcess>()
const loadgens = new Set<ReturnType<typeof spawn>>()
let database: BenchDatabase | null = null
let cleaning: Promise<void> | null = null
let loadAtStart: number[] = []

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const child of loadgens) child.kill('SIGKILL')
    await Promise.allSettled([...servers].map((s) => s.stop(5000)))
    await database?.drop().catch((err: unknown) => log(`could not drop ${database?.name}: ${String(err)}`))
  })()
  return cleaning
}

async function abort(reason: string, code: number): Promise<never> {
  log(`aborting: ${reason}`)
  await Promise.race([cleanup(), sleep(20_000)])
  process.exit(code)
}

process.on('exit', () => {
  for (const child of loadgens) child.kill('SIGKILL')
  for (const s of servers) s.killNow()
})
process.on('SIGINT', () => void abort('interrupted', 130))
process.on('SIGTERM', () => void abort('terminated', 143))

const started = Date.now()
function log(message: string): void {
  process.stderr.write(
    `[bench:pages ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${message}\n`,
  )
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP: bytes as they travel (no decompression), over one keep-alive connection.

const agent = new Agent({ keepAlive: true, maxSockets: 1 })

interface RawAnswer {
  status: number
  headers: Array<[string, string]>
  body: Buffer
  ms: number
}

function rawGet(base: string, path: string, accept: string | null): Promise<RawAnswer> {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now()
    const req = request(
      `${base}${path}`,
      { agent, headers: accept ? { 'accept-encoding': accept } : {}, timeout: 15_000 },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => {
          const headers: Array<[string, string]> = []
          for (let i = 0; i < res.rawHeaders.length; i += 2)
            headers.push([res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string])
          resolvePromise({
            status: res.statusCode ?? 0,
            headers,
            body: Buffer.concat(chunks),
            ms: performance.now() - t0,
          })
        })
        res.on('error', reject)
      },
    )
    req.on('timeout', () => req.destroy(new Error(`GET ${path} timed out`)))
    req.on('error', reject)
    req.end()
  })
}

const header = (a: RawAnswer, name: string) => a.headers.find(([k]) => k.toLowerCase() === name)?.[1]

function record(a: RawAnswer): RecordedAnswer {
  return {
    status: a.status,
    headers: a.headers.filter(([k]) => !HOP_HEADERS.has(k.toLowerCase())),
    bodyBase64: a.body.toString('base64'),
  }
}

// ---------------------------------------------------------------------------------------------
// autocannon as a child: the same load generator, process and settings for both servers.

interface Cannon {
  requestsPerSecond: number
  latencyP50: number
  latencyP99: number
  latencyMax: number
  bytesPerSecond: number
  requests: number
  non2xx: number
  errors: number
  timeouts: number
  /** CPU during the run, % of one core: the server under test, autocannon, everything else. */
  cpu: { server: number; loadgen: number; others: number }
}

async function cannon(
  url: string,
  accept: string | null,
  seconds: number,
  serverPid: number,
): Promise<Cannon> {
  const args = [
    resolve(ROOT, 'node_modules/autocannon/autocannon.js'),
    '-j',
    '-c',
    String(config.connections),
    '-d',
    String(seconds),
    ...(accept ? ['-H', `accept-encoding=${accept}`] : []),
    url,
  ]
  const machineBefore = machineCpu()
  const serverBefore = processCpuMs(serverPid)
  const wallBefore = performance.now()
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  loadgens.add(child)
  // autocannon's CPU, read just before it ends (an exited child can no longer be read).
  let loadgenMs = 0
  const sampler = setTimeout(
    () => {
      if (child.pid) loadgenMs = processCpuMsOrZero(child.pid)
    },
    Math.max(0, seconds * 1000 - 100),
  )
  let out = ''
  let err = ''
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString()
  })
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString()
  })
  const killer = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000)
  const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)))
  clearTimeout(killer)
  clearTimeout(sampler)
  loadgens.delete(child)
  const wallMs = performance.now() - wallBefore
  const machine = diffMachineCpu(machineCpu(), machineBefore)
  const serverMs = processCpuMs(serverPid) - serverBefore
  const percent = (ms: number) => Math.max(0, (ms / wallMs) * 100)
  if (code !== 0) throw new Error(`autocannon ${url} exited ${code}: ${err.slice(-500)}`)
  const result = JSON.parse(out) as {
    requests: { average: number; total: number }
    latency: { p50: number; p99: number; max: number }
    throughput: { average: number }
    non2xx: number
    errors: number
    timeouts: number
  }
  return {
    requestsPerSecond: result.requests.average,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    latencyMax: result.latency.max,
    bytesPerSecond: result.throughput.average,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    cpu: {
      server: percent(serverMs),
      loadgen: percent(loadgenMs),
      others: percent(machine.processMs + machine.softirqMs - serverMs - loadgenMs),
    },
  }
}

function processCpuMsOrZero(pid: number): number {
  try {
    return processCpuMs(pid)
  } catch {
    return 0
  }
}

// ---------------------------------------------------------------------------------------------

interface PageTarget {
  name: string
  label: string
  path: string
}

interface TargetResult {
  name: string
  label: string
  path: string
  encoding: 'identity' | 'gzip, br'
  identityBytes: number
  wireBytes: number
  contentEncoding: string | null
  cacheControl: string | null
  etag: string | null
  vary: string | null
  /** Each a median over the rounds (counts summed). */
  static: Cannon | null
  liveline: Cannon | null
  /** Liveline's req/s and p99 over the static server's, per round and their medians. */
  rounds: Array<{ ratio: number; p99Ratio: number }>
  ratio: number | null
  p99Ratio: number | null
  cold: { samples: number; p50: number; p99: number; max: number; changed: number } | null
}

const median = (values: number[]) =>
  quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  )

/** Several runs of one server and answer as one: medians of the rates and latencies, counts summed. */
function combineRuns(runs: Cannon[]): Cannon {
  const mid = (pick: (c: Cannon) => number) => median(runs.map(pick))
  const sum = (pick: (c: Cannon) => number) => runs.reduce((total, c) => total + pick(c), 0)
  return {
    requestsPerSecond: mid((c) => c.requestsPerSecond),
    latencyP50: mid((c) => c.latencyP50),
    latencyP99: mid((c) => c.latencyP99),
    latencyMax: Math.max(...runs.map((c) => c.latencyMax)),
    bytesPerSecond: mid((c) => c.bytesPerSecond),
    requests: sum((c) => c.requests),
    non2xx: sum((c) => c.non2xx),
    errors: sum((c) => c.errors),
    timeouts: sum((c) => c.timeouts),
    cpu: {
      server: mid((c) => c.cpu.server),
      loadgen: mid((c) => c.cpu.loadgen),
      others: mid((c) => c.cpu.others),
    },
  }
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number

async function seedStory(live: LivelineInstance) {
  const { key: editorKey } = await live.api<{ key: string }>('POST', '/v1/keys', {
    name: 'Bench editor',
    role: 'editor',
  })
  const story = await live.api<{ id: string; slug: string }>(
    'POST',
    '/v1/stories',
    {
      title: 'Talks resume after a day of delays: live updates',
      summary: 'Follow the talks live: every statement, every delay, as it happens. (Bench content.)',
      status: 'live',
    },
    editorKey,
  )
  for (let i = 1; i <= config.updates; i++) {
    await live.api('POST', `/v1/stories/${story.id}/updates`, benchUpdate(i), editorKey)
  }
  return { story, editorKey }
}

async function main(): Promise<void> {
  const runId = `liveline-bench-pages-${process.pid}-${randomBytes(3).toString('hex')}`
  const deadlineMs =
    240_000 +
    16 * 2 * (config.rounds * (config.durationSeconds + 3) + config.warmupSeconds + 3) * 1000 +
    config.coldReps * 2 * 3000
  const deadline = setTimeout(
    () => void abort(`did not finish within ${Math.round(deadlineMs / 1000)} s`, 3),
    deadlineMs,
  )
  loadAtStart = os.loadavg()
  log(`config ${JSON.stringify(config)}; bounded at ${Math.round(deadlineMs / 1000)} s`)
  mkdirSync(LOG_DIR, { recursive: true })
  mkdirSync(RESULTS_DIR, { recursive: true })

  database = await createBenchDatabase(PG_ADMIN_URL, `liveline_bench_${process.pid}`)
  const live = await startLivelineInstance({
    name: 'liveline-pages',
    root: ROOT,
    logDir: LOG_DIR,
    databaseUrl: database.url,
    redisUrl: REDIS_URL,
    busPrefix: `${runId}:`,
    adminKey: newAdminKey(),
    // --profile: Liveline's whole life as a V8 CPU profile (scripts/bench/profile-summary.ts reads it).
    nodeArgs: flags.profile
      ? ['--cpu-prof', `--cpu-prof-dir=${resolve(ROOT, 'test-artifacts/bench-profiles/pages')}`]
      : [],
  })
  servers.add(live.server)
  log(`liveline on ${live.base}; posting ${config.updates} updates`)
  const { story, editorKey } = await seedStory(live)

  const firstPage = JSON.parse(
    (await rawGet(live.base, `/v1/stories/${story.id}/updates?limit=50`, null)).body.toString(),
  ) as { nextCursor: string | null }
  if (!firstPage.nextCursor) throw new Error('the updates list has no second page')
  const all: PageTarget[] = [
    { name: 'page', label: 'reader page `/s/:slug`', path: `/s/${story.slug}` },
    { name: 'fragment', label: 'widget fragment', path: `/s/${story.slug}/fragment` },
    { name: 'story', label: '`GET /v1/stories/:story`', path: `/v1/stories/${story.id}` },
    { name: 'updates', label: 'updates list, 50', path: `/v1/stories/${story.id}/updates?limit=50` },
    {
      name: 'updates-page-2',
      label: 'updates list, 2nd page',
      path: `/v1/stories/${story.id}/updates?limit=50&cursor=${encodeURIComponent(firstPage.nextCursor)}`,
    },
    { name: 'feed', label: "story's Atom feed", path: `/v1/stories/${story.id}/feed.atom` },
    { name: 'all-live-feed', label: 'all-live feed `/v1/feed.atom`', path: '/v1/feed.atom' },
    { name: 'healthz', label: '`/healthz`', path: '/healthz' },
  ]
  const targets = config.only ? all.filter((t) => config.only?.includes(t.name)) : all
  if (targets.length === 0) throw new Error(`--only names none of ${all.map((t) => t.name).join(', ')}`)

  // Record every answer once, both ways, for the static server.
  const recorded: RecordedPath[] = []
  const results: TargetResult[] = []
  for (const t of targets) {
    const identity = await rawGet(live.base, t.path, null)
    const compressed = await rawGet(live.base, t.path, COMPRESSED_ACCEPT)
    if (identity.status !== 200 || compressed.status !== 200)
      throw new Error(`${t.path}: ${identity.status}/${compressed.status}`)
    const encoding = header(compressed, 'content-encoding') ?? null
    recorded.push({
      path: t.path,
      identity: record(identity),
      compressed: encoding ? record(compressed) : null,
    })
    for (const [enc, answer] of [
      ['identity', identity],
      ['gzip, br', compressed],
    ] as const) {
      results.push({
        name: t.name,
        label: t.label,
        path: t.path,
        encoding: enc,
        identityBytes: identity.body.length,
        wireBytes: answer.body.length,
        contentEncoding: header(answer, 'content-encoding') ?? null,
        cacheControl: header(answer, 'cache-control') ?? null,
        etag: header(answer, 'etag') ?? null,
        vary: header(answer, 'vary') ?? null,
        static: null,
        liveline: null,
        rounds: [],
        ratio: null,
        p99Ratio: null,
        cold: null,
      })
    }
  }
  const answersFile = resolve(LOG_DIR, `static-answers-${process.pid}.json`)
  writeFileSync(answersFile, JSON.stringify(recorded))
  const staticPort = await freePort()
  const staticServer = new ServerProcess(
    'static',
    benchNodeArgs(ROOT, 'scripts/bench/static-server.ts'),
    { ...process.env, PORT: String(staticPort), STATIC_ANSWERS: answersFile },
    ROOT,
    resolve(LOG_DIR, 'static.log'),
  )
  servers.add(staticServer)
  await staticServer.waitForLine((line) => line.startsWith('{"ready":true'), 30_000)
  const staticBase = `http://127.0.0.1:${staticPort}`
  // A recorded path (with --only, /healthz may not be one).
  await waitForHttp(`${staticBase}${(recorded[0] as { path: string }).path}`, staticServer, 10_000)

  // Warm: the story does not change meanwhile; static and Liveline in turn for each answer.
  for (const r of results) {
    const accept = r.encoding === 'identity' ? null : COMPRESSED_ACCEPT
    const servers = [
      ['static', staticBase, staticServer.pid],
      ['liveline', live.base, live.server.pid],
    ] as const
    if (config.warmupSeconds > 0)
      for (const [, base, pid] of servers) await cannon(`${base}${r.path}`, accept, config.warmupSeconds, pid)
    const runs = { static: [] as Cannon[], liveline: [] as Cannon[] }
    for (let round = 0; round < config.rounds; round++) {
      for (const [which, base, pid] of servers) {
        runs[which].push(await cannon(`${base}${r.path}`, accept, config.durationSeconds, pid))
      }
      const [s, l] = [runs.static.at(-1) as Cannon, runs.liveline.at(-1) as Cannon]
      r.rounds.push({
        ratio: l.requestsPerSecond / s.requestsPerSecond,
        p99Ratio: l.latencyP99 / Math.max(s.latencyP99, 1),
      })
    }
    r.static = combineRuns(runs.static)
    r.liveline = combineRuns(runs.liveline)
    r.ratio = median(r.rounds.map((x) => x.ratio))
    r.p99Ratio = median(r.rounds.map((x) => x.p99Ratio))
    log(
      `${r.name} (${r.encoding}): static ${Math.round(r.static.requestsPerSecond)} req/s, liveline ${Math.round(r.liveline.requestsPerSecond)} req/s; ratio per round ${r.rounds.map((x) => x.ratio.toFixed(2)).join(' ')}`,
    )
  }

  // Cold: the first request of each answer after a post (each rep alternates the encoding).
  const cold = new Map<string, { ms: number[]; changed: number; last: string | null }>()
  for (let rep = 0; rep < config.coldReps * 2; rep++) {
    const encoding = rep % 2 === 0 ? 'identity' : 'gzip, br'
    await live.api(
      'POST',
      `/v1/stories/${story.id}/updates`,
      benchUpdate(config.updates + rep + 1),
      editorKey,
    )
    if (config.coldSettleMs > 0) await sleep(config.coldSettleMs)
    for (const t of targets) {
      const a = await rawGet(live.base, t.path, encoding === 'identity' ? null : COMPRESSED_ACCEPT)
      if (a.status !== 200) throw new Error(`cold ${t.path}: ${a.status}`)
      const key = `${t.name} ${encoding}`
      const entry = cold.get(key) ?? { ms: [], changed: 0, last: null }
      const hash = createHash('sha1').update(a.body).digest('hex')
      if (entry.last !== null && hash !== entry.last) entry.changed++
      entry.last = hash
      entry.ms.push(a.ms)
      cold.set(key, entry)
    }
  }
  for (const r of results) {
    const entry = cold.get(`${r.name} ${r.encoding}`)
    if (!entry) continue
    const sorted = [...entry.ms].sort((a, b) => a - b)
    r.cold = {
      samples: sorted.length,
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      max: sorted[sorted.length - 1] as number,
      // Changes seen between consecutive cold samples (samples − 1 when every post shows).
      changed: entry.changed,
    }
  }

  await cleanup()
  clearTimeout(deadline)

  const cpu = os.cpus()
  const machine = {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  }
  const date = new Date().toISOString()
  const table = formatTable(results)
  const notes: string[] = []
  for (const r of results) {
    for (const [which, c] of [
      ['static', r.static],
      ['liveline', r.liveline],
    ] as const) {
      if (c && (c.non2xx || c.errors || c.timeouts))
        notes.push(
          `${r.name} (${r.encoding}) ${which}: ${c.non2xx} non-2xx, ${c.errors} errors, ${c.timeouts} timeouts`,
        )
    }
  }
  for (const r of results) {
    // Answers that follow the story must differ after every post; the second page and /healthz need not.
    if (r.cold && r.name !== 'healthz' && r.name !== 'updates-page-2' && r.cold.changed < r.cold.samples - 1)
      notes.push(
        `${r.name} (${r.encoding}) cold: only ${r.cold.changed} of ${r.cold.samples - 1} first requests after a post showed a change (stale answers)`,
      )
  }
  notes.push(
    `load average at the start / end: ${loadAtStart.map((l) => l.toFixed(1)).join(' ')} / ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (2 cores, shared)`,
  )
  const heads = [
    `Liveline front-door benchmark (bench:pages)`,
    '',
    `machine ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB RAM, ${machine.os}; node ${process.version}; ${date}`,
    'other load %: CPU used on the machine by processes other than the server under test and autocannon during the static / Liveline run (% of one core; the machine has 2)',
    `story with ${config.updates} updates; autocannon ${config.connections} connections, ${config.durationSeconds} s per run, static and Liveline in turn ${config.rounds} times (req/s and p99: medians of the runs; ratios: medians of the rounds' ratios); cold: first request after a post, ${config.coldReps} samples per encoding, Liveline only`,
    '',
  ]
  process.stdout.write(`\n${heads.join('\n')}\n${table}\n`)
  if (notes.length) process.stdout.write(`\nnotes\n${notes.map((n) => `- ${n}`).join('\n')}\n`)
  const headersTable = results
    .filter((r) => r.encoding === 'gzip, br')
    .map(
      (r) =>
        `| ${r.label} | ${r.contentEncoding ?? '-'} | ${r.cacheControl ?? '-'} | ${r.etag ? 'yes' : 'no'} | ${r.vary ?? '-'} |`,
    )
  process.stdout.write(
    `\n| answer | Content-Encoding (gzip, br asked) | Cache-Control | ETag | Vary |\n|---|---|---|---|---|\n${headersTable.join('\n')}\n`,
  )
  const jsonPath = resolve(RESULTS_DIR, `pages-${date.replace(/[:.]/g, '-')}.json`)
  writeFileSync(
    jsonPath,
    `${JSON.stringify({ bench: 'pages', machine, date, node: process.version, config, results, notes }, null, 2)}\n`,
  )
  process.stdout.write(`\nresults: ${jsonPath}\n`)
}

function formatTable(results: TargetResult[]): string {
  const n = (v: number | null | undefined, digits = 0) =>
    v === null || v === undefined
      ? '-'
      : v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
  const size = (bytes: number) => (bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${bytes} B`)
  const times = (v: number | null) => (v === null ? '-' : `${v.toFixed(2)}x`)
  const rows = [
    '| answer | Accept-Encoding | size | on wire | static req/s | Liveline req/s | ratio | ratio per round | static p99 ms | Liveline p99 ms | p99 ratio | cold p50 ms | cold p99 ms | other load % |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ]
  for (const r of results) {
    rows.push(
      `| ${r.label} | ${r.encoding === 'identity' ? 'none' : 'gzip, br'} | ${size(r.identityBytes)} | ${size(r.wireBytes)}${r.contentEncoding ? ` ${r.contentEncoding}` : ''} | ${n(r.static?.requestsPerSecond)} | ${n(r.liveline?.requestsPerSecond)} | ${times(r.ratio)} | ${r.rounds.map((x) => x.ratio.toFixed(2)).join(' ')} | ${n(r.static?.latencyP99, 1)} | ${n(r.liveline?.latencyP99, 1)} | ${times(r.p99Ratio)} | ${n(r.cold?.p50, 1)} | ${n(r.cold?.p99, 1)} | ${n(r.static?.cpu.others)} / ${n(r.liveline?.cpu.others)} |`,
    )
  }
  return rows.join('\n')
}

main().then(
  () => process.exit(0),
  (err: unknown) => void abort(err instanceof Error ? (err.stack ?? err.message) : String(err), 1),
)
