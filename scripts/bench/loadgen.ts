/**
 * The bench's load generator, forked by scripts/bench-fanout.ts (IPC only; see protocol.ts).
 * Opens N websocket readers, subscribes each to one story and records, for every event frame,
 * the receive time in a (seq × reader) matrix: lost, duplicated and latency all come from it.
 * The per-frame path is one JSON.parse and a few typed-array writes.
 */
import { WebSocket } from 'ws'
import type { ConnectResult, FromLoadgen, LatencySummary, PhaseResult, ToLoadgen } from './protocol.js'

const PENDING = 0
const SUBSCRIBED = 1
const FAILED = 2
const CLOSED = 3

interface Frame {
  type: string
  seq?: number
  code?: string
  event?: { seq: number }
}

let clients: WebSocket[] = []
let state = new Uint8Array(0)
/** Highest seq each reader has received (from `subscribed`, then events). */
let last = new Float64Array(0)
/** Readers this process closed on purpose (trim/close): their close is not a failure. */
let intentional = new Uint8Array(0)
let onSettled: ((i: number, reason: string | null) => void) | null = null

// Recording (between `phase` and the end of `finish`).
let recording = false
let recBase = 0
let recCount = 0
let recN = 0
let recv = new Float64Array(0)
let activeAtStart = new Uint8Array(0)
let delivered = 0
let duplicated = 0
let outOfOrder = 0
let unexpected = 0
let bytes = 0
let frameBytes = 0
let firstReceive = 0
let lastReceive = 0
let phaseCpu = process.cpuUsage()
let phaseWall = 0
let closedDuringPhase: Record<string, number> = {}
/** Readers closed by the server (or an error) at any time after subscribing, by close code. */
const unexpectedCloses: Record<string, number> = {}

function send(message: FromLoadgen): void {
  process.send?.(message)
}

function onFrame(i: number, data: Buffer): void {
  const frame = JSON.parse(data.toString()) as Frame
  if (frame.type === 'event') {
    const seq = (frame.event as { seq: number }).seq
    const prev = last[i] as number
    if (seq > prev) last[i] = seq
    if (!recording) return
    const t = performance.now()
    bytes += data.length
    if (frameBytes === 0) frameBytes = data.length
    if (firstReceive === 0) firstReceive = t
    lastReceive = t
    const k = seq - recBase - 1
    if (k >= 0 && k < recCount && i < recN) {
      const idx = k * recN + i
      if (recv[idx] !== 0) duplicated++
      else {
        recv[idx] = t
        delivered++
        if (seq < prev) outOfOrder++
      }
    } else if (seq <= prev) duplicated++
    else unexpected++
    return
  }
  if (frame.type === 'subscribed') {
    last[i] = frame.seq ?? 0
    if (state[i] === PENDING) {
      state[i] = SUBSCRIBED
      onSettled?.(i, null)
    }
    return
  }
  if (frame.type === 'error' && state[i] === PENDING) {
    state[i] = FAILED
    onSettled?.(i, `error frame ${frame.code ?? '?'}`)
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
    onSettled?.(i, (err as NodeJS.ErrnoException).code ?? err.message)
  })
  ws.on('close', (code) => {
    if (state[i] === PENDING) {
      state[i] = FAILED
      onSettled?.(i, `closed ${code} before subscribed`)
      return
    }
    if (state[i] !== SUBSCRIBED) return
    state[i] = CLOSED
    if (intentional[i]) return
    const key = `close ${code}`
    unexpectedCloses[key] = (unexpectedCloses[key] ?? 0) + 1
    if (recording) closedDuringPhase[key] = (closedDuringPhase[key] ?? 0) + 1
  })
}

function connect(cmd: Extract<ToLoadgen, { cmd: 'connect' }>): Promise<ConnectResult> {
  const n = cmd.count
  clients = new Array<WebSocket>(n)
  state = new Uint8Array(n)
  last = new Float64Array(n)
  intentional = new Uint8Array(n)
  const subscribe = JSON.stringify({ type: 'subscribe', story: cmd.story })
  const failures: Record<string, number> = {}
  const started = performance.now()
  const cpu = process.cpuUsage()
  let next = 0
  let inFlight = 0
  let settled = 0
  let subscribed = 0
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(timer)
      onSettled = null
      for (let i = 0; i < n; i++) {
        if (state[i] !== PENDING) continue
        state[i] = FAILED
        failures.timeout = (failures.timeout ?? 0) + 1
        clients[i]?.terminate()
      }
      const used = process.cpuUsage(cpu)
      resolve({
        subscribed,
        failed: n - subscribed,
        failures,
        ms: Math.round(performance.now() - started),
        cpuMs: (used.user + used.system) / 1000,
      })
    }
    const timer = setTimeout(finish, cmd.timeoutMs)
    const launch = () => {
      while (inFlight < cmd.concurrency && next < n) {
        inFlight++
        openClient(next++, cmd.url, subscribe)
      }
    }
    onSettled = (_i, reason) => {
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

async function trim(keep: number): Promise<number> {
  const closing: Promise<void>[] = []
  for (let i = keep; i < clients.length; i++) {
    const ws = clients[i]
    if (!ws) continue
    intentional[i] = 1
    if (ws.readyState === WebSocket.CLOSED) continue
    closing.push(new Promise((resolve) => ws.once('close', () => resolve())))
    ws.close(1000, 'bench trim')
  }
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, 5000))
  await Promise.race([Promise.all(closing), timeout])
  for (let i = keep; i < clients.length; i++) clients[i]?.terminate()
  clients.length = Math.min(keep, clients.length)
  let open = 0
  for (let i = 0; i < clients.length; i++) if (state[i] === SUBSCRIBED) open++
  return open
}

function startPhase(base: number, count: number): void {
  recBase = base
  recCount = count
  recN = clients.length
  recv = new Float64Array(count * recN)
  activeAtStart = new Uint8Array(recN)
  for (let i = 0; i < recN; i++) activeAtStart[i] = state[i] === SUBSCRIBED ? 1 : 0
  delivered = 0
  duplicated = 0
  outOfOrder = 0
  unexpected = 0
  bytes = 0
  frameBytes = 0
  firstReceive = 0
  lastReceive = 0
  closedDuringPhase = {}
  phaseCpu = process.cpuUsage()
  phaseWall = performance.now()
  recording = true
}

function summarize(sorted: Float64Array): LatencySummary | null {
  const n = sorted.length
  if (n === 0) return null
  const at = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))] as number
  let sum = 0
  for (let i = 0; i < n; i++) sum += sorted[i] as number
  return {
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    p999: at(0.999),
    max: sorted[n - 1] as number,
    mean: sum / n,
  }
}

async function finish(cmd: Extract<ToLoadgen, { cmd: 'finish' }>): Promise<PhaseResult> {
  const times = cmd.publishTimes
  let readers = 0
  for (let i = 0; i < recN; i++) readers += activeAtStart[i] as number
  let known = 0
  for (const t of times) if (t !== null) known++
  const target = known * readers
  const asked = performance.now()
  await new Promise<void>((resolve) => {
    const check = () => {
      const now = performance.now()
      const quietSince = Math.max(lastReceive, asked)
      if (delivered >= target || now - quietSince > cmd.idleMs || now - asked > cmd.maxWaitMs) resolve()
      else setTimeout(check, 10)
    }
    check()
  })
  recording = false
  const used = process.cpuUsage(phaseCpu)
  const wallMs = performance.now() - phaseWall

  const origin = performance.timeOrigin
  const latencies = new Float64Array(delivered)
  let m = 0
  let lost = 0
  const perUpdate: PhaseResult['perUpdate'] = []
  for (let k = 0; k < recCount; k++) {
    const published = times[k]
    if (published === null || published === undefined) continue
    const row = k * recN
    let first = Number.POSITIVE_INFINITY
    let lastOne = 0
    let received = 0
    for (let i = 0; i < recN; i++) {
      if (!activeAtStart[i]) continue
      const r = recv[row + i] as number
      if (r === 0) {
        lost++
        continue
      }
      received++
      if (r < first) first = r
      if (r > lastOne) lastOne = r
      latencies[m++] = origin + r - published
    }
    perUpdate.push({
      seq: recBase + k + 1,
      firstMs: received ? round(origin + first - published) : null,
      lastMs: received ? round(origin + lastOne - published) : null,
      received,
    })
  }
  const sorted = latencies.subarray(0, m).sort()
  recv = new Float64Array(0)
  return {
    readers,
    expected: target,
    delivered,
    lost,
    duplicated,
    outOfOrder,
    unexpected,
    latencyMs: summarize(sorted),
    firstReceiveAt: firstReceive ? origin + firstReceive : null,
    lastReceiveAt: lastReceive ? origin + lastReceive : null,
    bytes,
    frameBytes,
    cpuMs: (used.user + used.system) / 1000,
    wallMs,
    complete: delivered >= target,
    closedDuringPhase,
    perUpdate,
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10

let queue: Promise<void> = Promise.resolve()

async function handle(cmd: ToLoadgen): Promise<void> {
  switch (cmd.cmd) {
    case 'connect':
      send({ type: 'connected', result: await connect(cmd) })
      return
    case 'trim':
      send({ type: 'trimmed', open: await trim(cmd.keep) })
      return
    case 'phase':
      startPhase(cmd.base, cmd.count)
      send({ type: 'phase-started' })
      return
    case 'finish':
      send({ type: 'phase-result', result: await finish(cmd) })
      return
    case 'close': {
      for (let i = 0; i < clients.length; i++) {
        intentional[i] = 1
        clients[i]?.terminate()
      }
      const used = process.cpuUsage()
      send({ type: 'closed', cpuMs: (used.user + used.system) / 1000, unexpectedCloses })
      setTimeout(() => process.exit(0), 50)
      return
    }
  }
}

process.on('message', (cmd: ToLoadgen) => {
  queue = queue
    .then(() => handle(cmd))
    .catch((err: unknown) =>
      send({ type: 'fatal', message: err instanceof Error ? err.message : String(err) }),
    )
})
process.on('disconnect', () => process.exit(0))
send({ type: 'ready', clockOffsetMs: performance.timeOrigin + performance.now() - Date.now() })
