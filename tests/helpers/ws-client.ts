import WebSocket from 'ws'
import { waitFor } from './wait-for.js'

/** A wait re-checks on every frame, and at least this often besides. */
const READER_RECHECK_MS = 200

export interface Frame {
  type: string
  [key: string]: any
}

/**
 * A real websocket reader that keeps every frame it receives and can wait for a condition.
 * @example const r = await connectReader(server.wsUrl); r.send({ type: 'subscribe', story: id })
 */
export class Reader {
  readonly frames: Frame[] = []
  /** `presence` frames, in arrival order. */
  readonly presence: Frame[] = []
  closeCode: number | null = null
  closeReason = ''
  readonly ws: WebSocket
  #waiters: Array<() => void> = []

  constructor(ws: WebSocket) {
    this.ws = ws
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame
      // Presence counts come and go with other readers: kept apart, so tests of the protocol's
      // ordering see only what the story's subscription sends.
      if (frame.type === 'presence') this.presence.push(frame)
      else this.frames.push(frame)
      this.#wake()
    })
    ws.on('close', (code, reason) => {
      this.closeCode = code
      this.closeReason = reason.toString()
      this.#wake()
    })
    ws.on('error', () => {})
  }

  #wake() {
    const waiters = this.#waiters
    this.#waiters = []
    for (const w of waiters) w()
  }

  send(frame: unknown) {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame))
  }

  /** Event frames for one story, in arrival order. */
  events(story?: string) {
    return this.frames
      .filter((f) => f.type === 'event' && (!story || f.event.story === story))
      .map((f) => f.event)
  }

  seqs(story?: string): number[] {
    return this.events(story).map((e) => e.seq as number)
  }

  /** Resolves once `predicate` holds (checked on every frame); rejects after `timeoutMs`. */
  waitFor(predicate: (r: Reader) => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    return waitFor(what, () => predicate(this), {
      timeoutMs,
      intervalMs: READER_RECHECK_MS,
      changed: () => new Promise((resolve) => this.#waiters.push(resolve)),
      state: () => {
        const last = this.frames.slice(-3).map((f) => JSON.stringify(f).slice(0, 200))
        return `${this.frames.length} frames, last: ${last.join(' | ')}`
      },
    })
  }

  waitForFrame(type: string, timeoutMs = 5000) {
    return this.waitFor((r) => r.frames.some((f) => f.type === type), timeoutMs, `a ${type} frame`).then(
      () => this.frames.find((f) => f.type === type) as Frame,
    )
  }

  waitForClose(timeoutMs = 5000) {
    return this.waitFor((r) => r.closeCode !== null, timeoutMs, 'close').then(() => this.closeCode as number)
  }

  /** Subscribes and waits for `subscribed` (or an error/reset for that story). */
  async subscribe(story: string, since?: number): Promise<Frame> {
    const before = this.frames.length
    this.send(since === undefined ? { type: 'subscribe', story } : { type: 'subscribe', story, since })
    await this.waitFor(
      (r) => r.frames.slice(before).some((f) => ['subscribed', 'error', 'reset'].includes(f.type)),
      5000,
      `answer to subscribe ${story}`,
    )
    return this.frames.slice(before).find((f) => ['subscribed', 'error', 'reset'].includes(f.type)) as Frame
  }

  close() {
    this.ws.close()
  }
}

export function connectReader(
  url: string,
  options: { key?: string; headers?: Record<string, string>; autoPong?: boolean } = {},
) {
  const target = options.key ? `${url}?key=${encodeURIComponent(options.key)}` : url
  const ws = new WebSocket(target, {
    headers: options.headers,
    perMessageDeflate: false,
    autoPong: options.autoPong ?? true,
  })
  const reader = new Reader(ws)
  return new Promise<Reader>((resolve, reject) => {
    ws.once('open', () => resolve(reader))
    ws.once('unexpected-response', (_req, res) => {
      let body = ''
      res.on('data', (c: Buffer) => {
        body += c.toString()
      })
      res.on('end', () =>
        reject(
          Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode, body }),
        ),
      )
    })
    ws.once('error', reject)
  })
}
