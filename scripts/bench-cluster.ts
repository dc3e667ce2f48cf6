/**
 * `npm run bench:cluster`: three Liveline instances fanning out over one Redis, then over a local
 * Redis Cluster (three masters, three replicas), with the same readers, stories and posts.
 *
 * Each run: a private bus (its own redis-server, or six cluster nodes on private ports), three
 * instances (`src/main.ts`, separate processes) on one fresh Postgres database, readers in a
 * forked child spread over the instances, each following one story; stories chosen so that on
 * the cluster they spread evenly over the shards. Then:
 *   busy     `rate` posts/s for `seconds`, round-robin over stories and instances: publish ->
 *            receive latency, frames lost/duplicated, instance CPU per delivered frame
 *   failover (cluster only) SIGKILL the master of one story's shard while posting to it every
 *            100 ms: time until the replica serves the slot, time until every reader of the
 *            story has the first post made after the kill, and whether every event still arrived
 *            once, in order
 *   bus      apart from Liveline: `busMessages` event-sized messages published straight to the
 *            bus over `stories` channels, each heard by three subscribers (as three instances
 *            would): the bus nodes' CPU per message (INFO cpu before/after, net of the node's
 *            idle CPU), one Redis against the busiest master of the cluster. Liveline's posts
 *            (a transaction each) are too slow on this machine to lift the bus's CPU far enough
 *            above the cluster's own gossip to measure it through them.
 *
 * The instances' periodic head check is set to a minute, so the figures are the bus's own: a lost
 * message shows as lost instead of arriving two seconds late.
 *
 * Sizes: --readers=600 (in all), --stories=6, --rate=5, --seconds=20, --bus-messages=20000,
 * --idle-seconds=3, or --quick for a smoke run.
 * Results: a table on stdout and test-artifacts/bench-cluster-results.json.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Cluster, Redis } from 'ioredis'
import WebSocket from 'ws'
import { LocalRedisCluster } from '../tests/helpers/redis-cluster.js'
import { ARTIFACTS, PG_ADMIN_URL, ROOT } from './bench/places.js'
import { freePort, processCpuMs, ServerProcess, sleep, waitForHttp } from './bench/proc.js'
import { type BenchDatabase, createBenchDatabase, UPDATE_TEXT, wallNow } from './bench/targets.js'

const INSTANCES = 3
/** Posts to the failed-over story, one every this many ms, during the failover. */
const FAILOVER_POST_INTERVAL_MS = 100
/**
 * The instances' periodic head check, made long so that what is measured (delivery, and recovery
 * after a failover) is the bus's own work, not the 2-second safety net's.
 */
const HEAD_CHECK_MS = 60_000
/** Tries to start an instance whose port was taken meanwhile. */
const START_ATTEMPTS = 3
/** How long readers may go without a new frame before the bench stops waiting for stragglers. */
const DRAIN_IDLE_MS = 3000

interface BenchConfig {
  readers: number
  stories: number
  rate: number
  seconds: number
  idleSeconds: number
  busMessages: number
}

function readConfig(argv: string[]): BenchConfig {
  const quick = argv.includes('--quick')
  const flags = new Map<string, string>()
  for (const arg of argv) {
    const match = /^--([a-z-]+)=(.*)$/.exec(arg)
    if (match?.[1] && match[2] !== undefined) flags.set(match[1], match[2])
  }
  const num = (flag: string, normal: number, smoke: number): number => {
    const raw = flags.get(flag)
    if (raw === undefined) return quick ? smoke : normal
    const value = Number(raw)
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${flag} must be a positive number`)
    return value
  }
  return {
    readers: Math.round(num('readers', 600, 150)),
    stories: Math.round(num('stories', 6, 3)),
    rate: num('rate', 5, 5),
    seconds: num('seconds', 20, 5),
    idleSeconds: num('idle-seconds', 3, 2),
    busMessages: Math.round(num('bus-messages', 20_000, 3000)),
  }
}

// ---------------------------------------------------------------------------------------------
// The reader child: websockets spread over the instances, every frame's receive time kept.

type ToReaders =
  | { cmd: 'connect'; plan: Array<{ url: string; story: string }> }
  /** Waits until every reader of each story has `heads[story]`, or DRAIN_IDLE_MS pass without a frame. */
  | { cmd: 'drain'; heads: Record<string, number>; maxWaitMs: number }
  /** The receive times of seqs in (from, to] of `story` on every reader. */
  | { cmd: 'report'; publishTimes: Record<string, Record<number, number>> }
  /** When every reader of `story` has a seq above `after`: the latest first-receive time. */
  | { cmd: 'first-after'; story: string; after: number; maxWaitMs: number }

type FromReaders =
  | { type: 'connected'; readers: number; failed: number }
  | { type: 'drained'; complete: boolean }
  | { type: 'report'; result: ReaderReport }
  | { type: 'first-after'; at: number | null }

interface ReaderReport {
  /** Event frames received in all. */
  delivered: number
  /** Frames received per instance URL. */
  deliveredByUrl: Record<string, number>
  /** Expected frames (every published seq of a story on every reader of it) that never came. */
  lost: number
  duplicated: number
  outOfOrder: number
  latencyMs: { p50: number; p99: number; max: number } | null
}

async function readerChild(): Promise<void> {
  const readers: Array<{ url: string; story: string; got: Array<[number, number]> }> = []
  let lastFrameAt = Date.now()
  const send = (msg: FromReaders) => process.send?.(msg)
  const haveAll = (heads: Record<string, number>) =>
    readers.every((r) => (r.got.at(-1)?.[0] ?? 0) >= (heads[r.story] ?? 0))
  process.on('message', async (msg: ToReaders) => {
    if (msg.cmd === 'connect') {
      let failed = 0
      const batch = 50
      for (let i = 0; i < msg.plan.length; i += batch) {
        await Promise.all(
          msg.plan.slice(i, i + batch).map(
            ({ url, story }) =>
              new Promise<void>((done) => {
                const ws = new WebSocket(url, { perMessageDeflate: false })
                const reader = { url, story, got: [] as Array<[number, number]> }
                ws.on('message', (data) => {
                  const frame = JSON.parse(data.toString()) as { type: string; event?: { seq: number } }
                  if (frame.type === 'subscribed') {
                    readers.push(reader)
                    done()
                  } else if (frame.type === 'event' && frame.event) {
                    reader.got.push([frame.event.seq, wallNow()])
                    lastFrameAt = Date.now()
                  }
                })
                ws.on('open', () => ws.send(JSON.stringify({ type: 'subscribe', story })))
                ws.on('error', () => {
                  failed++
                  done()
                })
              }),
          ),
        )
      }
      send({ type: 'connected', readers: readers.length, failed })
    } else if (msg.cmd === 'drain') {
      const since = Date.now()
      const deadline = since + msg.maxWaitMs
      const quiet = () => Date.now() - Math.max(lastFrameAt, since) >= DRAIN_IDLE_MS
      while (!haveAll(msg.heads) && Date.now() < deadline && !quiet()) await sleep(50)
      send({ type: 'drained', complete: haveAll(msg.heads) })
    } else if (msg.cmd === 'first-after') {
      const deadline = Date.now() + msg.maxWaitMs
      const mine = readers.filter((r) => r.story === msg.story)
      const first = () => mine.map((r) => r.got.find(([seq]) => seq > msg.after)?.[1])
      while (first().some((t) => t === undefined) && Date.now() < deadline) await sleep(20)
      const times = first()
      send({
        type: 'first-after',
        at: times.some((t) => t === undefined) ? null : Math.max(...(times as number[])),
      })
    } else if (msg.cmd === 'report') {
      const latencies: number[] = []
      const byUrl: Record<string, number> = {}
      let delivered = 0
      let lost = 0
      let duplicated = 0
      let outOfOrder = 0
      for (const r of readers) {
        const published = msg.publishTimes[r.story] ?? {}
        const seen = new Set<number>()
        let previous = 0
        for (const [seq, at] of r.got) {
          delivered++
          byUrl[r.url] = (byUrl[r.url] ?? 0) + 1
          if (seen.has(seq)) duplicated++
          if (seq <= previous) outOfOrder++
          previous = Math.max(previous, seq)
          seen.add(seq)
          const sent = published[seq]
          if (sent !== undefined) latencies.push(at - sent)
        }
        for (const seq of Object.keys(published)) if (!seen.has(Number(seq))) lost++
      }
      latencies.sort((a, b) => a - b)
      const at = (p: number) =>
        latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)] ?? 0
      send({
        type: 'report',
        result: {
          delivered,
          deliveredByUrl: byUrl,
          lost,
          duplicated,
          outOfOrder,
          latencyMs: latencies.length ? { p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? 0 } : null,
        },
      })
      // Frames are counted per phase: the next one starts from nothing.
      for (const r of readers) r.got = []
    }
  })
}

class Readers {
  readonly child: ChildProcess
  #waiting: Array<(msg: FromReaders) => boolean> = []

  constructor() {
    const watch = pathToFileURL(resolve(ROOT, 'scripts/bench/parent-watch.ts')).href
    this.child = fork(resolve(ROOT, 'scripts/bench-cluster.ts'), ['--reader-child'], {
      execArgv: ['--import', 'tsx', '--import', watch],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    this.child.on('message', (msg: FromReaders) => {
      this.#waiting = this.#waiting.filter((w) => !w(msg))
    })
  }

  request<T extends FromReaders['type']>(
    msg: ToReaders,
    type: T,
    timeoutMs: number,
  ): Promise<Extract<FromReaders, { type: T }>> {
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`readers: no ${type} within ${timeoutMs} ms`)),
        timeoutMs,
      )
      this.#waiting.push((reply) => {
        if (reply.type !== type) return false
        clearTimeout(timer)
        resolvePromise(reply as Extract<FromReaders, { type: T }>)
        return true
      })
      this.child.send(msg)
    })
  }

  kill(): void {
    this.child.kill('SIGKILL')
  }
}

// ---------------------------------------------------------------------------------------------
// Buses and instances.

interface BusUnderTest {
  name: 'one Redis' | 'Redis Cluster'
  redisUrl: string
  cluster: boolean
  /** Ports of the nodes that serve pub/sub (the cluster's masters). */
  nodePorts(): Promise<number[]>
  /** The nodes' URLs. */
  seeds: string[]
  stop(): Promise<void>
}

async function startOneRedis(): Promise<BusUnderTest> {
  const port = await freePort()
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  )
  stoppers.add(async () => {
    proc.kill('SIGKILL')
  })
  for (let i = 0; ; i++) {
    try {
      await info(port)
      break
    } catch (err) {
      if (i > 100) throw err
      await sleep(50)
    }
  }
  return {
    name: 'one Redis',
    redisUrl: `redis://127.0.0.1:${port}`,
    cluster: false,
    nodePorts: async () => [port],
    seeds: [`redis://127.0.0.1:${port}`],
    async stop() {
      if (proc.exitCode !== null) return
      const exited = new Promise((r) => proc.once('exit', r))
      proc.kill('SIGKILL')
      await exited
    },
  }
}

async function startCluster(): Promise<BusUnderTest & { local: LocalRedisCluster }> {
  const local = await LocalRedisCluster.start()
  stoppers.add(() => local.stop())
  return {
    name: 'Redis Cluster',
    redisUrl: local.seedList,
    cluster: true,
    local,
    nodePorts: () => local.masters(),
    seeds: local.urls,
    stop: () => local.stop(),
  }
}

/** A Redis node's own CPU so far (INFO cpu: user + system), in ms. */
async function redisCpuMs(port: number): Promise<number> {
  const text = await info(port, 'cpu')
  const field = (name: string) => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(text)?.[1] ?? 0)
  return (field('used_cpu_user') + field('used_cpu_sys')) * 1000
}

async function info(port: number, section = 'server'): Promise<string> {
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 })
  client.on('error', () => {})
  try {
    await client.connect()
    return await client.info(section)
  } finally {
    client.disconnect()
  }
}

interface Instance {
  server: ServerProcess
  base: string
  wsUrl: string
}

async function startInstances(bus: BusUnderTest, database: BenchDatabase, adminKey: string, logDir: string) {
  const prefix = `bench-cluster:${randomBytes(4).toString('hex')}:`
  const startOnce = async (i: number): Promise<Instance> => {
    const port = await freePort()
    const watch = pathToFileURL(resolve(ROOT, 'scripts/bench/parent-watch.ts')).href
    const server = new ServerProcess(
      `liveline-${i}`,
      ['--import', 'tsx', '--import', watch, 'src/main.ts'],
      {
        ...process.env,
        DATABASE_URL: database.url,
        REDIS_URL: bus.redisUrl,
        LIVELINE_REDIS_CLUSTER: bus.cluster ? '1' : '0',
        LIVELINE_BUS_PREFIX: prefix,
        LIVELINE_ADMIN_KEY: adminKey,
        LIVELINE_WEBHOOK_WORKER: '0',
        LIVELINE_HEAD_CHECK_MS: String(HEAD_CHECK_MS),
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
      },
      ROOT,
      resolve(logDir, `${bus.cluster ? 'cluster' : 'redis'}-liveline-${i}.log`),
    )
    stoppers.add(() => server.stop())
    const base = `http://127.0.0.1:${port}`
    await waitForHttp(`${base}/readyz`, server, 90_000)
    return { server, base, wsUrl: `ws://127.0.0.1:${port}/v1/live` }
  }
  // A port found free can be taken before the instance binds it (a busy machine's outgoing
  // connections use the same range): then try another.
  const start = async (i: number): Promise<Instance> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await startOnce(i)
      } catch (err) {
        if (attempt >= START_ATTEMPTS || !String(err).includes('EADDRINUSE')) throw err
        log(`liveline-${i}: its port was taken; trying another`)
      }
    }
  }
  // The first one migrates the database; the others start together.
  const first = await start(0)
  const rest = await Promise.all(Array.from({ length: INSTANCES - 1 }, (_, i) => start(i + 1)))
  return { instances: [first, ...rest], prefix }
}

async function api<T>(base: string, key: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`)
  return JSON.parse(text) as T
}

// ---------------------------------------------------------------------------------------------
// The bus alone: what one message costs the node that carries it.

/** Subscribers of every channel in the bus measurement: one per instance. */
const BUS_SUBSCRIBERS = INSTANCES
/**
 * Publishes in flight at once while measuring the bus: one, as Liveline sends them (one per post,
 * each its own write), so the bus pays its per-message cost instead of a batched one.
 */
const BUS_BATCH = 1

interface BusCost {
  messages: number
  messageBytes: number
  channels: number
  /** Per master (one Redis: its only node), µs of CPU per message, net of idle. */
  perMessageUs: number[]
  idlePercent: number[]
}

async function measureBus(bus: BusUnderTest, config: BenchConfig): Promise<BusCost> {
  log(`${bus.name}: ${config.busMessages} messages straight to the bus`)
  const prefix = `bench-bus:${randomBytes(4).toString('hex')}:`
  const local = 'local' in bus ? (bus.local as LocalRedisCluster) : null
  const nodes = await bus.nodePorts()
  // Channels spread evenly over the masters, as the stories were.
  const quota = Math.ceil(config.stories / nodes.length)
  const perNode = new Map<number, number>()
  const channels: string[] = []
  for (let i = 0; channels.length < config.stories; i++) {
    const channel = `${prefix}story:${i}`
    const node = local ? await local.masterOfSlot(await local.slotOf(channel)) : 0
    if ((perNode.get(node) ?? 0) >= quota) continue
    perNode.set(node, (perNode.get(node) ?? 0) + 1)
    channels.push(channel)
  }
  const seeds = bus.seeds.map((u) => ({ host: new URL(u).hostname, port: Number(new URL(u).port) }))
  const first = item(seeds, 0)
  const received = Array.from({ length: BUS_SUBSCRIBERS }, () => 0)
  const clients: Array<Redis | Cluster> = []
  for (let i = 0; i < BUS_SUBSCRIBERS; i++) {
    const count = () => {
      received[i] = (received[i] ?? 0) + 1
    }
    if (local) {
      const sub = new Cluster(seeds, { shardedSubscribers: true })
      sub.on('smessage', count)
      for (const channel of channels) await sub.ssubscribe(channel)
      clients.push(sub)
    } else {
      const sub = new Redis(first)
      sub.on('message', count)
      await sub.subscribe(...channels)
      clients.push(sub)
    }
  }
  const pub = local ? new Cluster(seeds) : new Redis(first)
  clients.push(pub)
  const message = JSON.stringify({ seq: 1, body: UPDATE_TEXT.repeat(4) })
  const publish = (channel: string) =>
    local ? (pub as Cluster).spublish(channel, message) : (pub as Redis).publish(channel, message)
  const sendAll = async (count: number) => {
    const before = received.map((r) => r)
    for (let i = 0; i < count; i += BUS_BATCH) {
      await Promise.all(
        Array.from({ length: Math.min(BUS_BATCH, count - i) }, (_, k) =>
          publish(item(channels, (i + k) % channels.length)),
        ),
      )
    }
    const deadline = Date.now() + 60_000
    while (received.some((r, i) => r - item(before, i) < count) && Date.now() < deadline) await sleep(20)
  }
  try {
    await sendAll(1000) // warm up
    const idleBefore = await Promise.all(nodes.map(redisCpuMs))
    const idleStart = performance.now()
    await sleep(config.idleSeconds * 1000)
    const idleAfter = await Promise.all(nodes.map(redisCpuMs))
    const idleRate = nodes.map(
      (_, i) => (item(idleAfter, i) - item(idleBefore, i)) / (performance.now() - idleStart),
    )
    const cpuBefore = await Promise.all(nodes.map(redisCpuMs))
    const start = performance.now()
    await sendAll(config.busMessages)
    const ms = performance.now() - start
    const cpuAfter = await Promise.all(nodes.map(redisCpuMs))
    return {
      messages: config.busMessages,
      messageBytes: Buffer.byteLength(message),
      channels: channels.length,
      perMessageUs: nodes.map(
        (_, i) =>
          ((item(cpuAfter, i) - item(cpuBefore, i) - item(idleRate, i) * ms) * 1000) / config.busMessages,
      ),
      idlePercent: idleRate.map((r) => r * 100),
    }
  } finally {
    for (const c of clients) c.disconnect()
  }
}

// ---------------------------------------------------------------------------------------------
// One run: one bus, three instances, the same load.

interface RunResult {
  bus: string
  readers: number
  stories: number
  published: number
  publishFailures: number
  report: ReaderReport
  /** Instance CPU per delivered frame, µs: each instance's CPU ÷ the frames its readers got. */
  instanceCpuPerFrameUs: number[]
  failover: {
    /** SIGKILL -> a replica serves the slot. */
    promotedAfterMs: number
    /** SIGKILL -> every reader of the story has the first post made after the kill. */
    readersLiveAfterMs: number | null
    postsDuringFailover: number
    lost: number
    duplicated: number
    outOfOrder: number
  } | null
}

async function run(
  bus: BusUnderTest,
  config: BenchConfig,
  database: BenchDatabase,
  logDir: string,
): Promise<RunResult> {
  const adminKey = `ll_${randomBytes(32).toString('base64url')}`
  log(`${bus.name}: starting ${INSTANCES} instances`)
  const { instances, prefix } = await startInstances(bus, database, adminKey, logDir)
  const admin = item(instances, 0).base
  const { key: editorKey } = await api<{ key: string }>(admin, adminKey, 'POST', '/v1/keys', {
    name: 'bench editor',
    role: 'editor',
  })

  // Stories spread evenly over the shards (on one Redis any stories do).
  const local = 'local' in bus ? (bus.local as LocalRedisCluster) : null
  const masters = local ? await local.masters() : [0]
  const perShard = new Map(masters.map((m) => [m, 0]))
  const stories: string[] = []
  const quota = Math.ceil(config.stories / masters.length)
  while (stories.length < config.stories) {
    const story = await api<{ id: string }>(admin, editorKey, 'POST', '/v1/stories', {
      title: `Bench story ${stories.length + 1} ${randomBytes(3).toString('hex')}`,
      status: 'live',
    })
    const shard = local ? await local.masterOfSlot(await local.slotOf(`${prefix}story:${story.id}`)) : 0
    if ((perShard.get(shard) ?? 0) >= quota) continue
    perShard.set(shard, (perShard.get(shard) ?? 0) + 1)
    stories.push(story.id)
  }

  const readers = new Readers()
  stoppers.add(async () => readers.kill())
  const plan = Array.from({ length: config.readers }, (_, i) => ({
    url: item(instances, i % INSTANCES).wsUrl,
    story: item(stories, Math.floor(i / INSTANCES) % stories.length),
  }))
  const connected = await readers.request({ cmd: 'connect', plan }, 'connected', 120_000)
  log(`${bus.name}: ${connected.readers} readers subscribed (${connected.failed} failed)`)

  const heads: Record<string, number> = Object.fromEntries(stories.map((s) => [s, 0]))
  const publishTimes: Record<string, Record<number, number>> = Object.fromEntries(stories.map((s) => [s, {}]))
  let failures = 0
  let turn = 0
  const post = async (story: string): Promise<void> => {
    const via = item(instances, turn++ % INSTANCES)
    const at = wallNow()
    try {
      const { seq } = await api<{ seq: number }>(
        via.base,
        editorKey,
        'POST',
        `/v1/stories/${story}/updates`,
        {
          blocks: [{ type: 'text', text: UPDATE_TEXT }],
        },
      )
      const times = publishTimes[story]
      if (times) times[seq] = at
      heads[story] = Math.max(heads[story] ?? 0, seq)
    } catch {
      failures++
    }
  }

  // Warm up (JIT, connections), then forget it.
  await Promise.all(stories.map((s) => post(s)))
  await readers.request({ cmd: 'drain', heads, maxWaitMs: 10_000 }, 'drained', 20_000)
  await readers.request({ cmd: 'report', publishTimes: {} }, 'report', 20_000)
  for (const s of stories) publishTimes[s] = {}
  failures = 0

  // Busy.
  log(`${bus.name}: ${config.rate} posts/s for ${config.seconds} s`)
  const count = Math.round(config.rate * config.seconds)
  const cpuBefore = instances.map((x) => processCpuMs(x.server.pid))
  const busyStart = performance.now()
  const calls: Array<Promise<void>> = []
  for (let i = 0; i < count; i++) {
    const wait = busyStart + (i * 1000) / config.rate - performance.now()
    if (wait > 1) await sleep(wait)
    calls.push(post(item(stories, i % stories.length)))
  }
  await Promise.all(calls)
  await readers.request({ cmd: 'drain', heads, maxWaitMs: 30_000 }, 'drained', 40_000)
  const cpuAfter = instances.map((x) => processCpuMs(x.server.pid))
  const { result: report } = await readers.request({ cmd: 'report', publishTimes }, 'report', 60_000)
  const published = count - failures

  const result: RunResult = {
    bus: bus.name,
    readers: connected.readers,
    stories: stories.length,
    published,
    publishFailures: failures,
    report,
    instanceCpuPerFrameUs: instances.map(
      (x, i) =>
        ((item(cpuAfter, i) - item(cpuBefore, i)) * 1000) / Math.max(1, report.deliveredByUrl[x.wsUrl] ?? 0),
    ),
    failover: null,
  }

  if (local) {
    const victim = item(stories, 0)
    for (const s of stories) publishTimes[s] = {}
    const slot = await local.slotOf(`${prefix}story:${victim}`)
    const master = await local.masterOfSlot(slot)
    log(`${bus.name}: killing master ${master} (slot ${slot}) mid-stream`)
    let posting = true
    let postsDuring = 0
    const poster = (async () => {
      while (posting) {
        void post(victim)
        postsDuring++
        await sleep(FAILOVER_POST_INTERVAL_MS)
      }
    })()
    await sleep(500)
    const killedAt = wallNow()
    await local.killMaster(master)
    // The first post sent after the kill (one sent before may still have reached the old master).
    let firstSeqAfterKill: number | null = null
    while (firstSeqAfterKill === null) {
      const after = Object.entries(publishTimes[victim] ?? {}).filter(([, at]) => at > killedAt)
      if (after.length > 0) firstSeqAfterKill = Math.min(...after.map(([seq]) => Number(seq)))
      else await sleep(10)
    }
    const firstAfter = readers.request(
      { cmd: 'first-after', story: victim, after: firstSeqAfterKill - 1, maxWaitMs: 60_000 },
      'first-after',
      70_000,
    )
    // Promoted: another master owns the slot (the cluster's health settles a little later).
    while ((await local.masterOfSlot(slot).catch(() => master)) === master) await sleep(20)
    const promotedAfterMs = wallNow() - killedAt
    await local.waitForPromotion(master, slot)
    const live = await firstAfter
    await sleep(2000)
    posting = false
    await poster
    await sleep(500)
    await readers.request({ cmd: 'drain', heads, maxWaitMs: 30_000 }, 'drained', 40_000)
    const { result: after } = await readers.request({ cmd: 'report', publishTimes }, 'report', 60_000)
    result.failover = {
      promotedAfterMs,
      readersLiveAfterMs: live.at === null ? null : live.at - killedAt,
      postsDuringFailover: postsDuring,
      lost: after.lost,
      duplicated: after.duplicated,
      outOfOrder: after.outOfOrder,
    }
  }

  readers.kill()
  await Promise.all(instances.map((x) => x.server.stop()))
  return result
}

/** `xs[i]`, which the caller knows exists. */
function item<T>(xs: readonly T[], i: number): T {
  const x = xs[i]
  if (x === undefined) throw new Error(`no item ${i} of ${xs.length}`)
  return x
}

// ---------------------------------------------------------------------------------------------

const stoppers = new Set<() => Promise<void>>()
let database: BenchDatabase | null = null
const started = Date.now()
function log(message: string): void {
  const s = ((Date.now() - started) / 1000).toFixed(1).padStart(6)
  process.stderr.write(`[bench:cluster ${s}s] ${message}\n`)
}

async function cleanup(): Promise<void> {
  for (const stop of [...stoppers].reverse()) await stop().catch(() => {})
  stoppers.clear()
  await database?.drop().catch(() => {})
}

function table(
  config: BenchConfig,
  one: RunResult,
  cluster: RunResult,
  oneBus: BusCost,
  clusterBus: BusCost,
): string {
  const fmt = (n: number | null | undefined, digits = 2) =>
    n === null || n === undefined || !Number.isFinite(n)
      ? '-'
      : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length)
  const ratio = (a: number | null | undefined, b: number | null | undefined) =>
    a && b ? `${(b / a).toFixed(2)}x` : '-'
  const rows: Array<[string, string, string, string, string]> = []
  const row = (
    label: string,
    a: number | null | undefined,
    b: number | null | undefined,
    target = '',
    digits = 2,
  ) => rows.push([label, fmt(a, digits), fmt(b, digits), ratio(a, b), target])
  const oneCpu = mean(one.instanceCpuPerFrameUs)
  const clusterCpu = mean(cluster.instanceCpuPerFrameUs)
  row('instance CPU per frame (µs), mean', oneCpu, clusterCpu, '<= 1.1x')
  row(
    'instance CPU per frame (µs), worst',
    Math.max(...one.instanceCpuPerFrameUs),
    Math.max(...cluster.instanceCpuPerFrameUs),
  )
  row('latency p50 (ms)', one.report.latencyMs?.p50, cluster.report.latencyMs?.p50, '', 1)
  row('latency p99 (ms)', one.report.latencyMs?.p99, cluster.report.latencyMs?.p99, '<= 1.2x', 1)
  row('latency max (ms)', one.report.latencyMs?.max, cluster.report.latencyMs?.max, '', 1)
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
  row(
    'bus CPU per message (µs), busiest node',
    Math.max(...oneBus.perMessageUs),
    Math.max(...clusterBus.perMessageUs),
    '< 1x',
  )
  row('bus CPU per message (µs), all masters', sum(oneBus.perMessageUs), sum(clusterBus.perMessageUs))
  row('bus idle CPU (% of a core), all masters', sum(oneBus.idlePercent), sum(clusterBus.idlePercent))
  row('updates published', one.published, cluster.published, '', 0)
  row('frames delivered', one.report.delivered, cluster.report.delivered, '', 0)
  row('frames lost', one.report.lost, cluster.report.lost, '= 0', 0)
  row('frames duplicated', one.report.duplicated, cluster.report.duplicated, '= 0', 0)
  const widths = [40, 12, 14, 8, 8]
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(item(widths, i)) : c.padStart(item(widths, i)))).join(' ')
  const out = [
    'Liveline on one Redis vs a Redis Cluster',
    `machine   ${os.cpus()[0]?.model ?? 'unknown'}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GB RAM`,
    `date      ${new Date().toISOString()}`,
    `load      ${INSTANCES} instances, ${one.readers} readers over ${one.stories} stories, ${config.rate} posts/s for ${config.seconds} s`,
    `cluster   3 masters + 3 replicas on loopback`,
    `bus cost  ${oneBus.messages} messages of ${oneBus.messageBytes} bytes over ${oneBus.channels} channels, ${BUS_SUBSCRIBERS} subscribers each (as ${INSTANCES} instances)`,
    `          straight to the bus; CPU from INFO cpu, net of each node's idle CPU`,
    '',
    line(['', 'one Redis', 'Redis Cluster', 'ratio', 'target']),
    ...rows.map(line),
  ]
  const f = cluster.failover
  if (f) {
    out.push(
      '',
      `Failover: master of one story's shard SIGKILLed, a post to it every ${FAILOVER_POST_INTERVAL_MS} ms (cluster-node-timeout 1000 ms)`,
      `  replica serving the slot after       ${fmt(f.promotedAfterMs / 1000, 2)} s`,
      `  every reader live again after        ${f.readersLiveAfterMs === null ? 'never' : `${fmt(f.readersLiveAfterMs / 1000, 2)} s`} (first post made after the kill)`,
      `  posts during the failover            ${f.postsDuringFailover}`,
      `  frames lost / duplicated / reordered ${f.lost} / ${f.duplicated} / ${f.outOfOrder}`,
    )
  }
  return out.join('\n')
}

async function main(): Promise<void> {
  const config = readConfig(process.argv.slice(2))
  const logDir = resolve(ARTIFACTS, 'bench-cluster-logs')
  mkdirSync(logDir, { recursive: true })
  database = await createBenchDatabase(PG_ADMIN_URL, `liveline_bench_${process.pid}`)
  const one = await startOneRedis()
  const oneResult = await run(one, config, database, logDir)
  const oneBus = await measureBus(one, config)
  await one.stop()
  // A fresh database: the second run must not pay for the first one's rows.
  await database.drop()
  database = await createBenchDatabase(PG_ADMIN_URL, `liveline_bench_${process.pid}`)
  log('starting a local Redis Cluster')
  const cluster = await startCluster()
  const clusterResult = await run(cluster, config, database, logDir)
  const clusterBus = await measureBus(cluster, config)
  await cluster.stop()
  const text = table(config, oneResult, clusterResult, oneBus, clusterBus)
  process.stdout.write(`${text}\n`)
  writeFileSync(
    resolve(ARTIFACTS, 'bench-cluster-results.json'),
    `${JSON.stringify({ config, oneRedis: { ...oneResult, bus: oneBus }, cluster: { ...clusterResult, bus: clusterBus } }, null, 2)}\n`,
  )
}

if (process.argv.includes('--reader-child')) {
  void readerChild()
} else {
  process.on('SIGINT', () => void cleanup().then(() => process.exit(130)))
  process.on('SIGTERM', () => void cleanup().then(() => process.exit(143)))
  main()
    .catch((err: unknown) => {
      log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
      process.exitCode = 1
    })
    .finally(() => cleanup())
}
