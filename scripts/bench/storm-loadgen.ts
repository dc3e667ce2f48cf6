/**
 * bench-storm's load generator, forked by scripts/bench-storm.ts (IPC only; see storm-protocol.ts).
 * Holds readers of several stories; after `arm`, a reader whose instance closes it reconnects to
 * its group's other instance and resubscribes with `since` = the last seq it holds, as a client
 * told 1012 would. Every reader checks that its seqs are contiguous and unique.
 */
import { handlePerTurn } from '../../src/lib/per-turn.js'
import { LeanWs } from './lean-ws-client.js'
import { quantiles } from './quantiles.js'
import type {
  FromStormLoadgen,
  ReaderGroup,
  StormReport,
  StormStatus,
  ToStormLoadgen,
} from './storm-protocol.js'

const PENDING = 0
const SUBSCRIBED = 1
const FAILED = 2
/** Closed after `arm`, waiting for its reconnect timer. */
const WAITING = 3
/** Reconnecting: handshake or subscribe in flight. */
const RECONNECTING = 4
/** Closed and not coming back (no reconnect URL, or closed before `arm`). */
const GONE = 5

interface Frame {
  type: string
  seq?: number
  code?: string
}

let groups: ReaderGroup[] = []
let clients: Array<LeanWs | null> = []
let groupOf = new Uint16Array(0)
let state = new Uint8Array(0)
let last = new Float64Array(0)
let lost = new Float64Array(0)
let duplicated = new Float64Array(0)
let moved = new Uint8Array(0)
let closedAt = new Float64Array(0)
let attemptAt = new Float64Array(0)
let openAt = new Float64Array(0)
let subscribeSentAt = new Float64Array(0)
let subscribedAt = new Float64Array(0)
let resubscribeHead = new Float64Array(0)
let caughtUpAt = new Float64Array(0)
let onSettled: ((i: number, reason: string | null) => void) | null = null
let armed: Extract<ToStormLoadgen, { cmd: 'arm' }> | null = null
let firstClosedAt: number | null = null
let resets = 0
let failedAttempts = 0
const failedReasons: Record<string, number> = {}
const errors: Record<string, number> = {}
const closeCodes: Record<string, number> = {}
/** seq → receive wall times, for readers of groups with recordLatency. */
const receivedAt = new Map<number, number[]>()

const wall = () => performance.timeOrigin + performance.now()
const bump = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1
}

function send(message: FromStormLoadgen): void {
  process.send?.(message)
}

function noteCaughtUp(i: number): void {
  if (
    moved[i] &&
    caughtUpAt[i] === 0 &&
    subscribedAt[i] !== 0 &&
    (last[i] as number) >= (resubscribeHead[i] as number)
  )
    caughtUpAt[i] = wall()
}

const EVENT_PREFIX = Buffer.from('{"type":"event","event":{')
const SEQ_KEY = Buffer.from('"seq":')

/**
 * An event frame's seq, read off its bytes without decoding the frame: the readers of a
 * machine-wide bench would otherwise spend more CPU parsing than the server spends sending.
 * The story id before it holds no quote, so the first `"seq":` is the event's own.
 * @returns -1 when the frame is not an event
 */
function eventSeq(data: Buffer): number {
  if (
    data.length < EVENT_PREFIX.length ||
    data.compare(EVENT_PREFIX, 0, EVENT_PREFIX.length, 0, EVENT_PREFIX.length) !== 0
  )
    return -1
  let at = data.indexOf(SEQ_KEY, EVENT_PREFIX.length)
  if (at < 0) return -1
  at += SEQ_KEY.length
  let seq = 0
  for (let c = data[at] as number; c >= 48 && c <= 57; c = data[++at] as number) seq = seq * 10 + (c - 48)
  return seq
}

function onFrame(i: number, data: Buffer): void {
  const seq = eventSeq(data)
  if (seq >= 0) {
    const prev = last[i] as number
    if (seq <= prev) {
      duplicated[i] = (duplicated[i] as number) + 1
      return
    }
    if (seq > prev + 1) lost[i] = (lost[i] as number) + (seq - prev - 1)
    last[i] = seq
    if (groups[groupOf[i] as number]?.recordLatency) {
      const times = receivedAt.get(seq)
      if (times) times.push(wall())
      else receivedAt.set(seq, [wall()])
    }
    noteCaughtUp(i)
    return
  }
  const frame = JSON.parse(data.toString()) as Frame
  if (frame.type === 'subscribed') {
    const head = frame.seq ?? 0
    if (state[i] === PENDING) {
      last[i] = head
      state[i] = SUBSCRIBED
      onSettled?.(i, null)
    } else if (state[i] === RECONNECTING) {
      state[i] = SUBSCRIBED
      subscribedAt[i] = wall()
      resubscribeHead[i] = head
      noteCaughtUp(i)
    }
    return
  }
  if (frame.type === 'reset') {
    resets++
    return
  }
  if (frame.type === 'error') {
    bump(errors, frame.code ?? '?')
    if (state[i] === PENDING) {
      state[i] = FAILED
      onSettled?.(i, `error frame ${frame.code ?? '?'}`)
      clients[i]?.terminate()
    } else if (state[i] === RECONNECTING) {
      // Refused on the new instance (e.g. rate_limited): drop the socket and try again later.
      clients[i]?.terminate()
    }
  }
}

function openClient(i: number, url: string, subscribe: string, handshakeTimeoutMs: number): void {
  const ws: LeanWs = new LeanWs(url, handshakeTimeoutMs, {
    onOpen: () => {
      if (state[i] === RECONNECTING) {
        openAt[i] = wall()
        subscribeSentAt[i] = openAt[i] as number
      }
      ws.send(subscribe)
    },
    onMessage: (data) => onFrame(i, data),
    onClose: (code, failure) => onClose(i, code, failure),
  })
  clients[i] = ws
}

function onClose(i: number, code: number, failure: string | null): void {
  clients[i] = null
  const s = state[i]
  if (s === PENDING) {
    state[i] = FAILED
    onSettled?.(i, failure ?? `closed ${code} before subscribed`)
    return
  }
  if (s === RECONNECTING) {
    failedAttempts++
    bump(failedReasons, failure ?? `closed ${code} before subscribed`)
    scheduleReconnect(i, retryDelay())
    return
  }
  if (s !== SUBSCRIBED) return
  bump(closeCodes, String(code))
  const group = groups[groupOf[i] as number]
  if (!armed || !group?.reconnectUrl) {
    state[i] = GONE
    return
  }
  const now = wall()
  firstClosedAt ??= now
  if (!moved[i]) {
    moved[i] = 1
    closedAt[i] = now
    scheduleReconnect(i, Math.random() * armed.jitterMs)
  } else {
    // Closed again on the new instance: a client reconnects with backoff.
    scheduleReconnect(i, retryDelay())
  }
}

function retryDelay(): number {
  return armed ? armed.retryMinMs + Math.random() * armed.retrySpreadMs : 1000
}

/**
 * Reconnects due now, opened CONNECTS_PER_TURN per turn. On loopback a connect() also runs the
 * server's side of the TCP handshake in this process's system call; thousands of them in one
 * batch of timers held a load generator's loop for seconds, and every `subscribed` that had
 * arrived meanwhile was timed seconds late. In pieces, the frames already here are read between them.
 */
const CONNECTS_PER_TURN = 32
const openDue = handlePerTurn(CONNECTS_PER_TURN, reconnectNow)

function reconnectNow(i: number): void {
  const group = groups[groupOf[i] as number]
  if (!group?.reconnectUrl || !armed) return
  state[i] = RECONNECTING
  if (attemptAt[i] === 0) attemptAt[i] = wall()
  subscribedAt[i] = 0
  const subscribe = JSON.stringify({ type: 'subscribe', story: group.story, since: last[i] })
  openClient(i, group.reconnectUrl, subscribe, armed.handshakeTimeoutMs)
}

function scheduleReconnect(i: number, delayMs: number): void {
  state[i] = WAITING
  setTimeout(() => {
    openDue(i)
  }, delayMs)
}

function allocate(n: number): void {
  clients = new Array<LeanWs | null>(n).fill(null)
  groupOf = new Uint16Array(n)
  state = new Uint8Array(n)
  last = new Float64Array(n)
  lost = new Float64Array(n)
  duplicated = new Float64Array(n)
  moved = new Uint8Array(n)
  closedAt = new Float64Array(n)
  attemptAt = new Float64Array(n)
  openAt = new Float64Array(n)
  subscribeSentAt = new Float64Array(n)
  subscribedAt = new Float64Array(n)
  resubscribeHead = new Float64Array(n)
  caughtUpAt = new Float64Array(n)
}

function connect(cmd: Extract<ToStormLoadgen, { cmd: 'connect' }>): Promise<FromStormLoadgen> {
  groups = cmd.groups
  const n = groups.reduce((sum, g) => sum + g.count, 0)
  allocate(n)
  let k = 0
  groups.forEach((g, gi) => {
    for (let j = 0; j < g.count; j++) groupOf[k++] = gi
  })
  const failures: Record<string, number> = {}
  const started = performance.now()
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
        bump(failures, 'timeout')
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
        const i = next++
        const group = groups[groupOf[i] as number] as ReaderGroup
        openClient(i, group.url, JSON.stringify({ type: 'subscribe', story: group.story }), 15_000)
      }
    }
    onSettled = (_i, reason) => {
      inFlight--
      settled++
      if (reason === null) subscribed++
      else bump(failures, reason)
      if (settled === n) finish()
      else launch()
    }
    if (n === 0) finish()
    else launch()
  })
}

function status(): StormStatus {
  let movedCount = 0
  let resubscribed = 0
  let caughtUp = 0
  let lastCaughtUp = 0
  for (let i = 0; i < state.length; i++) {
    if (!moved[i]) continue
    movedCount++
    if (subscribedAt[i] !== 0 && state[i] === SUBSCRIBED) resubscribed++
    if (caughtUpAt[i] !== 0) {
      caughtUp++
      if ((caughtUpAt[i] as number) > lastCaughtUp) lastCaughtUp = caughtUpAt[i] as number
    }
  }
  return {
    readers: state.length,
    moved: movedCount,
    resubscribed,
    caughtUp,
    lastCaughtUpAt: lastCaughtUp || null,
    firstClosedAt,
  }
}

async function report(cmd: Extract<ToStormLoadgen, { cmd: 'report' }>): Promise<StormReport> {
  const headOf = (i: number) => cmd.heads[(groups[groupOf[i] as number] as ReaderGroup).story] ?? 0
  const open = (i: number) => state[i] === SUBSCRIBED || state[i] === WAITING || state[i] === RECONNECTING
  const deadline = performance.now() + cmd.maxWaitMs
  for (;;) {
    let behind = 0
    for (let i = 0; i < state.length; i++) if (open(i) && (last[i] as number) < headOf(i)) behind++
    if (behind === 0 || performance.now() > deadline) break
    await new Promise((r) => setTimeout(r, 50))
  }
  let atHead = 0
  let lostTotal = 0
  let dupTotal = 0
  let readersWithErrors = 0
  const subscribeMs: number[] = []
  const connectMs: number[] = []
  const reconnectMs: number[] = []
  const caught: number[] = []
  let movedCount = 0
  let resubscribed = 0
  for (let i = 0; i < state.length; i++) {
    if (state[i] === FAILED) continue
    const head = headOf(i)
    const missingTail = Math.max(0, head - (last[i] as number))
    if (missingTail === 0) atHead++
    const readerLost = (lost[i] as number) + missingTail
    lostTotal += readerLost
    dupTotal += duplicated[i] as number
    if (readerLost || duplicated[i]) readersWithErrors++
    if (!moved[i]) continue
    movedCount++
    if (subscribedAt[i] === 0) continue
    resubscribed++
    subscribeMs.push((subscribedAt[i] as number) - (subscribeSentAt[i] as number))
    connectMs.push((openAt[i] as number) - (attemptAt[i] as number))
    reconnectMs.push((subscribedAt[i] as number) - (closedAt[i] as number))
    if (caughtUpAt[i]) caught.push(caughtUpAt[i] as number)
  }
  const latency: Record<string, number[]> = {}
  const since = (from: Record<number, number>, w: (typeof cmd.windows)[number]) => {
    const values: number[] = []
    for (let seq = w.fromSeq; seq <= w.toSeq; seq++) {
      const published = from[seq]
      const times = receivedAt.get(seq)
      if (published === undefined || !times) continue
      for (const t of times) values.push(t - published)
    }
    return values
  }
  const arrivals: StormReport['arrivals'] = {}
  for (const w of cmd.windows) {
    latency[w.name] = since(cmd.publishTimes, w)
    latency[`${w.name}-recorded`] = since(cmd.recordedTimes, w)
    latency[`${w.name}-bus`] = since(cmd.busTimes, w)
    for (let seq = w.fromSeq; seq <= w.toSeq; seq++) {
      const spread = quantiles(receivedAt.get(seq) ?? [])
      if (spread) arrivals[seq] = spread
    }
  }
  const used = process.cpuUsage()
  return {
    readers: state.length,
    atHead,
    lost: lostTotal,
    duplicated: dupTotal,
    readersWithErrors,
    resets,
    errors,
    closeCodes,
    moved: movedCount,
    resubscribed,
    failedAttempts,
    failedReasons,
    subscribeMs,
    connectMs,
    reconnectMs,
    caughtUpAt: caught,
    latency,
    arrivals,
    cpuMs: (used.user + used.system) / 1000,
  }
}

let queue: Promise<void> = Promise.resolve()

async function handle(cmd: ToStormLoadgen): Promise<void> {
  switch (cmd.cmd) {
    case 'connect':
      send(await connect(cmd))
      return
    case 'arm':
      armed = cmd
      send({ type: 'armed' })
      return
    case 'status':
      send({ type: 'status', status: status() })
      return
    case 'report':
      send({ type: 'report', report: await report(cmd) })
      return
    case 'close':
      armed = null
      for (const ws of clients) ws?.terminate()
      send({ type: 'closed' })
      setTimeout(() => process.exit(0), 50)
      return
  }
}

process.on('message', (cmd: ToStormLoadgen) => {
  // Status polls answer at once, even while a report waits for stragglers.
  if (cmd.cmd === 'status') return void handle(cmd)
  queue = queue
    .then(() => handle(cmd))
    .catch((err: unknown) =>
      send({ type: 'fatal', message: err instanceof Error ? err.message : String(err) }),
    )
})
process.on('disconnect', () => process.exit(0))
send({ type: 'ready', clockOffsetMs: performance.timeOrigin + performance.now() - Date.now() })
