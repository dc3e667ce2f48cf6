/**
 * A load generator for benches whose story carries more than updates (scripts/bench-comments.ts):
 * N websocket readers follow one story; every reader checks that its seqs come one by one (no gap,
 * no repeat) whatever the event type, and for each `update.created` the receive time is kept per
 * reader, so the bench can tell how long an update took to reach the last reader. Forked, IPC only.
 */
import { WebSocket } from 'ws'

export type ToStoryLoadgen =
  | { cmd: 'connect'; url: string; story: string; count: number; concurrency: number; timeoutMs: number }
  /** Starts a phase: counts from here on, and update receive times are kept for seqs above `head`. */
  | { cmd: 'phase'; head: number }
  /**
   * The phase's posting is over: wait until every open reader has seq `head` (or `idleMs` pass
   * without a frame, or `maxWaitMs` in all), then report. `updates`: seq -> wall time it was posted.
   */
  | { cmd: 'finish'; head: number; updates: Array<[number, number]>; idleMs: number; maxWaitMs: number }
  | { cmd: 'close' }

export type FromStoryLoadgen =
  | { type: 'ready'; clockOffsetMs: number }
  | { type: 'connected'; subscribed: number; failed: number; failures: Record<string, number>; ms: number }
  | { type: 'phase-started' }
  | { type: 'phase-result'; result: StoryPhaseResult }
  | { type: 'fatal'; message: string }

export interface StoryPhaseResult {
  /** Readers open when the phase started, and of them still open at its end. */
  readers: number
  openAtEnd: number
  /** Readers the server closed during the phase, by close code (1013: too slow to read). */
  closed: Record<string, number>
  /** Event frames received (all types). */
  frames: number
  /** Seqs a reader skipped: a gap in what it was sent (the server fills gaps, so this is loss). */
  lost: number
  /** Seqs open readers had not received yet when the wait ended (a backlog, not a gap). */
  behind: number
  /** Frames with a seq at or below one the reader already had. */
  duplicated: number
  /** Per update: post-to-receive of its first and last reader, and how many readers got it. */
  perUpdate: Array<{ seq: number; firstMs: number | null; lastMs: number | null; received: number }>
  /** Post-to-receive over every (reader, update) delivery, ms. */
  deliveryMs: { p50: number; p99: number; max: number } | null
  /** The load generator's CPU in the phase (user + system), ms, and the phase's wall time. */
  cpuMs: number
  wallMs: number
}

const PENDING = 0
const OPEN = 1
const FAILED = 2
const CLOSED = 3

let clients: WebSocket[] = []
let state = new Uint8Array(0)
let last = new Float64Array(0)
let onSettled: ((reason: string | null) => void) | null = null

let recording = false
let phaseHead = 0
let openAtStart = new Uint8Array(0)
let frames = 0
let gaps = 0
let duplicated = 0
let lastFrameAt = 0
let closed: Record<string, number> = {}
/** update seq -> receive time per reader (performance.now(), 0 = not received). */
let updateTimes = new Map<number, Float64Array>()
let phaseCpu = process.cpuUsage()
let phaseWall = 0

const send = (message: FromStoryLoadgen) => process.send?.(message)

interface Frame {
  type: string
  seq?: number
  code?: string
  event?: { seq: number; type: string }
}

function onFrame(i: number, data: Buffer): void {
  const frame = JSON.parse(data.toString()) as Frame
  if (frame.type === 'event' && frame.event) {
    const { seq, type } = frame.event
    const prev = last[i] as number
    if (seq > prev) last[i] = seq
    if (!recording) return
    frames++
    lastFrameAt = performance.now()
    if (seq <= prev) duplicated++
    else if (seq > prev + 1) gaps += seq - prev - 1
    if (type === 'update.created' && seq > phaseHead) {
      let times = updateTimes.get(seq)
      if (!times) {
        times = new Float64Array(clients.length)
        updateTimes.set(seq, times)
      }
      times[i] = lastFrameAt
    }
    return
  }
  if (frame.type === 'subscribed' && state[i] === PENDING) {
    last[i] = frame.seq ?? 0
    state[i] = OPEN
    onSettled?.(null)
  } else if (frame.type === 'error' && state[i] === PENDING) {
    state[i] = FAILED
    onSettled?.(`error frame ${frame.code ?? '?'}`)
    clients[i]?.terminate()
  }
}

function openClient(i: number, url: string, subscribe: string): void {
  const ws = new WebSocket(url, {
    perMessageDeflate: false,
    skipUTF8Validation: true,
    handshakeTimeout: 15_000,
  })
  clients[i] = ws
  ws.on('open', () => ws.send(subscribe))
  ws.on('message', (data) => onFrame(i, data as Buffer))
  ws.on('error', (err) => {
    if (state[i] !== PENDING) return
    state[i] = FAILED
    onSettled?.((err as NodeJS.ErrnoException).code ?? err.message)
  })
  ws.on('close', (code) => {
    if (state[i] === PENDING) {
      state[i] = FAILED
      onSettled?.(`closed ${code} before subscribed`)
      return
    }
    if (state[i] !== OPEN) return
    state[i] = CLOSED
    if (recording) closed[`close ${code}`] = (closed[`close ${code}`] ?? 0) + 1
  })
}

function connect(cmd: Extract<ToStoryLoadgen, { cmd: 'connect' }>) {
  const n = cmd.count
  clients = new Array<WebSocket>(n)
  state = new Uint8Array(n)
  last = new Float64Array(n)
  const subscribe = JSON.stringify({ type: 'subscribe', story: cmd.story })
  const failures: Record<string, number> = {}
  const started = performance.now()
  let next = 0
  let inFlight = 0
  let settled = 0
  let subscribed = 0
  return new Promise<Extract<FromStoryLoadgen, { type: 'connected' }>>((resolve) => {
    const finish = () => {
      clearTimeout(timer)
      onSettled = null
      for (let i = 0; i < n; i++) {
        if (state[i] !== PENDING) continue
        state[i] = FAILED
        failures.timeout = (failures.timeout ?? 0) + 1
        clients[i]?.terminate()
      }
      resolve({
        type: 'connected',
        subscribed,
        failed: n - subscribed,
        failures,
        ms: Math.round(performance.now() - started),
      })
    }
    const timer = setTimeout(finish, cmd.timeoutMs)
    const launch = () => {
      while (inFlight < cmd.concurrency && next < n) {
        inFlight++
        openClient(next++, cmd.url, subscribe)
      }
    }
    onSettled = (reason) => {
      inFlight--
      settled++
      if (reason === null) subscribed++
      else failures[reason] = (failures[reason] ?? 0) + 1
      if (settled === n) finish()
      else launch()
    }
    if (n === 0) finish()
    else launch()
  })
}

function startPhase(head: number): void {
  phaseHead = head
  openAtStart = new Uint8Array(clients.length)
  for (let i = 0; i < clients.length; i++) openAtStart[i] = state[i] === OPEN ? 1 : 0
  frames = 0
  gaps = 0
  duplicated = 0
  lastFrameAt = 0
  closed = {}
  updateTimes = new Map()
  phaseCpu = process.cpuUsage()
  phaseWall = performance.now()
  recording = true
}

const percentile = (sorted: Float64Array, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number

async function finish(cmd: Extract<ToStoryLoadgen, { cmd: 'finish' }>): Promise<StoryPhaseResult> {
  const asked = performance.now()
  await new Promise<void>((resolve) => {
    const check = () => {
      const now = performance.now()
      let behind = false
      for (let i = 0; i < clients.length && !behind; i++) {
        if (state[i] === OPEN && openAtStart[i] && (last[i] as number) < cmd.head) behind = true
      }
      const quietSince = Math.max(lastFrameAt, asked)
      if (!behind || now - quietSince > cmd.idleMs || now - asked > cmd.maxWaitMs) resolve()
      else setTimeout(check, 20)
    }
    check()
  })
  recording = false
  const used = process.cpuUsage(phaseCpu)
  let readers = 0
  let openAtEnd = 0
  let missing = 0
  for (let i = 0; i < clients.length; i++) {
    if (!openAtStart[i]) continue
    readers++
    if (state[i] !== OPEN) continue
    openAtEnd++
    missing += Math.max(0, cmd.head - (last[i] as number))
  }
  const origin = performance.timeOrigin
  const all: number[] = []
  const perUpdate: StoryPhaseResult['perUpdate'] = []
  for (const [seq, postedAt] of cmd.updates) {
    const times = updateTimes.get(seq)
    let first = Number.POSITIVE_INFINITY
    let lastOne = 0
    let received = 0
    for (let i = 0; times && i < times.length; i++) {
      const t = times[i] as number
      if (t === 0) continue
      received++
      if (t < first) first = t
      if (t > lastOne) lastOne = t
      all.push(origin + t - postedAt)
    }
    perUpdate.push({
      seq,
      firstMs: received ? origin + first - postedAt : null,
      lastMs: received ? origin + lastOne - postedAt : null,
      received,
    })
  }
  const sorted = Float64Array.from(all).sort()
  return {
    readers,
    openAtEnd,
    closed,
    frames,
    lost: gaps,
    behind: missing,
    duplicated,
    perUpdate,
    deliveryMs: sorted.length
      ? {
          p50: percentile(sorted, 0.5),
          p99: percentile(sorted, 0.99),
          max: sorted[sorted.length - 1] as number,
        }
      : null,
    cpuMs: (used.user + used.system) / 1000,
    wallMs: performance.now() - phaseWall,
  }
}

let queue: Promise<void> = Promise.resolve()

async function handle(cmd: ToStoryLoadgen): Promise<void> {
  switch (cmd.cmd) {
    case 'connect':
      send(await connect(cmd))
      return
    case 'phase':
      startPhase(cmd.head)
      send({ type: 'phase-started' })
      return
    case 'finish':
      send({ type: 'phase-result', result: await finish(cmd) })
      return
    case 'close':
      for (const ws of clients) ws?.terminate()
      setTimeout(() => process.exit(0), 50)
      return
  }
}

process.on('message', (cmd: ToStoryLoadgen) => {
  queue = queue
    .then(() => handle(cmd))
    .catch((err: unknown) => {
      send({ type: 'fatal', message: err instanceof Error ? err.message : String(err) })
    })
})
process.on('disconnect', () => process.exit(0))
send({ type: 'ready', clockOffsetMs: performance.timeOrigin + performance.now() - Date.now() })
