import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { type WebSocket, WebSocketServer } from 'ws'
import { type ControlMessage, keyFromAuthorization, verifyKey } from '../auth/keys.js'
import type { Principal } from '../auth/roles.js'
import { CONTROL_TOPIC } from '../bus/bus.js'
import type { Deps } from '../deps.js'
import { AppError, errorBody } from '../errors.js'
import { Connection, MAX_STRIKES } from './connection.js'
import type { Hub } from './hub.js'
import { CLOSE_POLICY, CLOSE_RESTART, errorFrame, type LiveErrorCode, parseClientFrame } from './protocol.js'

export const LIVE_PATH = '/v1/live'

/**
 * The ping interval is split in this many slices, each pinging its share of the connections
 * (a second apart at the default 30 s): a busy story's updates then each carry a thirtieth of
 * its readers' pings, rather than every third update carrying a tenth.
 */
const HEARTBEAT_SLICES = 30

/** How long shutdown waits for clients to answer the 1012 close before cutting them off. */
const CLOSE_GRACE_MS = 2000

/**
 * The `/v1/live` websocket endpoint: authenticates upgrades itself (ws in noServer mode), keeps
 * connections alive with pings, turns frames into hub calls and closes everything with 1012 on shutdown.
 */
export class WsEndpoint {
  readonly #hub: Hub
  readonly #deps: Deps
  readonly #wss: WebSocketServer
  readonly #connections = new Set<Connection>()
  readonly #pingTimer: NodeJS.Timeout
  #unsubscribeControl: (() => void) | null = null
  #accepting = true
  #heartbeatTick = 0
  #nextSlot = 0

  constructor(deps: Deps, hub: Hub) {
    this.#deps = deps
    this.#hub = hub
    this.#wss = new WebSocketServer({
      noServer: true,
      maxPayload: deps.limits.maxFrameBytes,
      // Off for good: compression would let ws queue sends behind our prepared frames (ws-frames.ts).
      perMessageDeflate: false,
      clientTracking: false,
    })
    this.#pingTimer = setInterval(() => this.#heartbeat(), deps.limits.pingIntervalMs / HEARTBEAT_SLICES)
    this.#pingTimer.unref()
  }

  async start(): Promise<void> {
    this.#unsubscribeControl = await this.#deps.bus.subscribe(CONTROL_TOPIC, (message) =>
      this.#onControl(message),
    )
  }

  get connectionCount(): number {
    return this.#connections.size
  }

  /** Node's 'upgrade' handler. Refuses with a plain HTTP answer in the contract's error shape. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // An unhandled 'error' on the raw socket would crash the process.
    socket.on('error', () => {})
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (url.pathname !== LIVE_PATH) {
      refuse(socket, 404, 'not_found', `no websocket endpoint at ${url.pathname}`)
      return
    }
    if (!this.#accepting) {
      refuse(socket, 503, 'unavailable', 'server is shutting down')
      return
    }
    this.#authenticate(req, url).then(
      (principal) => {
        if (this.#accepting)
          this.#wss.handleUpgrade(req, socket, head, (ws) => this.#accept(ws, socket, principal))
        else refuse(socket, 503, 'unavailable', 'server is shutting down')
      },
      (err: unknown) => {
        if (err instanceof AppError) return refuse(socket, err.status, err.code, err.message)
        this.#deps.log.warn({ err }, 'websocket authentication failed')
        refuse(socket, 503, 'unavailable', 'could not verify the key; retry shortly')
      },
    )
  }

  async #authenticate(req: IncomingMessage, url: URL): Promise<Principal | null> {
    const key = keyFromAuthorization(req.headers.authorization) ?? url.searchParams.get('key')
    return key ? verifyKey(this.#deps, key) : null
  }

  #accept(ws: WebSocket, socket: Duplex, principal: Principal | null): void {
    const conn = new Connection(ws, socket, principal, this.#deps.limits, () =>
      this.#deps.metrics.slowReaderDisconnects.inc(),
    )
    conn.heartbeatSlot = this.#nextSlot++ % HEARTBEAT_SLICES
    this.#connections.add(conn)
    this.#deps.metrics.connections.inc()
    ws.on('error', () => {})
    ws.on('pong', () => {
      conn.alive = true
    })
    ws.on('message', (data, isBinary) => {
      conn.alive = true
      if (isBinary) return this.#refuse(conn, 'bad_request', 'frames must be text (JSON)')
      this.#onFrame(conn, data.toString())
    })
    ws.on('close', (code) => {
      conn.closed = true
      this.#connections.delete(conn)
      this.#deps.metrics.connections.dec()
      this.#hub.dropReader(conn)
      this.#deps.log.info(
        {
          key: principal?.keyId,
          code,
          seconds: Math.round((Date.now() - conn.openedAt) / 1000),
          frames: conn.framesSent,
        },
        'websocket closed',
      )
    })
  }

  #onFrame(conn: Connection, text: string): void {
    if (!conn.takeToken()) {
      this.#refuse(conn, 'rate_limited', 'too many frames; slow down')
      return
    }
    const frame = parseClientFrame(text)
    if ('error' in frame) {
      this.#refuse(conn, 'bad_request', frame.error)
      return
    }
    conn.inbox = conn.inbox
      .then(() =>
        // Frames still queued when the connection closed do nothing (no lookups for a gone reader).
        conn.closed
          ? undefined
          : frame.type === 'subscribe'
            ? this.#hub.subscribe(conn, frame.story, frame.since).then(() => {})
            : this.#hub.unsubscribe(conn, frame.story),
      )
      .catch((err: unknown) => this.#deps.log.error({ err }, `${frame.type} failed`))
  }

  /** A bad frame gets an error and keeps the connection; a client that keeps at it is closed (1008). */
  #refuse(conn: Connection, code: LiveErrorCode, message: string): void {
    conn.send(errorFrame(code, message))
    if (++conn.strikes >= MAX_STRIKES) conn.close(CLOSE_POLICY, 'too many bad frames')
  }

  /**
   * Pings one slice of the connections; over a whole interval each is pinged once, and one
   * that did not answer since its last ping is dead. Slices keep the round (and the pongs that
   * come back) from stalling fan-out: 10,000 pings at once held an update up for 300 ms.
   * A ping is first only owed: an event going out to the reader before the next tick carries it
   * in the same write, so a busy story's readers cost no extra socket write for their pings (nor
   * for a changed reader count, owed the same way).
   */
  #heartbeat(): void {
    const slice = this.#heartbeatTick++ % HEARTBEAT_SLICES
    // A ping or count owed since the last tick, and no event carried it. A busy story's count
    // changing is owed to all its readers at once: sent in chunks like an event's fan-out, so a
    // live event is not held up behind thousands of count writes in one turn.
    const owing: Connection[] = []
    for (const conn of this.#connections) {
      if (conn.owes) owing.push(conn)
      if (conn.heartbeatSlot !== slice) continue
      conn.strikes = 0 // strikes count per ping interval: abuse is a burst, not a lifetime total
      if (!conn.alive) {
        conn.ws.terminate()
        continue
      }
      conn.alive = false
      conn.pingDue = true
    }
    this.#sendOwed(owing, 0)
  }

  #sendOwed(owing: readonly Connection[], from: number): void {
    const end = Math.min(owing.length, from + this.#deps.limits.fanoutChunk)
    // Whatever an event carried meanwhile is no longer owed: sendOwed then writes nothing.
    for (let i = from; i < end; i++) (owing[i] as Connection).sendOwed()
    if (end < owing.length) setImmediate(() => this.#sendOwed(owing, end))
  }

  #onControl(message: string): void {
    let control: ControlMessage
    try {
      control = JSON.parse(message) as ControlMessage
    } catch {
      return
    }
    if (control.type !== 'key.revoked') return
    for (const conn of this.#connections) {
      if (conn.principal?.keyId === control.keyId) conn.close(CLOSE_POLICY, 'key revoked')
    }
  }

  /** Stops accepting, closes every connection with 1012 (clients reconnect elsewhere and resume). */
  async close(): Promise<void> {
    this.#accepting = false
    clearInterval(this.#pingTimer)
    this.#unsubscribeControl?.()
    const open = [...this.#connections]
    for (const conn of open) conn.close(CLOSE_RESTART, 'server restarting')
    const deadline = Date.now() + CLOSE_GRACE_MS
    while (this.#connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
    for (const conn of this.#connections) conn.ws.terminate()
    this.#wss.close()
  }
}

function refuse(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify(errorBody(code, message))
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  )
}

const STATUS_TEXT: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  503: 'Service Unavailable',
}
