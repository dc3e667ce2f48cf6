/**
 * `npm run bench`: websocket fan-out, Liveline against a bare `ws` + Redis server, in one run.
 *
 * For each server (its own child process) a fresh load generator (scripts/bench/loadgen.ts):
 *   memory     RSS per idle subscribed reader (RSS with N readers − RSS before, ÷ N)
 *   busy       N readers on one story, `rate` updates/s for `seconds`: latency, lost, duplicated, CPU/frame
 *   saturation the first M of those readers, `satRate` updates/s for `satSeconds`: deliveries/s, CPU/frame
 * Latency is publish → receive: the bench takes the wall time right before the HTTP POST (Liveline)
 * or the Redis PUBLISH (bare); the load generator takes it when the frame arrives.
 *
 * Sizes: BENCH_READERS, BENCH_SECONDS, BENCH_RATE, BENCH_SAT_READERS, BENCH_SAT_RATE,
 * BENCH_SAT_SECONDS, BENCH_CONCURRENCY, BENCH_SETTLE_MS, BENCH_ONLY (bare|liveline), or the same as
 * flags (--readers=2000 …); --quick for a smoke run; --profile writes both servers' CPU profiles to
 * test-artifacts/bench-profiles. Results: a table on stdout and test-artifacts/bench-results.json.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { LoadgenClient } from './bench/loadgen-client.js'
import { ARTIFACTS, PG_ADMIN_URL, REDIS_URL, ROOT } from './bench/places.js'
import {
  cpuBetween,
  cpuOfPids,
  diffMachineCpu,
  ephemeralPorts,
  type MachineCpu,
  machineCpu,
  openFileLimit,
  pidsNamed,
  processCpuMs,
  processCpuSplit,
  processRssKb,
  sleep,
} from './bench/proc.js'
import type { ConnectResult, LatencySummary, PhaseResult } from './bench/protocol.js'
import {
  type BenchDatabase,
  createBenchDatabase,
  type Published,
  startBare,
  startLiveline,
  type Target,
  type TargetName,
} from './bench/targets.js'

interface BenchConfig {
  readers: number
  seconds: number
  rate: number
  satReaders: number
  satRate: number
  satSeconds: number
  concurrency: number
  settleMs: number
  only: TargetName | null
  profile: boolean
  quick: boolean
}

function readConfig(argv: string[], env: NodeJS.ProcessEnv): BenchConfig {
  const quick = argv.includes('--quick') || env.BENCH_QUICK === '1'
  const flags = new Map<string, string>()
  for (const arg of argv) {
    const match = /^--([a-z-]+)=(.*)$/.exec(arg)
    if (match?.[1] && match[2] !== undefined) flags.set(match[1], match[2])
  }
  const num = (flag: string, envName: string, normal: number, smoke: number): number => {
    const raw = flags.get(flag) ?? env[envName]
    if (raw === undefined || raw === '') return quick ? smoke : normal
    const value = Number(raw)
    if (!Number.isFinite(value) || value <= 0)
      throw new Error(`--${flag} / ${envName} must be a positive number`)
    return value
  }
  const readers = Math.round(num('readers', 'BENCH_READERS', 10_000, 2000))
  const only = flags.get('only') ?? env.BENCH_ONLY
  if (only !== undefined && only !== 'bare' && only !== 'liveline')
    throw new Error('--only must be bare or liveline')
  return {
    readers,
    seconds: num('seconds', 'BENCH_SECONDS', 60, 8),
    rate: num('rate', 'BENCH_RATE', 1, 1),
    satReaders: Math.min(readers, Math.round(num('sat-readers', 'BENCH_SAT_READERS', 5000, 1000))),
    // 200,000 deliveries a second offered: above what either server carries on this machine even
    // when it is quiet (at 20, 100,000 offered, a quiet machine's bare server kept up, and the
    // run compared nothing).
    satRate: num('sat-rate', 'BENCH_SAT_RATE', 40, 20),
    satSeconds: num('sat-seconds', 'BENCH_SAT_SECONDS', 10, 4),
    concurrency: Math.round(num('concurrency', 'BENCH_CONCURRENCY', 200, 200)),
    settleMs: Math.round(num('settle-ms', 'BENCH_SETTLE_MS', 5000, 2000)),
    only: only ?? null,
    profile: argv.includes('--profile') || env.BENCH_PROFILE === '1',
    quick,
  }
}

// ---------------------------------------------------------------------------------------------
// Lifecycle: everything started is stopped, on success, error, Ctrl-C or the overall deadline.

const servers = new Set<Target>()
const loadgens = new Set<LoadgenClient>()
let database: BenchDatabase | null = null
let cleaning: Promise<void> | null = null

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const lg of loadgens) lg.kill()
    await Promise.allSettled([...servers].map((t) => t.stop()))
    if (database) {
      await database.drop().catch((err: unknown) => {
        log(`could not drop database ${database?.name}: ${String(err)}`)
      })
    }
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
  for (const t of servers) t.server.killNow()
})
process.on('SIGINT', () => void abort('interrupted', 130))
process.on('SIGTERM', () => void abort('terminated', 143))

const started = Date.now()
function log(message: string): void {
  const s = ((Date.now() - started) / 1000).toFixed(1).padStart(6)
  process.stderr.write(`[bench ${s}s] ${message}\n`)
}

// ---------------------------------------------------------------------------------------------
// One phase: publish `count` updates at `rate`/s, wait for the readers, read the server's CPU.

interface PhaseOutcome extends PhaseResult {
  attempted: number
  published: number
  /** Failed publishes by message. */
  publishFailures: Record<string, number>
  firstPublishAt: number | null
  /** How long the publish call took (Liveline: the HTTP POST; bare: the PUBLISH round trip). */
  publishCallMs: LatencySummary | null
  /** Distinct frames delivered ÷ (last receive − first publish). */
  deliveriesPerSecond: number | null
  cpu: CpuBreakdown
}

/** Where the machine's CPU went during a phase, in ms (wallMs: the phase's length). */
interface CpuBreakdown {
  wallMs: number
  server: number
  /** The server's CPU in the kernel (system time: mostly socket writes); the rest of `server` is user time. */
  serverSystem: number
  loadgen: number
  /** Postgres backends connected to the bench database (Liveline only). */
  postgres: number
  redis: number
  /** This process: the publisher. */
  bench: number
  /** Kernel irq/softirq time, charged to no process (loopback TCP delivery). */
  softirq: number
  steal: number
  /** Every other process on the machine: noise from whoever else is using it. */
  other: number
  idle: number
}

interface CpuSnapshot {
  wall: number
  server: { userMs: number; systemMs: number }
  loadgen: number
  postgres: Map<number, number>
  redis: Map<number, number>
  bench: NodeJS.CpuUsage
  machine: MachineCpu
}

const redisPids: number[] = []

async function cpuSnapshot(target: Target, lg: LoadgenClient): Promise<CpuSnapshot> {
  const pgPids = await target.dbPids()
  return {
    wall: performance.now(),
    server: processCpuSplit(target.server.pid),
    loadgen: lg.child.pid ? processCpuMs(lg.child.pid) : 0,
    postgres: cpuOfPids(pgPids),
    redis: cpuOfPids(redisPids),
    bench: process.cpuUsage(),
    machine: machineCpu(),
  }
}

function cpuBreakdown(before: CpuSnapshot, after: CpuSnapshot): CpuBreakdown {
  const machine = diffMachineCpu(after.machine, before.machine)
  const benchUsage = process.cpuUsage(before.bench)
  const parts = {
    server: after.server.userMs + after.server.systemMs - before.server.userMs - before.server.systemMs,
    serverSystem: after.server.systemMs - before.server.systemMs,
    loadgen: after.loadgen - before.loadgen,
    postgres: cpuBetween(before.postgres, after.postgres),
    redis: cpuBetween(before.redis, after.redis),
    bench: (benchUsage.user + benchUsage.system) / 1000,
  }
  const ours = parts.server + parts.loadgen + parts.postgres + parts.redis + parts.bench
  return {
    wallMs: after.wall - before.wall,
    ...parts,
    softirq: machine.softirqMs,
    steal: machine.stealMs,
    other: Math.max(0, machine.processMs - ours),
    idle: machine.idleMs,
  }
}

function summarize(values: number[]): LatencySummary | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number
  return {
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    p999: at(0.999),
    max: sorted[sorted.length - 1] as number,
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
  }
}

async function runPhase(
  target: Target,
  lg: LoadgenClient,
  count: number,
  rate: number,
): Promise<PhaseOutcome> {
  const base = target.head
  await lg.request({ cmd: 'phase', base, count }, 'phase-started', 10_000)
  const before = await cpuSnapshot(target, lg)
  const interval = 1000 / rate
  const start = performance.now() + 10
  const calls: Array<Promise<{ ok: Published; ms: number } | { error: string }>> = []
  for (let i = 0; i < count; i++) {
    const wait = start + i * interval - performance.now()
    if (wait > 1) await sleep(wait)
    if (!target.server.running) throw new Error(`${target.name} exited mid-phase\n${target.server.tail()}`)
    const t0 = performance.now()
    calls.push(
      target.publish().then(
        (ok) => ({ ok, ms: performance.now() - t0 }),
        (err: unknown) => ({ error: err instanceof Error ? err.message : String(err) }),
      ),
    )
  }
  const outcomes = await Promise.all(calls)
  const publishTimes: Array<number | null> = new Array(count).fill(null)
  const failures: Record<string, number> = {}
  let failed = 0
  const fail = (message: string) => {
    failed++
    failures[message] = (failures[message] ?? 0) + 1
  }
  const callMs: number[] = []
  let firstPublishAt: number | null = null
  for (const outcome of outcomes) {
    if ('error' in outcome) {
      fail(outcome.error)
      continue
    }
    const { seq, at } = outcome.ok
    callMs.push(outcome.ms)
    const k = seq - base - 1
    if (k < 0 || k >= count) fail(`seq ${seq} outside the phase (${base + 1}..${base + count})`)
    else publishTimes[k] = at
    if (firstPublishAt === null || at < firstPublishAt) firstPublishAt = at
    if (seq > target.head) target.head = seq
  }
  const { result } = await lg.request(
    { cmd: 'finish', publishTimes, idleMs: 3000, maxWaitMs: 30_000 },
    'phase-result',
    60_000,
  )
  const cpu = cpuBreakdown(before, await cpuSnapshot(target, lg))
  const span =
    result.lastReceiveAt !== null && firstPublishAt !== null ? result.lastReceiveAt - firstPublishAt : null
  return {
    ...result,
    attempted: count,
    published: count - failed,
    publishFailures: failures,
    firstPublishAt,
    publishCallMs: summarize(callMs),
    deliveriesPerSecond: span && span > 0 ? result.delivered / (span / 1000) : null,
    cpu,
  }
}

// ---------------------------------------------------------------------------------------------

interface TargetResult {
  name: TargetName
  pid: number
  connect: ConnectResult
  memory: {
    readers: number
    rssBeforeKb: number
    rssWithReadersKb: number
    perReaderKb: number
    /** Server CPU while the readers sat idle for settleMs, as % of one core. */
    idleCpuPercent: number
  }
  warm: PhaseOutcome
  busy: PhaseOutcome
  saturation: PhaseOutcome
  loadgenCpuMsTotal: number
  unexpectedCloses: Record<string, number>
  serverCounters: Record<string, number>
  clockOffsetDiffMs: number
  /** Machine CPU (% of a core) in the second before the server started. */
  machineBusyBeforePercent: number
}

/**
 * Two cores are easily disturbed: before a server is measured, wait (at most `maxMs`) for a second
 * in which everything else on the machine used under a quarter of a core. Returns that share (%).
 */
async function waitForQuietMachine(maxMs: number): Promise<number> {
  const until = Date.now() + maxMs
  let busy = 0
  for (;;) {
    const before = machineCpu()
    await sleep(1000)
    const used = diffMachineCpu(machineCpu(), before)
    busy = ((used.processMs + used.softirqMs) / 1000) * 100
    if (busy < 25 || Date.now() > until) return busy
  }
}

async function runTarget(
  name: TargetName,
  config: BenchConfig,
  runId: string,
  frameBytes?: number,
): Promise<TargetResult> {
  const logDir = resolve(ARTIFACTS, 'bench-logs')
  mkdirSync(logDir, { recursive: true })
  // With --profile both servers are profiled, each into its own folder, so they can be compared.
  const nodeFlags = config.profile
    ? ['--cpu-prof', `--cpu-prof-dir=${resolve(ARTIFACTS, 'bench-profiles', name)}`]
    : []
  const common = { root: ROOT, logDir, redisUrl: REDIS_URL, runId, nodeFlags }
  const quiet = await waitForQuietMachine(config.quick ? 5000 : 60_000)
  log(`${name}: starting (machine busy ${quiet.toFixed(0)}% of a core before it)`)
  let target: Target
  if (name === 'bare') target = await startBare({ ...common, frameBytes })
  else {
    database ??= await createBenchDatabase(PG_ADMIN_URL, `liveline_bench_${process.pid}`)
    target = await startLiveline({ ...common, database })
  }
  servers.add(target)
  const pid = target.server.pid

  // Warm the publish path with nobody listening, then let the heap settle: the "0 readers" RSS.
  for (let i = 0; i < 5; i++) {
    const { seq } = await target.publish()
    target.head = Math.max(target.head, seq)
  }
  await sleep(config.settleMs)
  const rssBeforeKb = processRssKb(pid)

  const watch = pathToFileURL(resolve(ROOT, 'scripts/bench/parent-watch.ts')).href
  const lg = new LoadgenClient(
    resolve(ROOT, 'scripts/bench/loadgen.ts'),
    ['--import', 'tsx', '--import', watch],
    ROOT,
  )
  loadgens.add(lg)
  const offset = await lg.ready
  const clockOffsetDiffMs = offset - (performance.timeOrigin + performance.now() - Date.now())

  log(`${name}: connecting ${config.readers} readers (${config.concurrency} handshakes at a time)`)
  const connectTimeoutMs = 30_000 + config.readers * 20
  const { result: connect } = await lg.request(
    {
      cmd: 'connect',
      url: target.wsUrl,
      story: target.storyId,
      count: config.readers,
      concurrency: config.concurrency,
      timeoutMs: connectTimeoutMs,
    },
    'connected',
    connectTimeoutMs + 10_000,
  )
  log(
    `${name}: ${connect.subscribed} subscribed in ${(connect.ms / 1000).toFixed(1)} s` +
      (connect.failed ? `, ${connect.failed} failed ${JSON.stringify(connect.failures)}` : ''),
  )
  if (connect.subscribed === 0) throw new Error(`${name}: no reader could subscribe`)

  const idleCpuBefore = processCpuMs(pid)
  await sleep(config.settleMs)
  const idleCpuPercent = ((processCpuMs(pid) - idleCpuBefore) / config.settleMs) * 100
  const rssWithReadersKb = processRssKb(pid)
  const memory = {
    readers: connect.subscribed,
    rssBeforeKb,
    rssWithReadersKb,
    perReaderKb: (rssWithReadersKb - rssBeforeKb) / connect.subscribed,
    idleCpuPercent,
  }
  log(
    `${name}: RSS ${(rssBeforeKb / 1024).toFixed(1)} MB -> ${(rssWithReadersKb / 1024).toFixed(1)} MB: ${memory.perReaderKb.toFixed(2)} KB/reader`,
  )

  // A few frames through the fan-out path before measuring (JIT), checked like any phase.
  const warm = await runPhase(target, lg, 3, 2)
  log(`${name}: warm-up ${warm.delivered}/${warm.expected} frames`)

  const busyCount = Math.max(1, Math.round(config.seconds * config.rate))
  log(`${name}: busy story, ${connect.subscribed} readers, ${busyCount} updates at ${config.rate}/s`)
  const busy = await runPhase(target, lg, busyCount, config.rate)
  log(`${name}: busy ${describePhase(busy)}`)

  const { open } = await lg.request({ cmd: 'trim', keep: config.satReaders }, 'trimmed', 30_000)
  await sleep(Math.min(2000, config.settleMs))
  const satCount = Math.max(1, Math.round(config.satSeconds * config.satRate))
  log(`${name}: saturation, ${open} readers, ${satCount} updates at ${config.satRate}/s`)
  const saturation = await runPhase(target, lg, satCount, config.satRate)
  log(`${name}: saturation ${describePhase(saturation)}`)

  const serverCounters = await target.serverCounters().catch(() => ({}))
  const closed = await lg.request({ cmd: 'close' }, 'closed', 10_000)
  loadgens.delete(lg)
  await target.stop()
  servers.delete(target)
  const exit = target.server.exitedWith
  if (exit && exit.code !== 0 && exit.signal !== 'SIGTERM') {
    log(`${name}: exited with ${exit.code ?? exit.signal} on SIGTERM (see ${target.server.logPath})`)
  }
  return {
    name,
    pid,
    connect,
    memory,
    warm,
    busy,
    saturation,
    loadgenCpuMsTotal: closed.cpuMs,
    unexpectedCloses: closed.unexpectedCloses,
    serverCounters,
    clockOffsetDiffMs,
    machineBusyBeforePercent: quiet,
  }
}

function describePhase(p: PhaseOutcome): string {
  const lat = p.latencyMs
  const failures = Object.entries(p.publishFailures)
  return (
    `${p.delivered}/${p.expected} frames, lost ${p.lost}, dup ${p.duplicated}` +
    (lat
      ? `, p50 ${lat.p50.toFixed(1)} ms, p99 ${lat.p99.toFixed(1)} ms, max ${lat.max.toFixed(1)} ms`
      : '') +
    `, server CPU ${(perFrameUs(p, p.cpu.server) ?? 0).toFixed(2)} µs/frame` +
    (p.deliveriesPerSecond ? `, ${Math.round(p.deliveriesPerSecond)} deliveries/s` : '') +
    (failures.length
      ? `; ${p.attempted - p.published} of ${p.attempted} publishes FAILED: ${failures.map(([m, n]) => `${n}x ${m}`).join('; ')}`
      : '')
  )
}

// ---------------------------------------------------------------------------------------------
// The table.

interface Row {
  section?: string
  metric: string
  bare: number | null
  liveline: number | null
  digits: number
  /** Liveline ÷ bare must be at most (or, with `atLeast`, at least) this. */
  maxRatio?: number
  minRatio?: number
  /** Liveline's own value must be at most this (absolute target). */
  maxValue?: number
  /** Both values must be exactly zero. */
  zero?: boolean
  /** Both values must be exactly this. */
  expect?: number
  noRatio?: boolean
}

const perFrameUs = (p: PhaseOutcome, cpuMs: number) => (p.delivered ? (cpuMs * 1000) / p.delivered : null)
const utilization = (cpuMs: number, wallMs: number) => (wallMs > 0 ? (cpuMs / wallMs) * 100 : null)
const share = (p: PhaseOutcome, cpuMs: number) => utilization(cpuMs, p.cpu.wallMs)

/** The rows common to both load phases. */
function phaseRows(
  section: string,
  phase: (r: TargetResult) => PhaseOutcome,
  pick: (f: (r: TargetResult) => number | null | undefined) => {
    bare: number | null
    liveline: number | null
  },
  most: (f: (r: TargetResult) => number) => number,
  saturation: boolean,
): Row[] {
  const p = (f: (x: PhaseOutcome) => number | null | undefined) => pick((r) => f(phase(r)))
  const rows: Row[] = []
  if (saturation) {
    rows.push({
      section,
      metric: 'deliveries per second',
      ...p((x) => x.deliveriesPerSecond),
      digits: 0,
      minRatio: 0.8,
    })
  }
  rows.push(
    {
      ...(saturation ? {} : { section }),
      metric: 'latency p50 (ms)',
      ...p((x) => x.latencyMs?.p50),
      digits: 1,
    },
    {
      metric: 'latency p99 (ms)',
      ...p((x) => x.latencyMs?.p99),
      digits: 1,
      ...(saturation ? {} : { maxRatio: 1.2 }),
    },
    { metric: 'latency max (ms)', ...p((x) => x.latencyMs?.max), digits: 1 },
    {
      metric: 'updates published OK',
      ...p((x) => x.published),
      digits: 0,
      expect: most((r) => phase(r).attempted),
      noRatio: true,
    },
    { metric: 'frames delivered', ...p((x) => x.delivered), digits: 0 },
    { metric: 'frames lost', ...p((x) => x.lost), digits: 0, zero: true, noRatio: true },
    { metric: 'frames duplicated', ...p((x) => x.duplicated), digits: 0, zero: true, noRatio: true },
    {
      metric: 'server CPU per frame (µs)',
      ...p((x) => perFrameUs(x, x.cpu.server)),
      digits: 2,
      maxRatio: 1.2,
    },
    {
      metric: '  of which kernel (µs)',
      ...p((x) => perFrameUs(x, x.cpu.serverSystem)),
      digits: 2,
    },
    {
      metric: '  of which user space (µs)',
      ...p((x) => perFrameUs(x, x.cpu.server - x.cpu.serverSystem)),
      digits: 2,
    },
    {
      metric: 'server + its Postgres + Redis (µs)',
      ...p((x) => perFrameUs(x, x.cpu.server + x.cpu.postgres + x.cpu.redis)),
      digits: 2,
    },
    { metric: 'server CPU (% of a core)', ...p((x) => share(x, x.cpu.server)), digits: 1 },
    {
      metric: 'Postgres + Redis CPU (% of a core)',
      ...p((x) => share(x, x.cpu.postgres + x.cpu.redis)),
      digits: 1,
      noRatio: true,
    },
    {
      metric: 'load generator CPU (% of a core)',
      ...p((x) => share(x, x.cpu.loadgen)),
      digits: 1,
      noRatio: true,
    },
    {
      metric: 'kernel softirq (% of a core)',
      ...p((x) => share(x, x.cpu.softirq)),
      digits: 1,
      noRatio: true,
    },
    {
      metric: 'other processes (% of a core)',
      ...p((x) => share(x, x.cpu.other + x.cpu.bench)),
      digits: 1,
      noRatio: true,
    },
    { metric: 'publish call p50 (ms)', ...p((x) => x.publishCallMs?.p50), digits: 2 },
  )
  return rows
}

function buildRows(config: BenchConfig, bare?: TargetResult, live?: TargetResult): Row[] {
  const pick = (f: (r: TargetResult) => number | null | undefined) => ({
    bare: bare ? (f(bare) ?? null) : null,
    liveline: live ? (f(live) ?? null) : null,
  })
  const most = (f: (r: TargetResult) => number) => Math.max(bare ? f(bare) : 0, live ? f(live) : 0)
  return [
    ...phaseRows(
      `Busy story: ${most((r) => r.busy.readers)} readers, ${config.rate} update/s for ${config.seconds} s`,
      (r) => r.busy,
      pick,
      most,
      false,
    ),
    ...phaseRows(
      `Saturation: ${most((r) => r.saturation.readers)} readers, ${config.satRate} updates/s for ${config.satSeconds} s`,
      (r) => r.saturation,
      pick,
      most,
      true,
    ),
    {
      section: `Memory: ${most((r) => r.memory.readers)} idle subscribed readers`,
      metric: 'server RSS before readers (MB)',
      ...pick((r) => r.memory.rssBeforeKb / 1024),
      digits: 1,
    },
    { metric: 'server RSS with readers (MB)', ...pick((r) => r.memory.rssWithReadersKb / 1024), digits: 1 },
    { metric: 'RSS per idle reader (KB)', ...pick((r) => r.memory.perReaderKb), digits: 2, maxValue: 8 },
    { metric: 'server CPU idle (% of a core)', ...pick((r) => r.memory.idleCpuPercent), digits: 2 },
    {
      section: 'Load generator (one process, all readers)',
      metric: 'connect + subscribe time (s)',
      ...pick((r) => r.connect.ms / 1000),
      digits: 1,
    },
    {
      metric: 'CPU per frame, busy story (µs)',
      ...pick((r) => perFrameUs(r.busy, r.busy.cpuMs)),
      digits: 2,
      noRatio: true,
    },
    {
      metric: 'CPU per frame, saturation (µs)',
      ...pick((r) => perFrameUs(r.saturation, r.saturation.cpuMs)),
      digits: 2,
      noRatio: true,
    },
    { metric: 'CPU whole run (s)', ...pick((r) => r.loadgenCpuMsTotal / 1000), digits: 1, noRatio: true },
    { metric: 'event frame size (bytes)', ...pick((r) => r.busy.frameBytes), digits: 0 },
  ]
}

function verdict(row: Row): string {
  const { bare, liveline } = row
  if (row.expect !== undefined) {
    if (liveline === null) return ''
    return liveline === row.expect && (bare === null || bare === row.expect) ? 'ok' : 'MISS'
  }
  if (row.zero) {
    if (liveline === null) return ''
    return liveline === 0 && (bare === null || bare === 0) ? 'ok' : 'MISS'
  }
  if (row.maxValue !== undefined) return liveline === null ? '' : liveline <= row.maxValue ? 'ok' : 'MISS'
  if (bare === null || liveline === null || bare === 0) return ''
  const ratio = liveline / bare
  if (row.maxRatio !== undefined) return ratio <= row.maxRatio ? 'ok' : 'MISS'
  if (row.minRatio !== undefined) return ratio >= row.minRatio ? 'ok' : 'MISS'
  return ''
}

function target(row: Row): string {
  if (row.expect !== undefined) return `= ${row.expect}`
  if (row.zero) return '= 0'
  if (row.maxValue !== undefined) return `<= ${row.maxValue}`
  if (row.maxRatio !== undefined) return `<= ${row.maxRatio}x`
  if (row.minRatio !== undefined) return `>= ${row.minRatio}x`
  return ''
}

function formatTable(rows: Row[], header: string[]): string {
  const fmt = (v: number | null, digits: number) =>
    v === null
      ? '-'
      : v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
  const lines: string[][] = [['', 'bare', 'Liveline', 'Liveline/bare', 'target', '']]
  const sections = new Map<number, string>()
  for (const row of rows) {
    if (row.section) sections.set(lines.length, row.section)
    const ratio =
      row.noRatio || row.bare === null || row.liveline === null || row.bare === 0
        ? ''
        : `${(row.liveline / row.bare).toFixed(2)}x`
    lines.push([
      `  ${row.metric}`,
      fmt(row.bare, row.digits),
      fmt(row.liveline, row.digits),
      ratio,
      target(row),
      verdict(row),
    ])
  }
  const widths = (lines[0] ?? []).map((_, c) => Math.max(...lines.map((l) => (l[c] ?? '').length)))
  const out: string[] = [...header, '']
  lines.forEach((cells, i) => {
    const section = sections.get(i)
    if (section) out.push(section)
    out.push(
      cells
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
  })
  return out.join('\n')
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const config = readConfig(process.argv.slice(2), process.env)
  const runId = `liveline-bench-${process.pid}-${randomBytes(3).toString('hex')}`
  // Liveline first: the bare server then sends events of Liveline's size (equal bytes on the wire).
  const names: TargetName[] = config.only ? [config.only] : ['liveline', 'bare']

  const fdLimit = openFileLimit()
  const ports = ephemeralPorts()
  const notes: string[] = []
  if (fdLimit < config.readers + 500) {
    throw new Error(
      `open-file limit is ${fdLimit}: too low for ${config.readers} readers (each side needs one fd per reader); raise ulimit -n or lower --readers`,
    )
  }
  if (ports < config.readers + 1000) {
    throw new Error(`only ${ports} ephemeral ports (ip_local_port_range) for ${config.readers} readers`)
  }
  notes.push(`open-file limit ${fdLimit} per process; ${ports} ephemeral ports`)

  // Everything must end by itself: a generous bound on the whole run.
  const perTargetMs =
    150_000 + config.readers * 25 + 3 * config.settleMs + (config.seconds + config.satSeconds) * 1000 + 70_000
  const deadlineMs = perTargetMs * names.length
  const deadline = setTimeout(
    () => void abort(`did not finish within ${Math.round(deadlineMs / 1000)} s`, 3),
    deadlineMs,
  )
  log(
    `config ${JSON.stringify(config)}; bounded at ${Math.round(deadlineMs / 1000)} s; logs in test-artifacts/bench-logs`,
  )

  redisPids.push(...pidsNamed('redis-server'))
  const results: Partial<Record<TargetName, TargetResult>> = {}
  for (const name of names) {
    results[name] = await runTarget(name, config, runId, results.liveline?.busy.frameBytes)
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
  for (const r of Object.values(results)) {
    if (Math.abs(r.clockOffsetDiffMs) > 2) {
      notes.push(`${r.name}: bench and load generator clocks differ by ${r.clockOffsetDiffMs.toFixed(2)} ms`)
    }
    for (const [phase, p] of [
      ['busy', r.busy],
      ['saturation', r.saturation],
    ] as const) {
      const lgUse = share(p, p.cpu.loadgen) ?? 0
      if (lgUse > 85) notes.push(`${r.name} ${phase}: load generator used ${lgUse.toFixed(0)}% of a core`)
      const others = share(p, p.cpu.other) ?? 0
      if (others > 20) {
        notes.push(
          `${r.name} ${phase}: processes outside the bench used ${others.toFixed(0)}% of a core meanwhile (a shared machine: expect noise)`,
        )
      }
      if (!p.complete) notes.push(`${r.name} ${phase}: readers still missing frames when the wait ended`)
      for (const [message, n] of Object.entries(p.publishFailures)) {
        notes.push(`${r.name} ${phase}: ${n} of ${p.attempted} publishes failed: ${message}`)
      }
      if (p.outOfOrder) notes.push(`${r.name} ${phase}: ${p.outOfOrder} frames out of order`)
      if (p.unexpected) notes.push(`${r.name} ${phase}: ${p.unexpected} unexpected frames`)
      if (Object.keys(p.closedDuringPhase).length) {
        notes.push(`${r.name} ${phase}: readers closed by the server: ${JSON.stringify(p.closedDuringPhase)}`)
      }
    }
    if (r.connect.failed)
      notes.push(
        `${r.name}: ${r.connect.failed} readers failed to connect ${JSON.stringify(r.connect.failures)}`,
      )
    if (Object.keys(r.unexpectedCloses).length) {
      notes.push(
        `${r.name}: readers closed by the server during the run: ${JSON.stringify(r.unexpectedCloses)}`,
      )
    }
    const c = r.serverCounters
    for (const name of [
      'liveline_slow_reader_disconnects_total',
      'liveline_gap_backfills_total',
      'liveline_bus_publish_failures_total',
      'liveline_bus_reconnects_total',
    ]) {
      if (c[name]) notes.push(`${r.name}: ${name} = ${c[name]}`)
    }
  }
  if (config.quick) notes.push('--quick: smoke-run sizes, not the benchmark')

  const header = [
    'Liveline fan-out benchmark',
    `machine   ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB RAM, ${machine.os}`,
    `date      ${date}`,
    `node      ${process.version}`,
    'ratio     Liveline / bare on every row (for deliveries per second, higher is better)',
  ]
  const rows = buildRows(config, results.bare, results.liveline)
  const table = formatTable(rows, header)
  process.stdout.write(`\n${table}\n`)
  if (notes.length) process.stdout.write(`\nnotes\n${notes.map((n) => `  - ${n}`).join('\n')}\n`)

  mkdirSync(ARTIFACTS, { recursive: true })
  const jsonPath = resolve(ARTIFACTS, 'bench-results.json')
  writeFileSync(
    jsonPath,
    `${JSON.stringify(
      {
        machine,
        date,
        node: process.version,
        config,
        table: rows.map((row) => ({
          section: row.section,
          metric: row.metric,
          bare: row.bare,
          liveline: row.liveline,
          ratio: row.bare && row.liveline !== null && !row.noRatio ? row.liveline / row.bare : null,
          target: target(row) || null,
          verdict: verdict(row) || null,
        })),
        notes,
        results,
      },
      null,
      2,
    )}\n`,
  )
  process.stdout.write(`\nresults: ${jsonPath}\n`)
  if (config.profile)
    process.stdout.write(`CPU profiles (bare/, liveline/): ${resolve(ARTIFACTS, 'bench-profiles')}\n`)
}

main().then(
  () => process.exit(0),
  (err: unknown) => void abort(err instanceof Error ? (err.stack ?? err.message) : String(err), 1),
)
