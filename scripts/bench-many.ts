/**
 * `npm run bench:many`: election night on one instance. Many live stories with a few readers each
 * against one busy story with as many readers, at the same total delivery rate, in one run:
 *
 *   many: `--stories` (1,000) × `--readers-per-story` (10) readers, a post to each story every
 *         `--post-every-seconds` (10): 100 posts/s in all, 1,000 frames/s to readers.
 *   busy: 1 story × the same 10,000 readers, a post every 10 s: 0.1 post/s, 1,000 frames/s.
 *
 * Each scenario gets a fresh instance S under test (`src/main.ts`), with no other traffic: posts go
 * through a second instance P (no readers), so S does nothing but follow stories and fan out. S
 * reaches Postgres through a counting proxy (scripts/bench/pg-counting-proxy.ts), so every statement
 * it sends is counted by SQL text; the bus is a private redis-server (scripts/bench/redis-server.ts),
 * so its command counts are the run's own; a subscriber on the presence topic counts what S reports.
 * Readers live in forked load generators (scripts/bench/storm-loadgen.ts): each checks that its
 * seqs are contiguous and unique and end at its story's head.
 *
 * Reports, per scenario: S's RSS before and with its readers (RSS per followed story = the
 * difference between the scenarios' growth, over the extra stories), S's CPU per delivered frame
 * while posting (and many/busy), S's CPU per background tick while idle, head-check statements per
 * tick (one query however many stories) and the time of that query for all the stories, presence
 * reports per tick and their size, frames lost and duplicated. CPU is split into kernel and user,
 * main thread and helper threads (GC, JIT); beside S a bare ioredis subscriber on the same channels
 * (scripts/bench/bus-floor.ts) measures what merely hearing a post's messages costs a Node process
 * here, so CPU per frame is also given less that floor.
 *
 * BENCH_SECONDS (default 60): how long each scenario posts. Flags: --stories 1000
 * --readers-per-story 10 --post-every-seconds 10 --readers-per-loadgen 5000 --concurrency 200
 * --idle-seconds 20, --profile (CPU profiles of S into test-artifacts/bench-profiles/). Text on stdout; JSON in bench-results/many-<date>.json.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { Redis } from 'ioredis'
import pg from 'pg'
import { STORY_CHANGES_TOPIC, storyTopic } from '../src/events/bus-message.js'
import { startBusListener } from './bench/bus-floor.js'
import {
  benchExecArgv,
  type LivelineInstance,
  newAdminKey,
  startLivelineInstance,
} from './bench/liveline-instance.js'
import { LoadgenClient } from './bench/loadgen-client.js'
import {
  diffCounts,
  type PgCountingProxy,
  type StatementCounts,
  startPgCountingProxy,
} from './bench/pg-counting-proxy.js'
import { LOG_DIR, PG_ADMIN_URL, PG_HOST, PG_PORT, RESULTS_DIR, ROOT } from './bench/places.js'
import {
  openFileLimit,
  processCpuMs,
  processCpuSplit,
  processRssKb,
  processSyscalls,
  sleep,
  threadCpuMs,
} from './bench/proc.js'
import { partition } from './bench/reader-groups.js'
import { diffCalls, type PrivateRedis, startPrivateRedis } from './bench/redis-server.js'
import type { FromStormLoadgen, ReaderGroup, StormReport, ToStormLoadgen } from './bench/storm-protocol.js'
import { benchUpdate } from './bench/story-content.js'
import { type BenchDatabase, createBenchDatabase } from './bench/targets.js'

/** The instance's defaults (src/config.ts): the ticks the figures are counted in. */
const HEAD_CHECK_MS = 2000
const PRESENCE_MS = 5000
/** After the readers subscribed: let the first ticks and the connect garbage settle before measuring. */
const SETTLE_MS = 6000
/** RSS is the median of this many samples, one every RSS_SAMPLE_MS. */
const RSS_SAMPLES = 5
const RSS_SAMPLE_MS = 500
/** Posts in flight at once through P; past this the poster falls behind (and says so). */
const MAX_POSTS_IN_FLIGHT = 64
/** Times the head-check query is run from the bench to time it. */
const HEAD_QUERY_RUNS = 30

const { values: flags } = parseArgs({
  options: {
    stories: { type: 'string', default: '1000' },
    'readers-per-story': { type: 'string', default: '10' },
    'post-every-seconds': { type: 'string', default: '10' },
    'readers-per-loadgen': { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '200' },
    'idle-seconds': { type: 'string', default: '20' },
    profile: { type: 'boolean', default: false },
  },
})

function positive(name: string, raw: string | undefined): number {
  const value = Number(raw)
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a number above 0`)
  return value
}

const config = {
  seconds: positive('BENCH_SECONDS', process.env.BENCH_SECONDS ?? '60'),
  stories: Math.round(positive('--stories', flags.stories)),
  readersPerStory: Math.round(positive('--readers-per-story', flags['readers-per-story'])),
  postEverySeconds: positive('--post-every-seconds', flags['post-every-seconds']),
  readersPerLoadgen: Math.round(positive('--readers-per-loadgen', flags['readers-per-loadgen'])),
  concurrency: Math.round(positive('--concurrency', flags.concurrency)),
  idleSeconds: positive('--idle-seconds', flags['idle-seconds']),
}
const readers = config.stories * config.readersPerStory

// ---------------------------------------------------------------------------------------------
// Lifecycle: every child is stopped on success, error, Ctrl-C or the overall deadline.

type Loadgen = LoadgenClient<ToStormLoadgen, FromStormLoadgen>
const instances = new Set<LivelineInstance>()
/** Load generators and the bus floor: forked children, killed with the run. */
const loadgens = new Set<{ kill(): void }>()
let proxy: PgCountingProxy | null = null
/** Between P and Postgres: what each post costs the database. */
let posterProxy: PgCountingProxy | null = null
let redis: PrivateRedis | null = null
let database: BenchDatabase | null = null
let presenceWatch: Redis | null = null
let cleaning: Promise<void> | null = null

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const lg of loadgens) lg.kill()
    await Promise.allSettled([...instances].map((i) => i.server.stop(5000)))
    presenceWatch?.disconnect()
    await proxy?.close()
    await posterProxy?.close()
    await redis?.stop()
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
  for (const lg of loadgens) lg.kill()
  for (const i of instances) i.server.killNow()
})
process.on('SIGINT', () => void abort('interrupted', 130))
process.on('SIGTERM', () => void abort('terminated', 143))

const started = Date.now()
function log(message: string): void {
  process.stderr.write(`[bench:many ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${message}\n`)
}

// ---------------------------------------------------------------------------------------------

async function medianRssKb(pid: number): Promise<number> {
  const samples: number[] = []
  for (let i = 0; i < RSS_SAMPLES; i++) {
    samples.push(processRssKb(pid))
    await sleep(RSS_SAMPLE_MS)
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)] as number
}

/** Runs `fn` for each item, at most `limit` at once. */
async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

const HEAD_CHECK_SQL = 'select "id", "seq" from "stories" where "id" in'
const headChecks = (counts: StatementCounts) =>
  Object.entries(counts.bySql)
    .filter(([sql]) => sql.startsWith(HEAD_CHECK_SQL))
    .reduce((sum, [, n]) => sum + n, 0)

/** What one scenario measured. */
interface ScenarioResult {
  name: 'many' | 'busy'
  stories: number
  readers: number
  subscribed: number
  connectSeconds: number
  rssIdleKb: number
  rssWithReadersKb: number
  rssAfterPostingKb: number
  idle: {
    seconds: number
    cpuMs: number
    statements: StatementCounts
    headChecks: number
    presenceReports: number
    presenceBytes: number
    redisCalls: Record<string, number>
  }
  posting: {
    seconds: number
    postsOk: number
    postsFailed: number
    postsLate: number
    cpuMs: number
    /** Of cpuMs, the kernel's (socket writes and reads, wakeups). */
    systemMs: number
    /** Of cpuMs, the main thread's; the rest is V8's helper threads (GC, compiler) and libuv's. */
    mainThreadMs: number
    /** The bus floor's CPU over the window, and the messages it heard. */
    floorCpuMs: number
    floorMessages: number
    /** Read system calls S made (each socket read is a wakeup's work) and write calls. */
    syscalls: { reads: number; writes: number }
    framesDelivered: number
    statements: StatementCounts
    headChecks: number
    presenceReports: number
    redisCalls: Record<string, number>
    /** What P sent Postgres for the posts (and its own background). */
    posterStatements: StatementCounts
  }
  lost: number
  duplicated: number
  readersAtHead: number
  errors: Record<string, number>
  closeCodes: Record<string, number>
  loadgenCpuMs: number
}

interface Shared {
  poster: LivelineInstance
  editorKey: string
  proxiedUrl: string
  busPrefix: string
  adminKey: string
  admin: pg.Client
  presence: { reports: number; bytes: number }
}

async function runScenario(
  shared: Shared,
  name: 'many' | 'busy',
  stories: string[],
  readersPerStory: number,
  postIntervalMs: number,
): Promise<ScenarioResult> {
  const s = await startLivelineInstance({
    name: `many-${name}`,
    root: ROOT,
    logDir: LOG_DIR,
    databaseUrl: shared.proxiedUrl,
    redisUrl: (redis as PrivateRedis).url,
    busPrefix: shared.busPrefix,
    adminKey: shared.adminKey,
    env: { LIVELINE_MIGRATE: '0' },
    // --profile: S's whole life as a V8 CPU profile (scripts/bench/profile-summary.ts reads it).
    nodeArgs: flags.profile
      ? ['--cpu-prof', `--cpu-prof-dir=${resolve(ROOT, 'test-artifacts/bench-profiles', `many-${name}`)}`]
      : [],
  })
  instances.add(s)
  await sleep(2000)
  const rssIdleKb = await medianRssKb(s.server.pid)
  log(`${name}: S ${s.base}, RSS before readers ${(rssIdleKb / 1024).toFixed(1)} MB`)

  const groups: ReaderGroup[] = stories.map((story) => ({
    story,
    count: readersPerStory,
    url: s.wsUrl,
    reconnectUrl: null,
    recordLatency: false,
  }))
  const plans = partition(groups, config.readersPerLoadgen)
  const lgs = plans.map(() => {
    const lg: Loadgen = new LoadgenClient(
      resolve(ROOT, 'scripts/bench/storm-loadgen.ts'),
      benchExecArgv(ROOT),
      ROOT,
    )
    loadgens.add(lg)
    return lg
  })
  await Promise.all(lgs.map((lg) => lg.ready))
  const total = stories.length * readersPerStory
  const connectTimeoutMs = 60_000 + total * 10
  const connectStarted = performance.now()
  const connected = await Promise.all(
    lgs.map((lg, k) =>
      lg.request(
        {
          cmd: 'connect',
          groups: plans[k] as ReaderGroup[],
          concurrency: config.concurrency,
          timeoutMs: connectTimeoutMs,
        },
        'connected',
        connectTimeoutMs + 10_000,
      ),
    ),
  )
  const connectSeconds = (performance.now() - connectStarted) / 1000
  const subscribed = connected.reduce((sum, r) => sum + r.subscribed, 0)
  log(`${name}: ${subscribed}/${total} readers subscribed in ${connectSeconds.toFixed(1)} s`)
  // CPU per frame divides by readers × posts: every reader must be there.
  if (subscribed < total)
    throw new Error(
      `${name}: only ${subscribed} of ${total} readers subscribed: ${JSON.stringify(connected)}`,
    )
  await sleep(SETTLE_MS)
  const rssWithReadersKb = await medianRssKb(s.server.pid)

  // The bus floor: a bare subscriber hearing the same messages as S (see scripts/bench/bus-floor.ts).
  const floorChannels = [...stories.map(storyTopic), STORY_CHANGES_TOPIC].map((t) => shared.busPrefix + t)
  const floor = await startBusListener(
    ROOT,
    { url: (redis as PrivateRedis).url, channels: floorChannels },
    (listener) => loadgens.add(listener),
  )
  const floorPid = floor.child.pid as number

  // Idle: the background alone (head checks, presence, pings) with every reader connected.
  const snapshot = async () => ({
    floorCpu: processCpuMs(floorPid),
    floorMessages: (await floor.request({ cmd: 'count' }, 'count', 10_000)).messages,
    at: performance.now(),
    cpu: processCpuMs(s.server.pid),
    systemCpu: processCpuSplit(s.server.pid).systemMs,
    threads: threadCpuMs(s.server.pid),
    syscalls: processSyscalls(s.server.pid),
    statements: (proxy as PgCountingProxy).counts(),
    posterStatements: (posterProxy as PgCountingProxy).counts(),
    redis: await (redis as PrivateRedis).commandCalls(),
    presence: { ...shared.presence },
  })
  const idleStart = await snapshot()
  await sleep(config.idleSeconds * 1000)
  const idleEnd = await snapshot()

  // Posting: each story gets a post every postIntervalMs, the stories spread evenly over it.
  const everyMs = postIntervalMs / stories.length
  const postsDue = Math.floor((config.seconds * 1000) / everyMs)
  let postsOk = 0
  let postsFailed = 0
  let postsLate = 0
  let updateNumber = 0
  const inFlight = new Set<Promise<void>>()
  const postStart = await snapshot()
  const t0 = performance.now()
  for (let i = 0; i < postsDue; i++) {
    const wait = t0 + i * everyMs - performance.now()
    if (wait > 0) await sleep(wait)
    while (inFlight.size >= MAX_POSTS_IN_FLIGHT) {
      postsLate++
      await Promise.race(inFlight)
    }
    const story = stories[i % stories.length] as string
    const job: Promise<void> = shared.poster
      .api('POST', `/v1/stories/${story}/updates`, benchUpdate(++updateNumber), shared.editorKey)
      .then(
        () => {
          postsOk++
        },
        (err: unknown) => {
          postsFailed++
          if (postsFailed <= 3) log(`${name}: post failed: ${String(err)}`)
        },
      )
      .finally(() => inFlight.delete(job))
    inFlight.add(job)
  }
  await Promise.all(inFlight)
  // The window lasts as long in both scenarios, so each carries the same background (ticks, pings).
  const left = t0 + config.seconds * 1000 - performance.now()
  if (left > 0) await sleep(left)

  // Every frame delivered (or the wait ran out): then the CPU window closes.
  const heads: Record<string, number> = {}
  const { rows } = await shared.admin.query<{ id: string; seq: string }>(
    'SELECT id, seq FROM stories WHERE id = ANY($1)',
    [stories],
  )
  for (const row of rows) heads[row.id] = Number(row.seq)
  const reports: StormReport[] = (
    await Promise.all(
      lgs.map((lg) =>
        lg.request(
          {
            cmd: 'report',
            heads,
            latencyStory: '',
            publishTimes: {},
            recordedTimes: {},
            busTimes: {},
            windows: [],
            maxWaitMs: 30_000,
          },
          'report',
          60_000,
        ),
      ),
    )
  ).map((r) => r.report)
  const postEnd = await snapshot()
  const rssAfterPostingKb = await medianRssKb(s.server.pid)
  await Promise.all(lgs.map((lg) => lg.request({ cmd: 'close' }, 'closed', 10_000).catch(() => null)))
  for (const lg of lgs) loadgens.delete(lg)
  await s.server.stop(5000)
  instances.delete(s)
  floor.kill()
  loadgens.delete(floor)

  const sum = (f: (r: StormReport) => number) => reports.reduce((acc, r) => acc + f(r), 0)
  const merge = (f: (r: StormReport) => Record<string, number>) => {
    const out: Record<string, number> = {}
    for (const r of reports) for (const [k, v] of Object.entries(f(r))) out[k] = (out[k] ?? 0) + v
    return out
  }
  const lost = sum((r) => r.lost)
  const idleStatements = diffCounts(idleEnd.statements, idleStart.statements)
  const postStatements = diffCounts(postEnd.statements, postStart.statements)
  return {
    name,
    stories: stories.length,
    readers: total,
    subscribed,
    connectSeconds,
    rssIdleKb,
    rssWithReadersKb,
    rssAfterPostingKb,
    idle: {
      seconds: (idleEnd.at - idleStart.at) / 1000,
      cpuMs: idleEnd.cpu - idleStart.cpu,
      statements: idleStatements,
      headChecks: headChecks(idleStatements),
      presenceReports: idleEnd.presence.reports - idleStart.presence.reports,
      presenceBytes: idleEnd.presence.bytes - idleStart.presence.bytes,
      redisCalls: diffCalls(idleEnd.redis, idleStart.redis),
    },
    posting: {
      seconds: (postEnd.at - postStart.at) / 1000,
      postsOk,
      postsFailed,
      postsLate,
      cpuMs: postEnd.cpu - postStart.cpu,
      systemMs: postEnd.systemCpu - postStart.systemCpu,
      mainThreadMs: postEnd.threads.mainMs - postStart.threads.mainMs,
      floorCpuMs: postEnd.floorCpu - postStart.floorCpu,
      floorMessages: postEnd.floorMessages - postStart.floorMessages,
      syscalls: {
        reads: postEnd.syscalls.reads - postStart.syscalls.reads,
        writes: postEnd.syscalls.writes - postStart.syscalls.writes,
      },
      // Each reader holds every event up to its head exactly once (checked): readers × posts − lost.
      framesDelivered: postsOk * readersPerStory - lost,
      statements: postStatements,
      headChecks: headChecks(postStatements),
      presenceReports: postEnd.presence.reports - postStart.presence.reports,
      redisCalls: diffCalls(postEnd.redis, postStart.redis),
      posterStatements: diffCounts(postEnd.posterStatements, postStart.posterStatements),
    },
    lost,
    duplicated: sum((r) => r.duplicated),
    readersAtHead: sum((r) => r.atHead),
    errors: merge((r) => r.errors),
    closeCodes: merge((r) => r.closeCodes),
    loadgenCpuMs: sum((r) => r.cpuMs),
  }
}

/** The head check's query for `ids`, run from the bench: its time in Postgres plus one round trip. */
async function timeHeadQuery(client: pg.Client, ids: string[]): Promise<{ p50: number; p90: number }> {
  const placeholders = ids.map((_, i) => `$${i + 1}`).join(', ')
  const sql = `${HEAD_CHECK_SQL} (${placeholders})`
  const times: number[] = []
  for (let i = 0; i < HEAD_QUERY_RUNS; i++) {
    const t = performance.now()
    await client.query(sql, ids)
    times.push(performance.now() - t)
  }
  times.sort((a, b) => a - b)
  const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)] as number
  return { p50: at(0.5), p90: at(0.9) }
}

async function main(): Promise<void> {
  const fdLimit = openFileLimit()
  if (fdLimit < readers + 500)
    throw new Error(`open-file limit ${fdLimit} is too low for ${readers} readers on one instance`)
  const deadlineMs = 600_000 + config.seconds * 2000 + readers * 20
  const deadline = setTimeout(
    () => void abort(`did not finish within ${Math.round(deadlineMs / 1000)} s`, 3),
    deadlineMs,
  )
  log(`config ${JSON.stringify(config)}; ${readers} readers per scenario`)
  mkdirSync(LOG_DIR, { recursive: true })
  mkdirSync(RESULTS_DIR, { recursive: true })

  database = await createBenchDatabase(PG_ADMIN_URL, `liveline_bench_${process.pid}`)
  redis = await startPrivateRedis()
  proxy = await startPgCountingProxy(PG_HOST, PG_PORT)
  posterProxy = await startPgCountingProxy(PG_HOST, PG_PORT)
  const proxiedUrl = new URL(database.url)
  proxiedUrl.port = String(proxy.port)
  const posterUrl = new URL(database.url)
  posterUrl.port = String(posterProxy.port)
  const busPrefix = `bench-many:${randomBytes(4).toString('hex')}:`
  const adminKey = newAdminKey()
  const poster = await startLivelineInstance({
    name: 'many-poster',
    root: ROOT,
    logDir: LOG_DIR,
    databaseUrl: posterUrl.toString(),
    redisUrl: redis.url,
    busPrefix,
    adminKey,
  })
  instances.add(poster)

  // What S reports on the presence topic (P has no readers, so it reports nothing).
  const presence = { reports: 0, bytes: 0 }
  presenceWatch = new Redis(redis.url)
  presenceWatch.on('error', () => {})
  await presenceWatch.subscribe(`${busPrefix}presence`)
  presenceWatch.on('message', (_channel: string, message: string) => {
    presence.reports++
    presence.bytes += Buffer.byteLength(message)
  })

  const { key: editorKey } = await poster.api<{ key: string }>('POST', '/v1/keys', {
    name: 'Election night desk',
    role: 'editor',
  })
  const storyIds: string[] = []
  const create = async (title: string) => {
    const story = await poster.api<{ id: string }>(
      'POST',
      '/v1/stories',
      { title, status: 'live' },
      editorKey,
    )
    // One update each, so every channel's ring has something in it when readers arrive.
    await poster.api('POST', `/v1/stories/${story.id}/updates`, benchUpdate(storyIds.length + 1), editorKey)
    return story.id
  }
  const titles = Array.from({ length: config.stories }, (_, i) => `Election night: district ${i + 1}`)
  await eachLimited(titles, 16, async (title) => {
    storyIds.push(await create(title))
  })
  const busyId = await create('Election night: the national picture')
  log(`${storyIds.length} stories + 1 busy story created`)

  const admin = new pg.Client({ connectionString: database.url })
  admin.on('error', () => {}) // dropping the database at the end ends this session too
  await admin.connect()
  const shared: Shared = {
    poster,
    editorKey,
    proxiedUrl: proxiedUrl.toString(),
    busPrefix,
    adminKey,
    admin,
    presence,
  }
  const loadBefore = os.loadavg()
  const postIntervalMs = config.postEverySeconds * 1000
  const many = await runScenario(shared, 'many', storyIds, config.readersPerStory, postIntervalMs)
  log(
    `many: ${JSON.stringify({ cpuMs: many.posting.cpuMs, frames: many.posting.framesDelivered, lost: many.lost })}`,
  )
  // The busy story gets the same frames per second: readers × posts/s equal to many's.
  const busy = await runScenario(shared, 'busy', [busyId], readers, postIntervalMs)
  log(
    `busy: ${JSON.stringify({ cpuMs: busy.posting.cpuMs, frames: busy.posting.framesDelivered, lost: busy.lost })}`,
  )
  const loadAfter = os.loadavg()
  const headQuery = {
    all: await timeHeadQuery(admin, storyIds),
    one: await timeHeadQuery(admin, [busyId]),
  }
  await admin.end()
  await cleanup()
  clearTimeout(deadline)

  const date = new Date().toISOString()
  const results = { date, config, machine: machine(), loadBefore, loadAfter, many, busy, headQuery }
  const file = resolve(RESULTS_DIR, `many-${date.replace(/[:.]/g, '-')}.json`)
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`)
  process.stdout.write(report(results))
  log(`figures in ${file}`)
}

function machine(): string {
  const cpus = os.cpus()
  return `${cpus[0]?.model.split(' ').slice(0, 2).join(' ') ?? '?'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GB RAM, ${os.type()} ${os.release()} ${os.arch()}`
}

function report(r: {
  date: string
  machine: string
  loadBefore: number[]
  loadAfter: number[]
  many: ScenarioResult
  busy: ScenarioResult
  headQuery: { all: { p50: number; p90: number }; one: { p50: number; p90: number } }
}): string {
  const { many, busy } = r
  const mb = (kb: number) => (kb / 1024).toFixed(1)
  const cpuPerFrameUs = (x: ScenarioResult) =>
    (x.posting.cpuMs * 1000) / Math.max(1, x.posting.framesDelivered)
  // The window's CPU less what the same instance spent idle over as long: the fan-out's own share.
  const netPerFrameUs = (x: ScenarioResult) =>
    ((x.posting.cpuMs - (x.idle.cpuMs / x.idle.seconds) * x.posting.seconds) * 1000) /
    Math.max(1, x.posting.framesDelivered)
  const growth = (x: ScenarioResult) => x.rssWithReadersKb - x.rssIdleKb
  const extraStories = many.stories - busy.stories
  const perStoryKb = (growth(many) - growth(busy)) / extraStories
  const perStoryAfterKb =
    (many.rssAfterPostingKb - many.rssIdleKb - (busy.rssAfterPostingKb - busy.rssIdleKb)) / extraStories
  const ticks = (x: ScenarioResult['idle'] | ScenarioResult['posting'], ms: number) => (x.seconds * 1000) / ms
  const per = (n: number, d: number) => (d > 0 ? n / d : 0)
  const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : '-')
  const row = (label: string, a: string, b: string, rat = '', target = '') =>
    `  ${label.padEnd(46)}${a.padStart(14)}${b.padStart(14)}${rat.padStart(11)}  ${target}\n`
  const fmt = (n: number, digits = 1) =>
    n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
  const int = (n: number) => Math.round(n).toLocaleString('en-US')
  const publishes = (x: ScenarioResult['idle']) => x.redisCalls.publish ?? 0
  let out = ''
  out += 'Liveline: many stories on one instance\n'
  out += `machine   ${r.machine}\n`
  out += `date      ${r.date}\n`
  out += `load      ${r.loadBefore.map((l) => l.toFixed(1)).join(' ')} before, ${r.loadAfter.map((l) => l.toFixed(1)).join(' ')} after (1/5/15 min; shared machine)\n`
  out += `many      ${many.stories} stories x ${many.readers / many.stories} readers, a post to each every ${config.postEverySeconds} s\n`
  out += `busy      1 story x ${busy.readers} readers, a post every ${config.postEverySeconds} s (the same frames per second)\n`
  out += `posting   ${config.seconds} s per scenario, through a second instance; idle window ${config.idleSeconds} s\n\n`
  out += row('', 'many', 'busy', 'many/busy', 'target')
  out += row('readers subscribed', int(many.subscribed), int(busy.subscribed))
  out += row('connect + subscribe (s)', fmt(many.connectSeconds), fmt(busy.connectSeconds))
  out += row('RSS before readers (MB)', mb(many.rssIdleKb), mb(busy.rssIdleKb))
  out += row('RSS with readers, settled (MB)', mb(many.rssWithReadersKb), mb(busy.rssWithReadersKb))
  out += row('RSS after posting (MB)', mb(many.rssAfterPostingKb), mb(busy.rssAfterPostingKb))
  out += row('RSS per followed story beyond readers (KB)', fmt(perStoryKb), '', '', '<= 100')
  out += row('  same, after posting (KB)', fmt(perStoryAfterKb), '', '', '<= 100')
  out += row(
    'posts OK / failed',
    `${int(many.posting.postsOk)}/${many.posting.postsFailed}`,
    `${int(busy.posting.postsOk)}/${busy.posting.postsFailed}`,
  )
  out += row('frames delivered', int(many.posting.framesDelivered), int(busy.posting.framesDelivered))
  out += row('frames lost', int(many.lost), int(busy.lost), '', '= 0')
  out += row('frames duplicated', int(many.duplicated), int(busy.duplicated), '', '= 0')
  out += row('readers at their head at the end', int(many.readersAtHead), int(busy.readersAtHead))
  /** A per-frame figure of both scenarios, with many/busy. */
  const perFrameRow = (label: string, f: (x: ScenarioResult) => number, target = '') =>
    row(label, fmt(f(many), 2), fmt(f(busy), 2), ratio(f(many), f(busy)), target)
  const frames = (x: ScenarioResult) => Math.max(1, x.posting.framesDelivered)
  const kernelPerFrameUs = (x: ScenarioResult) => (x.posting.systemMs * 1000) / frames(x)
  const mainPerFrameUs = (x: ScenarioResult) => (x.posting.mainThreadMs * 1000) / frames(x)
  out += perFrameRow('server CPU per delivered frame (µs)', cpuPerFrameUs, '<= 1.2x')
  out += perFrameRow('  of which kernel (µs)', kernelPerFrameUs)
  out += perFrameRow('  of which user space (µs)', (x) => cpuPerFrameUs(x) - kernelPerFrameUs(x))
  out += perFrameRow('  of which the main thread (µs)', mainPerFrameUs)
  out += perFrameRow('  of which helper threads: GC, JIT (µs)', (x) => cpuPerFrameUs(x) - mainPerFrameUs(x))
  out += perFrameRow('  less the idle background (µs)', netPerFrameUs)
  out += perFrameRow(
    'bus floor: a bare subscriber, per frame (µs)',
    (x) => (x.posting.floorCpuMs * 1000) / frames(x),
  )
  out += perFrameRow(
    'server CPU per frame less the bus floor (µs)',
    (x) => ((x.posting.cpuMs - x.posting.floorCpuMs) * 1000) / frames(x),
  )
  out += row(
    "S read system calls per post (wakeups' work)",
    fmt(per(many.posting.syscalls.reads, many.posting.postsOk)),
    fmt(per(busy.posting.syscalls.reads, busy.posting.postsOk)),
  )
  out += row(
    'posting window (s) / posts per second achieved',
    `${fmt(many.posting.seconds)} / ${fmt(per(many.posting.postsOk, many.posting.seconds))}`,
    `${fmt(busy.posting.seconds)} / ${fmt(per(busy.posting.postsOk, busy.posting.seconds), 2)}`,
  )
  out += row(
    'server CPU while posting (% of a core)',
    fmt(per(many.posting.cpuMs, many.posting.seconds * 10)),
    fmt(per(busy.posting.cpuMs, busy.posting.seconds * 10)),
    ratio(many.posting.cpuMs / many.posting.seconds, busy.posting.cpuMs / busy.posting.seconds),
  )
  out += row(
    'server CPU idle, readers connected (% core)',
    fmt(per(many.idle.cpuMs, many.idle.seconds * 10)),
    fmt(per(busy.idle.cpuMs, busy.idle.seconds * 10)),
    ratio(many.idle.cpuMs, busy.idle.cpuMs),
  )
  out += row(
    '  server CPU per 2 s idle (ms)',
    fmt(per(many.idle.cpuMs, ticks(many.idle, HEAD_CHECK_MS))),
    fmt(per(busy.idle.cpuMs, ticks(busy.idle, HEAD_CHECK_MS))),
  )
  out += row(
    'head-check queries per tick, idle',
    fmt(per(many.idle.headChecks, ticks(many.idle, HEAD_CHECK_MS)), 2),
    fmt(per(busy.idle.headChecks, ticks(busy.idle, HEAD_CHECK_MS)), 2),
    '',
    '= 1',
  )
  out += row(
    'head-check queries per tick, posting',
    fmt(per(many.posting.headChecks, ticks(many.posting, HEAD_CHECK_MS)), 2),
    fmt(per(busy.posting.headChecks, ticks(busy.posting, HEAD_CHECK_MS)), 2),
    '',
    '= 1',
  )
  out += row(
    'head-check query time p50 / p90 (ms)',
    `${fmt(r.headQuery.all.p50, 2)}/${fmt(r.headQuery.all.p90, 2)}`,
    `${fmt(r.headQuery.one.p50, 2)}/${fmt(r.headQuery.one.p90, 2)}`,
    ratio(r.headQuery.all.p50, r.headQuery.one.p50),
  )
  out += row(
    'all statements from S per 2 s, idle',
    fmt(per(many.idle.statements.total, ticks(many.idle, HEAD_CHECK_MS))),
    fmt(per(busy.idle.statements.total, ticks(busy.idle, HEAD_CHECK_MS))),
  )
  out += row(
    'all statements from S per 2 s, posting',
    fmt(per(many.posting.statements.total, ticks(many.posting, HEAD_CHECK_MS))),
    fmt(per(busy.posting.statements.total, ticks(busy.posting, HEAD_CHECK_MS))),
  )
  out += row(
    'presence reports per tick (5 s), idle',
    fmt(per(many.idle.presenceReports, ticks(many.idle, PRESENCE_MS)), 2),
    fmt(per(busy.idle.presenceReports, ticks(busy.idle, PRESENCE_MS)), 2),
    '',
    '= 1',
  )
  out += row(
    'presence report size (bytes)',
    int(per(many.idle.presenceBytes, many.idle.presenceReports)),
    int(per(busy.idle.presenceBytes, busy.idle.presenceReports)),
  )
  out += row(
    'Redis PUBLISH per 5 s, idle (all of S)',
    fmt(per(publishes(many.idle), ticks(many.idle, PRESENCE_MS)), 2),
    fmt(per(publishes(busy.idle), ticks(busy.idle, PRESENCE_MS)), 2),
  )
  out += row(
    'presence reports per tick (5 s), posting',
    fmt(per(many.posting.presenceReports, ticks(many.posting, PRESENCE_MS)), 2),
    fmt(per(busy.posting.presenceReports, ticks(busy.posting, PRESENCE_MS)), 2),
    '',
    '= 1',
  )
  out += row(
    'Redis PUBLISH per post (P: event + page hint)',
    fmt(per((many.posting.redisCalls.publish ?? 0) - many.posting.presenceReports, many.posting.postsOk), 2),
    fmt(per((busy.posting.redisCalls.publish ?? 0) - busy.posting.presenceReports, busy.posting.postsOk), 2),
  )
  out += row(
    'Redis commands in the idle window',
    int(Object.values(many.idle.redisCalls).reduce((a, b) => a + b, 0)),
    int(Object.values(busy.idle.redisCalls).reduce((a, b) => a + b, 0)),
  )
  out += row(
    'Postgres statements per post (P, background incl.)',
    fmt(per(many.posting.posterStatements.total, many.posting.postsOk)),
    fmt(per(busy.posting.posterStatements.total, busy.posting.postsOk)),
  )
  out += row(
    'Postgres transactions per post (P)',
    fmt(per(many.posting.posterStatements.transactions, many.posting.postsOk), 2),
    fmt(per(busy.posting.posterStatements.transactions, busy.posting.postsOk), 2),
  )
  out += row('load generator CPU (s)', fmt(many.loadgenCpuMs / 1000), fmt(busy.loadgenCpuMs / 1000))
  out += '\nnotes\n'
  out += `  - RSS per followed story: (many's RSS growth with readers − busy's) / ${extraStories} extra stories; both hold ${int(many.readers)} readers.\n`
  out +=
    '  - head-check query time: the same SQL as the instance sends, from the bench, for every story of each scenario (Postgres + one round trip).\n'
  out += `  - idle Redis commands by name: many ${JSON.stringify(many.idle.redisCalls)}, busy ${JSON.stringify(busy.idle.redisCalls)} (info: the bench's own reads).\n`
  const topPoster = Object.entries(many.posting.posterStatements.bySql)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([sql, n]) => `      ${(n / Math.max(1, many.posting.postsOk)).toFixed(2)}  ${sql}`)
    .join('\n')
  out += `  - P's statements per post while posting (many), by SQL:\n${topPoster}\n`
  out += `  - bus floor: a bare ioredis subscriber on the same channels (scripts/bench/bus-floor.ts) heard ${fmt(per(many.posting.floorMessages, many.posting.postsOk), 1)} messages per post (the event and the page-cache hint) for ${fmt((many.posting.floorCpuMs * 1000) / Math.max(1, many.posting.postsOk), 1)} µs of CPU per post: a wakeup, a socket read and RESP parsing, before any of Liveline's own work.\n`
  out += `  - posts queued behind ${MAX_POSTS_IN_FLIGHT} in flight: many ${many.posting.postsLate}, busy ${busy.posting.postsLate}.\n`
  if (Object.keys(many.errors).length + Object.keys(busy.errors).length)
    out += `  - error frames: many ${JSON.stringify(many.errors)}, busy ${JSON.stringify(busy.errors)}\n`
  if (Object.keys(many.closeCodes).length + Object.keys(busy.closeCodes).length)
    out += `  - readers closed by the server: many ${JSON.stringify(many.closeCodes)}, busy ${JSON.stringify(busy.closeCodes)}\n`
  return out
}

main().catch((err: unknown) => {
  void abort(err instanceof Error ? (err.stack ?? err.message) : String(err), 1)
})
