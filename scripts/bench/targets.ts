/**
 * The two servers under test, behind one interface: start, publish one update, stop.
 * Liveline publishes through its HTTP API (Postgres commit, then Redis); the bare baseline
 * publishes straight to Redis. Either way `at` is the wall time right before the publish starts.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Redis } from 'ioredis'
import pg from 'pg'
import { freePort, ServerProcess, waitForHttp } from './proc.js'

export type TargetName = 'bare' | 'liveline'

export interface Published {
  seq: number
  /** Wall time (ms since the epoch, sub-ms) taken right before the publish was sent. */
  at: number
}

export interface Target {
  readonly name: TargetName
  readonly server: ServerProcess
  readonly wsUrl: string
  readonly storyId: string
  /** The story's head: the last seq published. */
  head: number
  publish(): Promise<Published>
  /** Postgres backends serving this server (their CPU counts as the server's database cost). */
  dbPids(): Promise<number[]>
  /** Anything the server itself can tell after the run (Liveline: its Prometheus counters). */
  serverCounters(): Promise<Record<string, number>>
  stop(): Promise<void>
}

export const wallNow = (): number => performance.timeOrigin + performance.now()

/** The text of every update: a typical live-blog paragraph (no characters HTML would escape). */
export const UPDATE_TEXT =
  'The minister has just left the building and is expected to speak to reporters within the hour. ' +
  'Our correspondent at the scene says the crowd outside has grown to several hundred people, most ' +
  'of them waiting quietly behind the barriers set up by the police this morning.'

export interface TargetOptions {
  root: string
  logDir: string
  redisUrl: string
  /** Prefix shared by this run's Redis channels. */
  runId: string
  /** Extra node flags for the server (e.g. --cpu-prof). */
  nodeFlags: string[]
  /** Bare server only: make each event frame this many bytes (Liveline's), so both send equal frames. */
  frameBytes?: number
}

function nodeArgs(root: string, flags: string[], script: string): string[] {
  const watch = pathToFileURL(resolve(root, 'scripts/bench/parent-watch.ts')).href
  return ['--import', 'tsx', '--import', watch, ...flags, script]
}

function fakeId(): string {
  return `01bench${randomBytes(10).toString('hex').slice(0, 19)}`
}

/** The bare server: scripts/bench/bare-server.ts, fed by PUBLISH to its channel. */
export async function startBare(options: TargetOptions): Promise<Target> {
  const port = await freePort()
  const channel = `${options.runId}:bare:story`
  const server = new ServerProcess(
    'bare',
    nodeArgs(options.root, options.nodeFlags, 'scripts/bench/bare-server.ts'),
    {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      REDIS_URL: options.redisUrl,
      BARE_CHANNEL: channel,
    },
    options.root,
    resolve(options.logDir, 'bare.log'),
  )
  await server.waitForLine((line) => line.startsWith('{"ready":true'), 30_000)
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, server, 10_000)
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1 })
  redis.on('error', () => {})
  const storyId = fakeId()
  const authorId = fakeId()
  let nextSeq = 0
  // The same Event shape (and so about the same frame size) as Liveline's update.created, padded
  // to Liveline's event size when asked: a comparison at equal bytes on the wire (UTF-8 bytes).
  let text = UPDATE_TEXT
  let pad = ''
  const eventJson = (seq: number): string => {
    const json = eventShape(seq, text)
    return pad ? `${json.slice(0, -1)},"pad":"${pad}"}` : json
  }
  const eventShape = (seq: number, body: string): string => {
    const now = new Date().toISOString()
    return JSON.stringify({
      story: storyId,
      seq,
      type: 'update.created',
      at: now,
      lastUpdateAt: now,
      update: {
        id: fakeId(),
        storyId,
        headline: null,
        blocks: [{ type: 'text', text: body }],
        html: `<p>${body}</p>`,
        keyEvent: false,
        author: { id: authorId, name: 'bench editor' },
        createdAt: now,
        publishedAt: now,
        editedAt: null,
        seq,
      },
    })
  }
  if (options.frameBytes) {
    // bare-server.ts sends each message inside `{"type":"event","event":…}`, as Liveline does.
    const eventBytes = options.frameBytes - '{"type":"event","event":}'.length
    // Larger than Liveline's: a shorter text (it appears twice, in the block and the html).
    while (text.length > 0 && Buffer.byteLength(eventJson(1)) > eventBytes) text = text.slice(0, -1)
    const missing = eventBytes - Buffer.byteLength(eventJson(1)) - ',"pad":""'.length
    if (missing > 0) pad = 'x'.repeat(missing)
  }
  const target: Target = {
    name: 'bare',
    server,
    wsUrl: `ws://127.0.0.1:${port}/v1/live`,
    storyId,
    head: 0,
    async publish() {
      const seq = ++nextSeq
      const message = eventJson(seq)
      const at = wallNow()
      const receivers = await redis.publish(channel, message)
      if (receivers < 1) throw new Error(`PUBLISH ${channel} reached no subscriber`)
      return { seq, at }
    },
    async dbPids() {
      return []
    },
    async serverCounters() {
      return {}
    },
    async stop() {
      redis.disconnect()
      await server.stop()
    },
  }
  return target
}

export interface BenchDatabase {
  url: string
  name: string
  /** Pids of the Postgres backends connected to this database. */
  backendPids(): Promise<number[]>
  drop(): Promise<void>
}

/** A fresh database on the local Postgres for one run; `drop` removes it (forcing out sessions). */
export async function createBenchDatabase(adminUrl: string, name: string): Promise<BenchDatabase> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`bad database name ${name}`)
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    // Databases left by benches that were SIGKILLed (their pid is gone) are dropped too.
    const { rows } = await admin.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname ~ '^liveline_bench_[0-9]+$'",
    )
    for (const { datname } of rows) {
      if (datname !== name && !processAlive(Number(datname.slice('liveline_bench_'.length)))) {
        await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`)
      }
    }
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await admin.query(`CREATE DATABASE ${name}`)
  } finally {
    await admin.end()
  }
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  let dropped = false
  const watcher = new pg.Client({ connectionString: adminUrl })
  watcher.on('error', () => {})
  await watcher.connect()
  return {
    url: url.toString(),
    name,
    async backendPids() {
      const { rows } = await watcher.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE datname = $1',
        [name],
      )
      return rows.map((r) => r.pid)
    },
    async drop() {
      if (dropped) return
      dropped = true
      await watcher.end().catch(() => {})
      const client = new pg.Client({ connectionString: adminUrl })
      await client.connect()
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      } finally {
        await client.end()
      }
    },
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
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

/** Liveline itself: `node --import tsx src/main.ts` on a fresh database, Redis bus, warn-level logs. */
export async function startLiveline(options: TargetOptions & { database: BenchDatabase }): Promise<Target> {
  const port = await freePort()
  const adminKey = `ll_${randomBytes(32).toString('base64url')}`
  for (const flag of options.nodeFlags) {
    const dir = /^--cpu-prof-dir=(.+)$/.exec(flag)?.[1]
    if (dir) mkdirSync(dir, { recursive: true })
  }
  const server = new ServerProcess(
    'liveline',
    nodeArgs(options.root, options.nodeFlags, 'src/main.ts'),
    {
      ...process.env,
      DATABASE_URL: options.database.url,
      REDIS_URL: options.redisUrl,
      LIVELINE_BUS_PREFIX: `${options.runId}:liveline:`,
      LIVELINE_ADMIN_KEY: adminKey,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    },
    options.root,
    resolve(options.logDir, 'liveline.log'),
  )
  const base = `http://127.0.0.1:${port}`
  await waitForHttp(`${base}/healthz`, server, 60_000)
  await waitForHttp(`${base}/readyz`, server, 20_000)
  const { key: editorKey } = await api<{ key: string }>(base, adminKey, 'POST', '/v1/keys', {
    name: 'bench editor',
    role: 'editor',
  })
  const story = await api<{ id: string; slug: string; seq: number }>(base, adminKey, 'POST', '/v1/stories', {
    title: `Bench story ${options.runId}`,
    status: 'live',
  })
  const body = JSON.stringify({ blocks: [{ type: 'text', text: UPDATE_TEXT }] })
  const headers = { authorization: `Bearer ${editorKey}`, 'content-type': 'application/json' }
  const updatesUrl = `${base}/v1/stories/${story.id}/updates`
  return {
    name: 'liveline',
    server,
    wsUrl: `ws://127.0.0.1:${port}/v1/live`,
    storyId: story.id,
    head: story.seq,
    async publish() {
      const at = wallNow()
      const res = await fetch(updatesUrl, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(15_000),
      })
      const text = await res.text()
      if (res.status !== 201) throw new Error(`POST updates: ${res.status} ${text}`)
      return { seq: (JSON.parse(text) as { seq: number }).seq, at }
    },
    dbPids: () => options.database.backendPids(),
    async serverCounters() {
      const res = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5000) })
      const counters: Record<string, number> = {}
      for (const line of (await res.text()).split('\n')) {
        const match = /^(liveline_[a-z_]+)\s+([0-9.e+-]+)$/.exec(line)
        if (match?.[1] && match[2]) counters[match[1]] = Number(match[2])
      }
      return counters
    },
    async stop() {
      await server.stop()
    },
  }
}
