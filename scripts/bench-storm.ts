/**
 * `npm run bench:storm`: a reconnect storm. Instance A holds `--busy-readers` websocket readers of
 * one busy story (`--rate` updates/s posted throughout) and `--other-stories` × `--other-readers`
 * readers of other stories; instance B holds `--b-readers` readers of the busy story. A gets
 * SIGTERM (it closes its readers with 1012); each of them reconnects to B after a random delay in
 * [0, `--jitter-ms`) and resubscribes with `since` = the last seq it holds. Meanwhile every other
 * story gets `--other-posts` updates, so most of their readers have something to catch up on.
 *
 * Posts go through a third instance C (no readers), so every Postgres statement B sends is B's
 * own: B reaches Postgres through a counting proxy (scripts/bench/pg-counting-proxy.ts). All three
 * share a fresh database on the local Postgres (dropped at the end) and a private bus prefix on
 * the local Redis. Readers live in forked load generators (scripts/bench/storm-loadgen.ts), at
 * most `--readers-per-loadgen` each; B's own readers in their own.
 *
 * Reports: time from SIGTERM until every moved reader holds the head its resubscribe announced;
 * lost and duplicated events (per reader: contiguous, unique, ending at the head); TcpExt
 * ListenOverflows (machine-wide); subscribe time (subscribe frame sent → `subscribed`); B's
 * Postgres statements during the storm, less B's own background over a window as long before the
 * storm, plus the database's xact_commit; p99 latency of B's own readers (from each event's record, and from its post)
 * before and during the storm.
 *
 * `--scale 0.2` multiplies every reader count (the story count stays). Flags: --busy-readers 10000
 * --other-stories 100 --other-readers 50 --b-readers 2000 --rate 1 --jitter-ms 2000
 * --before-seconds 10 --after-seconds 5 --other-posts 1 --readers-per-loadgen 5000
 * --concurrency 200 --storm-timeout-seconds 60 --profile (a CPU profile of B into
 * test-artifacts/bench-profiles/storm-b). Markdown on stdout; JSON in bench-results/.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { storyTopic } from '../src/events/bus-message.js'
import { startBusListener } from './bench/bus-floor.js'
import {
  benchExecArgv,
  type LivelineInstance,
  newAdminKey,
  startLivelineInstance,
} from './bench/liveline-instance.js'
import { LoadgenClient } from './bench/loadgen-client.js'
import { diffCounts, type PgCountingProxy, startPgCountingProxy } from './bench/pg-counting-proxy.js'
import { LOG_DIR, PG_ADMIN_URL, PG_HOST, PG_PORT, REDIS_URL, RESULTS_DIR, ROOT } from './bench/places.js'
import { openFileLimit, sleep, tcpExtCounters } from './bench/proc.js'
import { quantiles } from './bench/quantiles.js'
import { partition } from './bench/reader-groups.js'
import type { FromStormLoadgen, ReaderGroup, StormReport, ToStormLoadgen } from './bench/storm-protocol.js'
import { benchUpdate } from './bench/story-content.js'
import { type BenchDatabase, createBenchDatabase, wallNow } from './bench/targets.js'

/** How often the bench asks the load generators whether the storm is over. */
const STATUS_POLL_MS = 200
/** A load generator busy with thousands of reconnects may take this long to answer a poll. */
const STATUS_TIMEOUT_MS = 60_000
/** The run goes on when at least this share of the readers subscribed at the start. */
const MIN_SUBSCRIBED_SHARE = 0.98
/** scripts/bench/loop-delay-probe.ts writes a line every this many ms (its default). */
const LOOP_DELAY_WINDOW_MS = 200
/** After the last reader caught up, B's statements are still counted this long (stragglers). */
const COUNT_TAIL_MS = 1000

const { values: flags } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    'busy-readers': { type: 'string', default: '10000' },
    'other-stories': { type: 'string', default: '100' },
    'other-readers': { type: 'string', default: '50' },
    'b-readers': { type: 'string', default: '2000' },
    rate: { type: 'string', default: '1' },
    'jitter-ms': { type: 'string', default: '2000' },
    'before-seconds': { type: 'string', default: '10' },
    'movers-nice': { type: 'string', default: '10' },
    'after-seconds': { type: 'string', default: '5' },
    'other-posts': { type: 'string', default: '1' },
    'readers-per-loadgen': { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '200' },
    'storm-timeout-seconds': { type: 'string', default: '60' },
    profile: { type: 'boolean', default: false },
  },
})

function num(name: keyof typeof flags): number {
  const value = Number(flags[name])
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number >= 0`)
  return value
}

const scale = num('scale')
const config = {
  scale,
  busyReaders: Math.round(num('busy-readers') * scale),
  otherStories: Math.round(num('other-stories')),
  otherReaders: Math.max(1, Math.round(num('other-readers') * scale)),
  bReaders: Math.round(num('b-readers') * scale),
  rate: num('rate'),
  jitterMs: num('jitter-ms'),
  beforeSeconds: num('before-seconds'),
  moversNice: num('movers-nice'),
  afterSeconds: num('after-seconds'),
  otherPosts: Math.round(num('other-posts')),
  readersPerLoadgen: Math.max(1, Math.round(num('readers-per-loadgen'))),
  concurrency: Math.max(1, Math.round(num('concurrency'))),
  stormTimeoutSeconds: num('storm-timeout-seconds'),
}
if (config.rate <= 0) throw new Error('--rate must be above 0')

// ---------------------------------------------------------------------------------------------
// Lifecycle: every child is stopped on success, error, Ctrl-C or the overall deadline.

type StormLoadgen = LoadgenClient<ToStormLoadgen, FromStormLoadgen>
const instances = new Set<LivelineInstance>()
const loadgens = new Set<{ kill(): void }>()
let proxy: PgCountingProxy | null = null
let database: BenchDatabase | null = null
let cleaning: Promise<void> | null = null
let posting = false

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    posting = false
    for (const lg of loadgens) lg.kill()
    await Promise.allSettled([...instances].map((i) => i.server.stop(5000)))
    await proxy?.close()
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
  process.stderr.write(
    `[bench:storm ${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${message}\n`,
  )
}

// ---------------------------------------------------------------------------------------------

/** Cumulative counts of B's `liveline_subscribe_duration_seconds` buckets, by upper bound (s). */
async function subscribeBuckets(base: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${base}/metrics`)).text()
  const buckets = new Map<string, number>()
  for (const m of text.matchAll(/^liveline_subscribe_duration_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm))
    buckets.set(m[1] as string, Number(m[2]))
  return buckets
}

async function xactCommit(client: pg.Client, name: string): Promise<number> {
  const { rows } = await client.query<{ xact_commit: string }>(
    'SELECT xact_commit FROM pg_stat_database WHERE datname = $1',
    [name],
  )
  return Number(rows[0]?.xact_commit ?? 0)
}

async function main(): Promise<void> {
  const runId = `liveline-bench-storm-${process.pid}-${randomBytes(3).toString('hex')}`
  const aReaders = config.busyReaders + config.otherStories * config.otherReaders
  const totalReaders = aReaders + config.bReaders
  const fdLimit = openFileLimit()
  // B ends up holding every reader: one file per socket, plus its own.
  if (fdLimit < totalReaders + 500)
    throw new Error(`open-file limit ${fdLimit} is too low for ${totalReaders} readers on B; lower --scale`)
  if (config.readersPerLoadgen + 500 > fdLimit)
    throw new Error('--readers-per-loadgen is above the open-file limit')
  const deadlineMs =
    300_000 +
    totalReaders * 10 +
    (config.beforeSeconds * 2 + config.afterSeconds + config.stormTimeoutSeconds) * 1000
  const deadline = setTimeout(
    () => void abort(`did not finish within ${Math.round(deadlineMs / 1000)} s`, 3),
    deadlineMs,
  )
  log(
    `config ${JSON.stringify(config)}; ${totalReaders} readers; bounded at ${Math.round(deadlineMs / 1000)} s`,
  )
  mkdirSync(LOG_DIR, { recursive: true })
  mkdirSync(RESULTS_DIR, { recursive: true })

  database = await createBenchDatabase(PG_ADMIN_URL, `liveline_bench_${process.pid}`)
  proxy = await startPgCountingProxy(PG_HOST, PG_PORT)
  const proxiedUrl = new URL(database.url)
  proxiedUrl.port = String(proxy.port)
  const adminKey = newAdminKey()
  // B's longest event-loop delay per 200 ms window, written by scripts/bench/loop-delay-probe.ts.
  const loopDelayFile = resolve(LOG_DIR, `storm-b-loop-delay-${process.pid}.txt`)
  rmSync(loopDelayFile, { force: true })
  // The load generators' too: a subscribe time is only B's when they were not the ones behind.
  const loopDelayProbe = pathToFileURL(resolve(ROOT, 'scripts/bench/loop-delay-probe.ts')).href
  const loadgenDelayPrefix = `storm-loadgen-loop-delay-${process.pid}-`
  process.env.BENCH_LOOP_DELAY_FILE = resolve(LOG_DIR, `${loadgenDelayPrefix}%p.txt`)
  const common = {
    root: ROOT,
    logDir: LOG_DIR,
    redisUrl: REDIS_URL,
    busPrefix: `${runId}:`,
    adminKey,
  }
  // C first: it applies the migrations, so A and B start on a ready schema.
  const c = await startLivelineInstance({ ...common, name: 'storm-c', databaseUrl: database.url })
  instances.add(c)
  const [a, b] = await Promise.all([
    startLivelineInstance({ ...common, name: 'storm-a', databaseUrl: database.url }),
    startLivelineInstance({
      ...common,
      name: 'storm-b',
      databaseUrl: proxiedUrl.toString(),
      env: { BENCH_LOOP_DELAY_FILE: loopDelayFile },
      nodeArgs: [
        '--import',
        loopDelayProbe,
        // --profile: B's whole life as a V8 CPU profile (scripts/bench/profile-summary.ts reads it).
        ...(flags.profile
          ? ['--cpu-prof', `--cpu-prof-dir=${resolve(ROOT, 'test-artifacts/bench-profiles/storm-b')}`]
          : []),
      ],
    }),
  ])
  instances.add(a)
  instances.add(b)
  log(`A ${a.base}, B ${b.base} (Postgres through the counting proxy), C ${c.base} (posts)`)

  const { key: editorKey } = await c.api<{ key: string }>('POST', '/v1/keys', {
    name: 'Storm editor',
    role: 'editor',
  })
  const createStory = (title: string) =>
    c.api<{ id: string; slug: string }>('POST', '/v1/stories', { title, status: 'live' }, editorKey)
  const busy = await createStory('Storm bench: the busy story')
  const others: string[] = []
  for (let s = 0; s < config.otherStories; s++)
    others.push((await createStory(`Storm bench: story ${s + 1}`)).id)
  let updateNumber = 0
  const post = async (story: string) => {
    const { seq } = await c.api<{ seq: number }>(
      'POST',
      `/v1/stories/${story}/updates`,
      benchUpdate(++updateNumber),
      editorKey,
    )
    return seq
  }
  for (let i = 0; i < 5; i++) await post(busy.id)
  for (const id of others) await post(id)
  log(`stories: 1 busy + ${others.length} others`)

  // When each busy-story event reached the bus, heard by a bare subscriber in a process of its own
  // (scripts/bench/bus-floor.ts): splits a late event into before the bus (C, Postgres, Redis)
  // and B's part.
  const witness = await startBusListener(
    ROOT,
    { url: REDIS_URL, channels: [`${runId}:${storyTopic(busy.id)}`], noteSeqs: true },
    (listener) => loadgens.add(listener),
  )

  // Readers: A's across load generators of readersPerLoadgen, B's own in theirs.
  const aGroups: ReaderGroup[] = [
    { story: busy.id, count: config.busyReaders, url: a.wsUrl, reconnectUrl: b.wsUrl, recordLatency: false },
    ...others.map((story) => ({
      story,
      count: config.otherReaders,
      url: a.wsUrl,
      reconnectUrl: b.wsUrl,
      recordLatency: false,
    })),
  ]
  const bGroups: ReaderGroup[] = [
    { story: busy.id, count: config.bReaders, url: b.wsUrl, reconnectUrl: null, recordLatency: true },
  ]
  const plans = [
    ...partition(aGroups, config.readersPerLoadgen),
    ...partition(bGroups, config.readersPerLoadgen),
  ]
  const lgs: StormLoadgen[] = []
  for (const _ of plans) {
    const lg = new LoadgenClient<ToStormLoadgen, FromStormLoadgen>(
      resolve(ROOT, 'scripts/bench/storm-loadgen.ts'),
      [...benchExecArgv(ROOT), '--import', loopDelayProbe],
      ROOT,
    )
    loadgens.add(lg)
    lgs.push(lg)
  }
  await Promise.all(lgs.map((lg) => lg.ready))
  // A's readers stand in for browsers on other machines: their reconnect work should not take
  // B's CPU, or B's own readers' latency measures the load generators (see the flag).
  const aPlanCount = partition(aGroups, config.readersPerLoadgen).length
  for (const lg of lgs.slice(0, aPlanCount)) if (lg.child.pid) os.setPriority(lg.child.pid, config.moversNice)
  const connectTimeoutMs = 60_000 + totalReaders * 10
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
  const subscribed = connected.reduce((s, r) => s + r.subscribed, 0)
  const connectFailures: Record<string, number> = {}
  for (const r of connected)
    for (const [k, v] of Object.entries(r.failures)) connectFailures[k] = (connectFailures[k] ?? 0) + v
  log(
    `${subscribed}/${totalReaders} readers subscribed over ${lgs.length} load generators in ${((performance.now() - connectStarted) / 1000).toFixed(1)} s` +
      (Object.keys(connectFailures).length ? `; failures ${JSON.stringify(connectFailures)}` : ''),
  )
  // A loaded machine refuses a few handshakes; those readers take no further part (they are counted).
  if (subscribed < totalReaders * MIN_SUBSCRIBED_SHARE)
    throw new Error(`only ${subscribed} of ${totalReaders} readers subscribed`)
  const aLoadgens = partition(aGroups, config.readersPerLoadgen).length
  const aSubscribed = connected.slice(0, aLoadgens).reduce((sum, r) => sum + r.subscribed, 0)

  // The busy story's posts, throughout: publish times by seq for the latency of B's readers.
  const publishTimes: Record<number, number> = {}
  const postFailures: string[] = []
  posting = true
  const interval = 1000 / config.rate
  const poster = (async () => {
    let next = performance.now()
    const inFlight: Promise<void>[] = []
    while (posting) {
      const at = wallNow()
      inFlight.push(
        post(busy.id).then(
          (seq) => {
            publishTimes[seq] = at
          },
          (err: unknown) => {
            postFailures.push(String(err))
          },
        ),
      )
      next += interval
      const wait = next - performance.now()
      if (wait > 0) await sleep(wait)
    }
    await Promise.all(inFlight)
  })()
  const seqsSince = (from: number) =>
    Object.entries(publishTimes)
      .filter(([, at]) => at >= from)
      .map(([seq]) => Number(seq))

  // Before: B's own readers' latency, and B's background statements over as long as the storm will take.
  await sleep(2000)
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL })
  await admin.connect()
  const beforeFrom = wallNow()
  const beforeCountsStart = proxy.counts()
  await sleep(config.beforeSeconds * 1000)
  const beforeCountsEnd = proxy.counts()
  const beforeTo = wallNow()
  const beforeSeqs = seqsSince(beforeFrom).filter((s) => (publishTimes[s] as number) < beforeTo)

  // The storm.
  await Promise.all(
    lgs.map((lg) =>
      lg.request(
        {
          cmd: 'arm',
          jitterMs: config.jitterMs,
          retryMinMs: 250,
          retrySpreadMs: 750,
          handshakeTimeoutMs: 15_000,
        },
        'armed',
        10_000,
      ),
    ),
  )
  const subscribesBefore = await subscribeBuckets(b.base)
  const netBefore = tcpExtCounters()
  const xactBefore = await xactCommit(admin, database.name)
  const countsBefore = proxy.counts()
  const loadAtStorm = os.loadavg()
  const t0 = wallNow()
  log(`SIGTERM to A (${aSubscribed} readers move to B over ${config.jitterMs} ms)`)
  a.server.child.kill('SIGTERM')
  const otherPosting = (async () => {
    const jobs: Promise<unknown>[] = []
    for (let p = 0; p < config.otherPosts; p++) {
      for (const id of others) {
        const delay = Math.random() * config.jitterMs
        jobs.push(
          sleep(delay)
            .then(() => post(id))
            .catch((err: unknown) => postFailures.push(String(err))),
        )
      }
    }
    await Promise.all(jobs)
  })()
  let lastCaughtUpAt = 0
  const stormDeadline = performance.now() + config.stormTimeoutSeconds * 1000
  let statusLine = ''
  for (;;) {
    await sleep(STATUS_POLL_MS)
    const statuses = await Promise.all(
      lgs.map((lg) => lg.request({ cmd: 'status' }, 'status', STATUS_TIMEOUT_MS)),
    )
    let moved = 0
    let caught = 0
    let resub = 0
    lastCaughtUpAt = 0
    for (const { status } of statuses) {
      moved += status.moved
      caught += status.caughtUp
      resub += status.resubscribed
      lastCaughtUpAt = Math.max(lastCaughtUpAt, status.lastCaughtUpAt ?? 0)
    }
    statusLine = `${moved}/${aSubscribed} closed by A, ${resub} resubscribed on B, ${caught} caught up`
    if (moved === aSubscribed && caught === aSubscribed) break
    if (performance.now() > stormDeadline) {
      log(`storm not over after ${config.stormTimeoutSeconds} s: ${statusLine}`)
      break
    }
  }
  const stormOverAt = wallNow()
  log(`storm: ${statusLine}; last caught up ${((lastCaughtUpAt - t0) / 1000).toFixed(2)} s after SIGTERM`)
  await sleep(COUNT_TAIL_MS)
  await otherPosting
  const countsAfter = proxy.counts()
  const subscribesAfter = await subscribeBuckets(b.base)
  const countWindowMs = wallNow() - t0
  const xactAfter = await xactCommit(admin, database.name)
  const netAfter = tcpExtCounters()
  const aExit = await Promise.race([a.server.exited, sleep(15_000).then(() => null)])
  instances.delete(a)
  const duringSeqs = seqsSince(t0).filter((s) => (publishTimes[s] as number) <= stormOverAt)

  await sleep(config.afterSeconds * 1000)
  posting = false
  await poster
  await sleep(1000)
  const heads: Record<string, number> = {}
  for (const id of [busy.id, ...others])
    heads[id] = (await c.api<{ seq: number }>('GET', `/v1/stories/${id}`)).seq
  // When each busy-story event was recorded (its `at`): latency from there leaves out how long the
  // post waited on a machine this loaded before the instance took it.
  const recordedTimes: Record<number, number> = {}
  for (let since = 0; ; ) {
    const page = await c.api<{ events: Array<{ seq: number; at: string }> }>(
      'GET',
      `/v1/stories/${busy.id}/events?since=${since}&limit=500`,
    )
    for (const e of page.events) recordedTimes[e.seq] = Date.parse(e.at)
    const last = page.events.at(-1)
    if (!last || page.events.length < 500) break
    since = last.seq
  }
  const windows = [
    { name: 'before', fromSeq: Math.min(...beforeSeqs), toSeq: Math.max(...beforeSeqs) },
    { name: 'during', fromSeq: Math.min(...duringSeqs), toSeq: Math.max(...duringSeqs) },
  ]
  const busHeardAt = (await witness.request({ cmd: 'heard' }, 'heard', 10_000)).at
  const reports: StormReport[] = (
    await Promise.all(
      lgs.map((lg) =>
        lg.request(
          {
            cmd: 'report',
            heads,
            latencyStory: busy.id,
            publishTimes,
            recordedTimes,
            busTimes: busHeardAt,
            windows,
            maxWaitMs: 15_000,
          },
          'report',
          30_000,
        ),
      ),
    )
  ).map((r) => r.report)
  await Promise.all(lgs.map((lg) => lg.request({ cmd: 'close' }, 'closed', 10_000).catch(() => null)))
  for (const lg of lgs) loadgens.delete(lg)
  await admin.end()
  witness.kill()
  loadgens.delete(witness)
  await cleanup()
  clearTimeout(deadline)

  // ---- Figures.
  const sum = (f: (r: StormReport) => number) => reports.reduce((s, r) => s + f(r), 0)
  const merge = (f: (r: StormReport) => Record<string, number>) => {
    const out: Record<string, number> = {}
    for (const r of reports) for (const [k, v] of Object.entries(f(r))) out[k] = (out[k] ?? 0) + v
    return out
  }
  const all = (f: (r: StormReport) => number[]) => reports.flatMap(f)
  const caughtTimes = all((r) => r.caughtUpAt)
  const storm = diffCounts(countsAfter, countsBefore)
  const background = diffCounts(beforeCountsEnd, beforeCountsStart)
  const backgroundScale = countWindowMs / (beforeTo - beforeFrom)
  const stormNet = Math.round(storm.total - background.total * backgroundScale)
  // A window's delay is what the probe measured, or, when its line came late, how late: a loop
  // held for seconds writes no line meanwhile, and the histogram does not always see the stall.
  const delays = (files: string[], from: number, to: number) =>
    quantiles(
      files.flatMap((file) => {
        const lines = readFileSync(file, 'utf8')
          .trim()
          .split('\n')
          .map((line) => line.split(' ').map(Number) as [number, number])
        return lines.flatMap(([at, ms], i) => {
          if (at < from || at > to) return []
          const late = i > 0 ? at - (lines[i - 1] as [number, number])[0] - LOOP_DELAY_WINDOW_MS : 0
          return [Math.max(ms, late)]
        })
      }),
    )
  const loopDelay = (from: number, to: number) => delays([loopDelayFile], from, to)
  const loadgenDelayFiles = readdirSync(LOG_DIR)
    .filter((name) => name.startsWith(loadgenDelayPrefix))
    .map((name) => resolve(LOG_DIR, name))
  const latencyBefore = quantiles(all((r) => r.latency.before ?? []))
  const latencyDuring = quantiles(all((r) => r.latency.during ?? []))
  const recordedBefore = quantiles(all((r) => r.latency['before-recorded'] ?? []))
  const recordedDuring = quantiles(all((r) => r.latency['during-recorded'] ?? []))
  const busBefore = quantiles(all((r) => r.latency['before-bus'] ?? []))
  const busDuring = quantiles(all((r) => r.latency['during-bus'] ?? []))
  const results = {
    readers: {
      a: aReaders,
      b: config.bReaders,
      total: totalReaders,
      subscribed,
      aSubscribed,
      connectFailures,
      stories: 1 + others.length,
    },
    aExit,
    catchUpSeconds: caughtTimes.length ? (Math.max(...caughtTimes) - t0) / 1000 : null,
    moved: sum((r) => r.moved),
    resubscribed: sum((r) => r.resubscribed),
    lost: sum((r) => r.lost),
    duplicated: sum((r) => r.duplicated),
    readersWithErrors: sum((r) => r.readersWithErrors),
    atHead: sum((r) => r.atHead),
    resets: sum((r) => r.resets),
    errorFrames: merge((r) => r.errors),
    closeCodes: merge((r) => r.closeCodes),
    failedAttempts: sum((r) => r.failedAttempts),
    failedReasons: merge((r) => r.failedReasons),
    subscribeMs: quantiles(all((r) => r.subscribeMs)),
    subscribeOverOneSecond: all((r) => r.subscribeMs).filter((ms) => ms > 1000).length,
    connectMs: quantiles(all((r) => r.connectMs)),
    reconnectMs: quantiles(all((r) => r.reconnectMs)),
    listenOverflows: (netAfter.ListenOverflows ?? 0) - (netBefore.ListenOverflows ?? 0),
    listenDrops: (netAfter.ListenDrops ?? 0) - (netBefore.ListenDrops ?? 0),
    postgres: {
      method:
        'B statements counted by a wire-protocol proxy between B and Postgres; xact_commit from pg_stat_database (whole database: B, the posts through C, and A shutting down)',
      stormWindowMs: Math.round(countWindowMs),
      bStatements: storm.total,
      bTransactions: storm.transactions,
      bBackgroundStatementsSameWindow: Math.round(background.total * backgroundScale),
      bStatementsForStorm: stormNet,
      perStory: stormNet / (1 + others.length),
      bBySql: storm.bySql,
      backgroundBySql: background.bySql,
      databaseXactCommit: xactAfter - xactBefore,
    },
    latency: { before: latencyBefore, during: latencyDuring },
    latencyFromRecord: { before: recordedBefore, during: recordedDuring },
    latencyFromBus: { before: busBefore, during: busDuring },
    /** Subscribes B answered in the storm, and how many within 0.5 s of reaching its hub. */
    subscribesInB: {
      total: (subscribesAfter.get('+Inf') ?? 0) - (subscribesBefore.get('+Inf') ?? 0),
      withinHalfSecond: (subscribesAfter.get('0.5') ?? 0) - (subscribesBefore.get('0.5') ?? 0),
      withinTwentyFiveMs: (subscribesAfter.get('0.025') ?? 0) - (subscribesBefore.get('0.025') ?? 0),
    },
    /** B's longest event-loop delay per 200 ms window (scripts/bench/loop-delay-probe.ts). */
    loopDelayMs: { before: loopDelay(beforeFrom, beforeTo), during: loopDelay(t0, stormOverAt) },
    loadgenLoopDelayMs: {
      before: delays(loadgenDelayFiles, beforeFrom, beforeTo),
      during: delays(loadgenDelayFiles, t0, stormOverAt),
    },
    posts: {
      busyStory: Object.keys(publishTimes).length,
      failures: postFailures.slice(0, 10),
      failed: postFailures.length,
    },
    loadAverageAtStorm: loadAtStorm,
    loadgenCpuSeconds: sum((r) => r.cpuMs) / 1000,
  }

  const cpu = os.cpus()
  const machine = {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
  }
  const date = new Date().toISOString()
  const f = (v: number | null | undefined, digits = 0) =>
    v === null || v === undefined
      ? '-'
      : v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
  const rows: Array<[string, string, string]> = [
    ['time from SIGTERM until every moved reader is caught up', `${f(results.catchUpSeconds, 2)} s`, ''],
    ['readers subscribed at the start', `${f(subscribed)} of ${f(totalReaders)}`, ''],
    [
      'readers moved A → B / resubscribed',
      `${f(results.moved)} / ${f(results.resubscribed)}`,
      `= ${f(aSubscribed)}`,
    ],
    ['events lost', f(results.lost), '0'],
    ['events duplicated', f(results.duplicated), '0'],
    ['readers at their story head at the end', `${f(results.atHead)} of ${f(subscribed)}`, 'all'],
    ['listen-queue overflows (TcpExt ListenOverflows, machine-wide)', f(results.listenOverflows), '0'],
    ['failed reconnect attempts (retried)', f(results.failedAttempts), ''],
    [
      'subscribe time p50 / p99 / max (ms)',
      `${f(results.subscribeMs?.p50, 1)} / ${f(results.subscribeMs?.p99, 1)} / ${f(results.subscribeMs?.max, 1)}`,
      'p99 < 500',
    ],
    ['subscribes over 1 s', f(results.subscribeOverOneSecond), ''],
    [
      '  inside B (frame at its hub → answer written): within 25 ms / within 500 ms',
      results.subscribesInB.total
        ? `${f((100 * results.subscribesInB.withinTwentyFiveMs) / results.subscribesInB.total, 1)}% / ${f((100 * results.subscribesInB.withinHalfSecond) / results.subscribesInB.total, 2)}% of ${f(results.subscribesInB.total)}`
        : '-',
      '',
    ],
    [
      'connect time p50 / p99 / max (ms, retries included)',
      `${f(results.connectMs?.p50, 1)} / ${f(results.connectMs?.p99, 1)} / ${f(results.connectMs?.max, 1)}`,
      '',
    ],
    [
      'close → subscribed on B p50 / p99 (ms, jitter included)',
      `${f(results.reconnectMs?.p50, 0)} / ${f(results.reconnectMs?.p99, 0)}`,
      '',
    ],
    [
      `B's Postgres statements in the storm window (${f(countWindowMs / 1000, 1)} s)`,
      `${f(storm.total)} (${f(storm.transactions)} transactions)`,
      '',
    ],
    [
      '  less B background over as long',
      `${f(stormNet)} = ${f(results.postgres.perStory, 2)} per story`,
      '<= 3 per story',
    ],
    [
      'database xact_commit in the window (B + posts via C + A stopping)',
      f(results.postgres.databaseXactCommit),
      '',
    ],
    [
      "B's own readers, event on the bus → received p99, before / during the storm (ms)",
      `${f(busBefore?.p99, 1)} / ${f(busDuring?.p99, 1)}`,
      '',
    ],
    [
      "  ratio during / before (B's part: from the moment B could hear the event)",
      busBefore && busDuring ? `${(busDuring.p99 / busBefore.p99).toFixed(2)}x` : '-',
      '<= 2x',
    ],
    [
      "B's own readers, event recorded → received p99, before / during (ms)",
      `${f(recordedBefore?.p99, 1)} / ${f(recordedDuring?.p99, 1)}`,
      '',
    ],
    [
      '  ratio during / before (includes C committing and publishing on the loaded machine)',
      recordedBefore && recordedDuring ? `${(recordedDuring.p99 / recordedBefore.p99).toFixed(2)}x` : '-',
      '',
    ],
    [
      "B's own readers, post sent → received p99, before / during (ms)",
      `${f(latencyBefore?.p99, 1)} / ${f(latencyDuring?.p99, 1)}`,
      '',
    ],
    [
      '  ratio during / before (includes the post waiting on the loaded machine)',
      latencyBefore && latencyDuring ? `${(latencyDuring.p99 / latencyBefore.p99).toFixed(2)}x` : '-',
      '',
    ],
    [
      "B's longest event-loop delay per 200 ms, p50 / p99 / max, before (ms)",
      `${f(results.loopDelayMs.before?.p50, 1)} / ${f(results.loopDelayMs.before?.p99, 1)} / ${f(results.loopDelayMs.before?.max, 1)}`,
      '',
    ],
    [
      '  the same during the storm (ms)',
      `${f(results.loopDelayMs.during?.p50, 1)} / ${f(results.loopDelayMs.during?.p99, 1)} / ${f(results.loopDelayMs.during?.max, 1)}`,
      '',
    ],
    [
      "the load generators' (all of them), before / during: p99 / max (ms)",
      `${f(results.loadgenLoopDelayMs.before?.p99, 1)} / ${f(results.loadgenLoopDelayMs.before?.max, 1)}; ${f(results.loadgenLoopDelayMs.during?.p99, 1)} / ${f(results.loadgenLoopDelayMs.during?.max, 1)}`,
      '',
    ],
  ]
  const lines = [
    'Liveline reconnect storm (bench:storm)',
    '',
    `machine ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB RAM, ${machine.os}; node ${process.version}; ${date}`,
    `A: ${f(config.busyReaders)} readers of the busy story + ${others.length} stories × ${config.otherReaders}; B: ${f(config.bReaders)} of the busy story; ${config.rate} update/s on the busy story; ${config.otherPosts} update per other story during the storm; reconnects spread over ${config.jitterMs} ms; scale ${config.scale}`,
    '',
    '| figure | measured | target |',
    '|---|---:|---|',
    ...rows.map(([a1, b1, c1]) => `| ${a1} | ${b1} | ${c1} |`),
  ]
  const topSql = Object.entries(storm.bySql)
    .sort((x, y) => y[1] - x[1])
    .slice(0, 12)
  // Event by event: one late fan-out moves the whole window's p99, so show which one it was.
  const arrivals = Object.assign({}, ...reports.map((r) => r.arrivals)) as StormReport['arrivals']
  const lastBefore = beforeSeqs.slice(-3)
  lines.push(
    '',
    "B's own readers, event by event (from the event's record; the last 3 before SIGTERM, then the storm):",
    '',
    '| seq | recorded, s after SIGTERM | on the bus (ms) | readers | first / p50 / p99 / last (ms) |',
    '|---:|---:|---:|---:|---|',
  )
  for (const seq of [...lastBefore, ...duringSeqs]) {
    const a = arrivals[seq]
    const recorded = recordedTimes[seq]
    if (!a || recorded === undefined) continue
    const ms = [a.min, a.p50, a.p99, a.max].map((t) => f(t - recorded, 0)).join(' / ')
    const bus = busHeardAt[seq] === undefined ? '-' : f((busHeardAt[seq] as number) - recorded, 0)
    lines.push(`| ${seq} | ${f((recorded - t0) / 1000, 2)} | ${bus} | ${a.samples} | ${ms} |`)
  }
  lines.push('', "B's statements in the storm window, by SQL:", '', '| statements | SQL |', '|---:|---|')
  for (const [sql, n] of topSql) lines.push(`| ${n} | \`${sql.replace(/\|/g, '\\|')}\` |`)
  const notes: string[] = []
  if (Object.keys(results.errorFrames).length)
    notes.push(`error frames: ${JSON.stringify(results.errorFrames)}`)
  if (Object.keys(results.failedReasons).length)
    notes.push(`failed attempts: ${JSON.stringify(results.failedReasons)}`)
  notes.push(`close codes seen by readers: ${JSON.stringify(results.closeCodes)}`)
  if (results.resets) notes.push(`${results.resets} reset frames`)
  if (results.posts.failed) {
    const byMessage: Record<string, number> = {}
    // Story ids differ; the status and error code are what matter.
    for (const failure of postFailures) {
      const key = failure.replace(/\/v1\/stories\/[^/]+\//, '/v1/stories/:story/').slice(0, 160)
      byMessage[key] = (byMessage[key] ?? 0) + 1
    }
    notes.push(
      `${results.posts.failed} posts failed (not retried; readers need only what was committed): ${JSON.stringify(byMessage)}`,
    )
  }
  notes.push(`load average at SIGTERM: ${loadAtStorm.map((l) => l.toFixed(1)).join(' ')} (2 cores, shared)`)
  notes.push(listenQueueNote())
  notes.push(
    `A exited with ${JSON.stringify(aExit)}; load generators used ${f(results.loadgenCpuSeconds, 1)} s of CPU`,
  )
  lines.push('', ...notes.map((n) => `- ${n}`))
  process.stdout.write(`\n${lines.join('\n')}\n`)
  const jsonPath = resolve(RESULTS_DIR, `storm-${date.replace(/[:.]/g, '-')}.json`)
  writeFileSync(
    jsonPath,
    `${JSON.stringify({ bench: 'storm', machine, date, node: process.version, config, results, notes }, null, 2)}\n`,
  )
  process.stdout.write(`\nresults: ${jsonPath}\n`)
}

main().then(
  () => process.exit(0),
  (err: unknown) => void abort(err instanceof Error ? (err.stack ?? err.message) : String(err), 1),
)

/**
 * The kernel caps every listen backlog at net.core.somaxconn: below B's (LIVELINE_LISTEN_BACKLOG,
 * 65,535) the storm overflows the queue whatever the code does, so each run says what it had.
 */
function listenQueueNote(): string {
  let somaxconn: number
  try {
    somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim())
  } catch {
    return 'net.core.somaxconn: unknown (no /proc here)'
  }
  return somaxconn >= 65_535
    ? `net.core.somaxconn ${somaxconn}: B's listen backlog of 65,535 is granted`
    : `net.core.somaxconn ${somaxconn}: B's listen backlog is cut to it, and a storm overflows it; raise it as docs/operations.md says (sysctl -w net.core.somaxconn=65535)`
}
