/**
 * `npm run bench:comments`: what reader comments cost the readers of a busy story.
 *
 * One Liveline instance (src/main.ts, its own child, on a fresh database of the local Postgres and
 * the local Redis) serves one `open` story that BENCH_READERS websocket readers follow (5,000; in a
 * separate load-generator process, scripts/bench/story-loadgen.ts). Two phases of BENCH_SECONDS
 * (30) each, on the same server and readers:
 *
 *   1. baseline: an update posted every 1/BENCH_UPDATE_RATE s (1 per second), nothing else;
 *   2. comments: the same updates, and BENCH_COMMENT_RATE (200) comments per second posted to the
 *      story, each from its own client address (the trusted client-address header is set for the
 *      bench; the rate limits are raised so they do not refuse the bench's load).
 *
 * The comments are a newsroom's mix (scripts/bench/comment-mix.ts): most are clean and are published
 * at once, so every reader gets them as `comment.published`; the rest are rejected (capitals,
 * swearing) or held (links, misspellings). The bench reports the comment POST p50/p99, the rules'
 * time per comment (the server's `liveline_comment_rules_seconds`), and for the updates, phase
 * against phase, the fan-out to the last reader (post to last reader, p50/p99 over updates) and
 * over every delivery; plus lost and duplicated frames (every reader checks its seqs are gapless).
 * Target: the updates' p99 with comments within 1.2x of the baseline's.
 *
 *   npm run bench:comments
 *   BENCH_COMMENTS_MODE=moderated npm run bench:comments   # every comment waits for an editor
 *   BENCH_SECONDS=10 BENCH_READERS=1000 npm run bench:comments
 *
 * Needs Postgres on 127.0.0.1:5432 (user postgres, trust) and Redis on 127.0.0.1:6379, and an
 * open-file limit above the reader count. Writes bench-results/comments-<date>.txt.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { resolve } from 'node:path'
import { type CommentMixItem, commentMix } from './bench/comment-mix.js'
import {
  benchExecArgv,
  type LivelineInstance,
  newAdminKey,
  startLivelineInstance,
} from './bench/liveline-instance.js'
import { LoadgenClient } from './bench/loadgen-client.js'
import { LOG_DIR, PG_ADMIN_URL, REDIS_URL, RESULTS_DIR, ROOT } from './bench/places.js'
import { cpuBetween, cpuOfPids, openFileLimit, sleep } from './bench/proc.js'
import { runBench } from './bench/run-bench.js'
import type { FromStoryLoadgen, StoryPhaseResult, ToStoryLoadgen } from './bench/story-loadgen.js'
import { type BenchDatabase, createBenchDatabase, UPDATE_TEXT, wallNow } from './bench/targets.js'

/** The header the bench's instance trusts for the client address (LIVELINE_CLIENT_IP_HEADER). */
const CLIENT_IP_HEADER = 'X-Bench-Client-IP'
const TARGET_P99_RATIO = 1.2
/** How long the readers may take to receive everything after a phase's posting ends. */
const MAX_DRAIN_MS = 120_000

const num = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback)
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number`)
  return value
}
function commentsMode(value: string): 'open' | 'moderated' {
  if (value !== 'open' && value !== 'moderated')
    throw new Error('BENCH_COMMENTS_MODE must be open or moderated')
  return value
}

const config = {
  seconds: num('BENCH_SECONDS', 30),
  readers: num('BENCH_READERS', 5000),
  commentRate: num('BENCH_COMMENT_RATE', 200),
  updateRate: num('BENCH_UPDATE_RATE', 1),
  /**
   * The story's comments setting: `open` publishes clean comments at once (each an event for every
   * reader); `moderated` holds them all for an editor, as a newsroom runs a story with this many
   * comments, so readers get only the updates and the cost measured is the write path's.
   */
  mode: commentsMode(process.env.BENCH_COMMENTS_MODE ?? 'open'),
  /** Handshakes in flight at once while the readers connect. */
  concurrency: 200,
  /** Comment POSTs in flight at most; past it a comment is counted as not sent on time. */
  maxInFlight: 400,
}

const log = (message: string) => console.error(`[bench-comments ${new Date().toISOString()}] ${message}`)

let instance: LivelineInstance | null = null
let database: BenchDatabase | null = null
let loadgen: LoadgenClient<ToStoryLoadgen, FromStoryLoadgen> | null = null

async function cleanup(): Promise<void> {
  loadgen?.kill()
  await instance?.stop().catch(() => {})
  await database?.drop().catch(() => {})
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanup().then(() => process.exit(130)))
}

const pct = (values: number[], p: number): number | null => {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number
}

/** Sum and count of a Prometheus histogram, and its cumulative buckets (le -> count). */
async function histogram(base: string, name: string) {
  const text = await (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(10_000) })).text()
  const buckets = new Map<number, number>()
  let sum = 0
  let count = 0
  for (const line of text.split('\n')) {
    const bucket = new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)$`).exec(line)
    if (bucket)
      buckets.set(bucket[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(bucket[1]), Number(bucket[2]))
    const s = new RegExp(`^${name}_sum (\\S+)$`).exec(line)
    if (s) sum = Number(s[1])
    const c = new RegExp(`^${name}_count (\\S+)$`).exec(line)
    if (c) count = Number(c[1])
  }
  return { sum, count, buckets }
}

async function counters(base: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(10_000) })).text()
  const out: Record<string, number> = {}
  for (const line of text.split('\n')) {
    const match = /^(liveline_comments_decided_total\{[^}]*\}|liveline_comments_[a-z_]+total)\s+(\S+)$/.exec(
      line,
    )
    if (match?.[1]) out[match[1]] = Number(match[2])
  }
  return out
}

interface PhaseOutcome {
  name: string
  loadgen: StoryPhaseResult
  updatesPosted: number
  updatesFailed: number
  updatePostMs: number[]
  comments: { sent: number; answered: Record<string, number>; postMs: number[]; skipped: number }
  rules: { count: number; meanMs: number | null; p99BucketMs: number | null }
  decided: Record<string, number>
  serverCpuPercent: number
}

async function runPhase(
  name: string,
  server: LivelineInstance,
  lg: LoadgenClient<ToStoryLoadgen, FromStoryLoadgen>,
  story: { id: string },
  editorKey: string,
  withComments: boolean,
  mix: CommentMixItem[],
): Promise<PhaseOutcome> {
  const head = (await server.api<{ seq: number }>('GET', `/v1/stories/${story.id}`)).seq
  await lg.request({ cmd: 'phase', head }, 'phase-started', 10_000)
  const rulesBefore = await histogram(server.base, 'liveline_comment_rules_seconds')
  const decidedBefore = await counters(server.base)
  const cpuBefore = cpuOfPids([server.server.pid])
  const started = performance.now()
  const endAt = started + config.seconds * 1000

  const updates: Array<[number, number]> = []
  const updatePostMs: number[] = []
  let updatesFailed = 0
  let maxSeq = head
  const postUpdates = (async () => {
    const every = 1000 / config.updateRate
    for (let k = 0; ; k++) {
      const due = started + k * every
      if (due >= endAt) break
      await sleep(Math.max(0, due - performance.now()))
      const at = wallNow()
      const t0 = performance.now()
      try {
        const res = await fetch(`${server.base}/v1/stories/${story.id}/updates`, {
          method: 'POST',
          headers: { authorization: `Bearer ${editorKey}`, 'content-type': 'application/json' },
          body: JSON.stringify({ blocks: [{ type: 'text', text: `${UPDATE_TEXT} (${name} ${k + 1})` }] }),
          signal: AbortSignal.timeout(30_000),
        })
        const body = (await res.json()) as { seq: number }
        if (res.status !== 201) throw new Error(`POST updates: ${res.status}`)
        updatePostMs.push(performance.now() - t0)
        updates.push([body.seq, at])
        maxSeq = Math.max(maxSeq, body.seq)
      } catch (err) {
        updatesFailed++
        log(`${name}: an update failed: ${(err as Error).message}`)
      }
    }
  })()

  const comments = { sent: 0, answered: {} as Record<string, number>, postMs: [] as number[], skipped: 0 }
  const inFlight = new Set<Promise<void>>()
  const postComments = (async () => {
    if (!withComments || config.commentRate === 0) return
    // Sent in ticks of 20 ms, each with the comments due by then: steady, not bursty.
    const tickMs = 20
    let due = 0
    for (let tick = 0; ; tick++) {
      const tickAt = started + tick * tickMs
      if (tickAt >= endAt) break
      await sleep(Math.max(0, tickAt - performance.now()))
      const target = Math.floor(((tick + 1) * tickMs * config.commentRate) / 1000)
      for (; due < target; due++) {
        if (inFlight.size >= config.maxInFlight) {
          comments.skipped++
          continue
        }
        const item = mix[due % mix.length] as CommentMixItem
        const n = comments.sent++
        // Every comment from its own address: the per-address limits and the repeat rule stay out of it.
        const address = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`
        const t0 = performance.now()
        const p = fetch(`${server.base}/v1/stories/${story.id}/comments`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [CLIENT_IP_HEADER]: address },
          body: JSON.stringify({ name: item.name, text: `${item.text}` }),
          signal: AbortSignal.timeout(30_000),
        })
          .then(async (res) => {
            const body = (await res.json()) as { status?: string; error?: { code: string } }
            comments.postMs.push(performance.now() - t0)
            const key = res.status === 201 ? `201 ${body.status}` : `${res.status} ${body.error?.code}`
            comments.answered[key] = (comments.answered[key] ?? 0) + 1
          })
          .catch((err: Error) => {
            comments.answered[err.name] = (comments.answered[err.name] ?? 0) + 1
          })
          .finally(() => inFlight.delete(p))
        inFlight.add(p)
      }
    }
    await Promise.all(inFlight)
  })()

  await Promise.all([postUpdates, postComments])
  // Comments answered before the end are in the log: every reader must reach the head.
  // A server behind on its fan-out answers slowly: wait for it rather than give up.
  const headRes = await fetch(`${server.base}/v1/stories/${story.id}`, {
    headers: { authorization: `Bearer ${editorKey}` },
    signal: AbortSignal.timeout(180_000),
  })
  const finalHead = Math.max(maxSeq, ((await headRes.json()) as { seq: number }).seq)
  const { result } = await lg.request(
    { cmd: 'finish', head: finalHead, updates, idleMs: 15_000, maxWaitMs: MAX_DRAIN_MS },
    'phase-result',
    200_000,
  )
  const cpuMs = cpuBetween(cpuBefore, cpuOfPids([server.server.pid]))
  const wallMs = performance.now() - started

  const rulesAfter = await histogram(server.base, 'liveline_comment_rules_seconds')
  const count = rulesAfter.count - rulesBefore.count
  let p99BucketMs: number | null = null
  if (count > 0) {
    for (const [le, cumulative] of [...rulesAfter.buckets].sort((a, b) => a[0] - b[0])) {
      if (cumulative - (rulesBefore.buckets.get(le) ?? 0) >= 0.99 * count) {
        p99BucketMs = le * 1000
        break
      }
    }
  }
  const decidedAfter = await counters(server.base)
  const decided: Record<string, number> = {}
  for (const [k, v] of Object.entries(decidedAfter)) {
    const d = v - (decidedBefore[k] ?? 0)
    if (d) decided[k] = d
  }
  return {
    name,
    loadgen: result,
    updatesPosted: updates.length,
    updatesFailed,
    updatePostMs,
    comments,
    rules: { count, meanMs: count ? ((rulesAfter.sum - rulesBefore.sum) / count) * 1000 : null, p99BucketMs },
    decided,
    serverCpuPercent: (cpuMs / wallMs) * 100,
  }
}

const f = (v: number | null | undefined, digits = 1) =>
  v === null || v === undefined
    ? '-'
    : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
const ratio = (a: number | null, b: number | null) =>
  a !== null && b !== null && a > 0 ? `${(b / a).toFixed(2)}x` : '-'

function report(base: PhaseOutcome, withComments: PhaseOutcome, connected: number): string {
  const lastOf = (p: PhaseOutcome) =>
    p.loadgen.perUpdate.map((u) => u.lastMs).filter((v): v is number => v !== null)
  const row = (label: string, a: string, b: string, r = '', target = '') =>
    `  ${label.padEnd(40)}${a.padStart(12)}${b.padStart(12)}${r.padStart(10)}${target.padStart(14)}`
  const p99Base = pct(lastOf(base), 0.99)
  const p99Comments = pct(lastOf(withComments), 0.99)
  const p99Ratio = p99Base && p99Comments ? p99Comments / p99Base : null
  const lost = base.loadgen.lost + withComments.loadgen.lost
  const dup = base.loadgen.duplicated + withComments.loadgen.duplicated
  const cpu = os.cpus()
  const lines = [
    'Liveline comments benchmark',
    `machine   ${cpu[0]?.model ?? 'unknown'}, ${cpu.length} cores, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB RAM, ${os.type()} ${os.release()} ${os.arch()}`,
    `date      ${new Date().toISOString()}`,
    `node      ${process.version}`,
    `config    ${connected} readers on one ${config.mode} story; ${config.updateRate} update/s for ${config.seconds} s per phase; ${config.commentRate} comments/s in the second`,
    '',
    row('', 'no comments', 'comments', 'ratio', 'target'),
    row('updates posted OK', String(base.updatesPosted), String(withComments.updatesPosted)),
    row(
      'update fan-out to last reader p50 (ms)',
      f(pct(lastOf(base), 0.5)),
      f(pct(lastOf(withComments), 0.5)),
      ratio(pct(lastOf(base), 0.5), pct(lastOf(withComments), 0.5)),
    ),
    row(
      'update fan-out to last reader p99 (ms)',
      f(p99Base),
      f(p99Comments),
      ratio(p99Base, p99Comments),
      `<= ${TARGET_P99_RATIO}x ${p99Ratio !== null && p99Ratio <= TARGET_P99_RATIO ? 'ok' : 'MISSED'}`,
    ),
    row(
      'update delivery p50, every reader (ms)',
      f(base.loadgen.deliveryMs?.p50),
      f(withComments.loadgen.deliveryMs?.p50),
      ratio(base.loadgen.deliveryMs?.p50 ?? null, withComments.loadgen.deliveryMs?.p50 ?? null),
    ),
    row(
      'update delivery p99, every reader (ms)',
      f(base.loadgen.deliveryMs?.p99),
      f(withComments.loadgen.deliveryMs?.p99),
      ratio(base.loadgen.deliveryMs?.p99 ?? null, withComments.loadgen.deliveryMs?.p99 ?? null),
    ),
    row('update POST p50 (ms)', f(pct(base.updatePostMs, 0.5)), f(pct(withComments.updatePostMs, 0.5))),
    row('event frames received', f(base.loadgen.frames, 0), f(withComments.loadgen.frames, 0)),
    row(
      'frames lost',
      String(base.loadgen.lost),
      String(withComments.loadgen.lost),
      '',
      `= 0 ${lost === 0 ? 'ok' : 'MISSED'}`,
    ),
    row(
      'frames not received when the wait ended',
      f(base.loadgen.behind, 0),
      f(withComments.loadgen.behind, 0),
    ),
    row(
      'frames duplicated',
      String(base.loadgen.duplicated),
      String(withComments.loadgen.duplicated),
      '',
      `= 0 ${dup === 0 ? 'ok' : 'MISSED'}`,
    ),
    row('readers open at the end', String(base.loadgen.openAtEnd), String(withComments.loadgen.openAtEnd)),
    row(
      'readers closed by the server',
      JSON.stringify(base.loadgen.closed),
      JSON.stringify(withComments.loadgen.closed),
    ),
    row('server CPU (% of a core)', f(base.serverCpuPercent, 0), f(withComments.serverCpuPercent, 0)),
    row(
      'load generator CPU (% of a core)',
      f((base.loadgen.cpuMs / base.loadgen.wallMs) * 100, 0),
      f((withComments.loadgen.cpuMs / withComments.loadgen.wallMs) * 100, 0),
    ),
    '',
    'comments',
    row(
      'comments sent (per second)',
      '',
      `${withComments.comments.sent} (${f(withComments.comments.sent / config.seconds, 0)})`,
    ),
    row('not sent: too many in flight', '', String(withComments.comments.skipped)),
    row('comment POST p50 (ms)', '', f(pct(withComments.comments.postMs, 0.5))),
    row('comment POST p99 (ms)', '', f(pct(withComments.comments.postMs, 0.99))),
    row('rules per comment, mean (ms)', '', f(withComments.rules.meanMs, 3)),
    row('rules per comment, p99 bucket (ms)', '', `<= ${f(withComments.rules.p99BucketMs, 2)}`),
    `  answers   ${JSON.stringify(withComments.comments.answered)}`,
    `  decided   ${JSON.stringify(withComments.decided)}`,
  ]
  return lines.join('\n')
}

async function main(): Promise<void> {
  const fdLimit = openFileLimit()
  if (fdLimit < config.readers + 500)
    throw new Error(`open-file limit ${fdLimit} is too low for ${config.readers} readers`)
  const runId = `liveline-bench-comments-${process.pid}-${randomBytes(3).toString('hex')}`
  log(`config ${JSON.stringify(config)}`)
  mkdirSync(LOG_DIR, { recursive: true })
  mkdirSync(RESULTS_DIR, { recursive: true })
  database = await createBenchDatabase(PG_ADMIN_URL, `liveline_bench_${process.pid}`)
  const adminKey = newAdminKey()
  const limit = String(Math.max(1000, Math.ceil(config.commentRate * 120)))
  instance = await startLivelineInstance({
    name: 'comments',
    root: ROOT,
    logDir: LOG_DIR,
    databaseUrl: database.url,
    redisUrl: REDIS_URL,
    busPrefix: `${runId}:`,
    adminKey,
    env: {
      LIVELINE_CLIENT_IP_HEADER: CLIENT_IP_HEADER,
      LIVELINE_COMMENTS_PER_STORY: limit,
      LIVELINE_COMMENTS_PER_ADDRESS: limit,
    },
  })
  const server = instance
  const { key: editorKey } = await server.api<{ key: string }>('POST', '/v1/keys', {
    name: 'Bench editor',
    role: 'editor',
  })
  const story = await server.api<{ id: string }>(
    'POST',
    '/v1/stories',
    { title: `Comments bench ${runId}`, status: 'live' },
    editorKey,
  )
  await server.api('PATCH', `/v1/stories/${story.id}`, { comments: config.mode }, editorKey)

  // Warm up: the first comment builds the dictionaries (off the request path, up to seconds).
  const mix = commentMix(Math.max(1000, Math.ceil(config.commentRate * config.seconds)))
  for (let i = 0; i < 20; i++) {
    await fetch(`${server.base}/v1/stories/${story.id}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CLIENT_IP_HEADER]: `192.0.2.${i}` },
      body: JSON.stringify({
        name: 'Warm-up',
        text: `Warm-up comment number ${i}, thanks for the coverage.`,
      }),
    })
    if (i === 0) await sleep(5000)
  }

  loadgen = new LoadgenClient<ToStoryLoadgen, FromStoryLoadgen>(
    resolve(ROOT, 'scripts/bench/story-loadgen.ts'),
    benchExecArgv(ROOT),
    ROOT,
  )
  await loadgen.ready
  log(`connecting ${config.readers} readers`)
  const connectTimeoutMs = 30_000 + config.readers * 20
  const connected = await loadgen.request(
    {
      cmd: 'connect',
      url: server.wsUrl,
      story: story.id,
      count: config.readers,
      concurrency: config.concurrency,
      timeoutMs: connectTimeoutMs,
    },
    'connected',
    connectTimeoutMs + 10_000,
  )
  log(`${connected.subscribed} subscribed in ${(connected.ms / 1000).toFixed(1)} s`)
  if (connected.subscribed === 0)
    throw new Error(`no reader subscribed: ${JSON.stringify(connected.failures)}`)
  await sleep(2000)

  log('phase 1: updates, no comments')
  const base = await runPhase('baseline', server, loadgen, story, editorKey, false, mix)
  await sleep(3000)
  log('phase 2: updates and comments')
  const withComments = await runPhase('comments', server, loadgen, story, editorKey, true, mix)

  const text = report(base, withComments, connected.subscribed)
  console.log(text)
  const file = resolve(RESULTS_DIR, `comments-${new Date().toISOString().replace(/[:.]/g, '-')}.txt`)
  writeFileSync(
    file,
    `${text}\n\nper update (ms to last reader), baseline: ${JSON.stringify(base.loadgen.perUpdate.map((u) => u.lastMs && Math.round(u.lastMs)))}\nwith comments: ${JSON.stringify(withComments.loadgen.perUpdate.map((u) => u.lastMs && Math.round(u.lastMs)))}\n`,
  )
  log(`written to ${file}`)
}

await runBench(main, cleanup)
