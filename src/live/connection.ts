import type { Duplex } from 'node:stream'
import { WebSocket } from 'ws'
import type { Principal } from '../auth/roles.js'
import type { Limits } from '../config.js'
import {
  CLOSE_TRY_AGAIN_LATER,
  type EventFrames,
  errorFrame,
  type Joined,
  type LiveErrorCode,
  type PresenceFrames,
  presenceFrame,
  resetFrame,
  subscribedFrame,
  unsubscribedFrame,
} from './protocol.js'
import type { Reader, Subscription } from './reader.js'
import { PING_FRAME } from './ws-frames.js'

// One options object for every protocol frame sent through ws.send (events are prepared frames).
const TEXT: { binary: boolean; compress: boolean } = { binary: false, compress: false }

/** How long a reader closed for being slow gets to take its close frame before the socket is cut. */
const SLOW_READER_GRACE_MS = 5000

/** Strikes (bad or rate-limited frames) within one ping interval after which a connection is closed as abusive. */
export const MAX_STRIKES = 50

/**
 * One reader's websocket: sending with backpressure, heartbeats, inbound rate limiting, and its
 * story subscriptions. Event frames and pings are prepared once (ws-frames.ts) and written
 * straight to the socket under `ws`; the rare protocol frames (subscribed, error…) go through
 * `ws.send`. Both reach the socket in call order, since the server never compresses.
 */
export class Connection implements Reader {
  readonly ws: WebSocket
  readonly principal: Principal | null
  readonly openedAt = Date.now()
  /** storyId -> the subscription's delivery position (including subscriptions still joining). */
  readonly subscriptions = new Map<string, Subscription>()
  readonly followsAfterReset = false
  /** Frames from this client are handled in order: a subscribe completes before the next frame runs. */
  inbox: Promise<void> = Promise.resolve()
  /** Heard from since its last ping (a pong or any frame). */
  alive = true
  /** A ping is owed: it rides with the next event frame, or goes alone at the next heartbeat tick. */
  pingDue = false
  /** Counts owed, by story: they ride with the next event frame, or go at the next heartbeat tick. */
  #owedPresence: Map<string, PresenceFrames> | null = null
  /** Which slice of the ping interval pings this connection. */
  heartbeatSlot = 0
  strikes = 0
  framesSent = 0
  closed = false
  #tokens: number
  #refilledAt = Date.now()
  readonly #limits: Limits
  readonly #onSlow: () => void
  /** The upgraded socket `ws` runs on, for prepared frames. */
  readonly #socket: Duplex
  /**
   * Bytes of catch-up written and maybe not yet drained: the slow-reader bound counts only what
   * is queued beyond them, so a big replay does not make the next live event cut a healthy
   * reader. Cleared when the socket drains.
   */
  #replayAllowance = 0

  constructor(
    ws: WebSocket,
    socket: Duplex,
    principal: Principal | null,
    limits: Limits,
    onSlow: () => void,
  ) {
    this.ws = ws
    this.#socket = socket
    this.principal = principal
    this.#limits = limits
    this.#tokens = limits.framesPerSecond * 2
    this.#onSlow = onSlow
  }

  /**
   * Sends one frame unless the reader is too slow: a socket with more than `maxBufferedBytes`
   * queued is closed with 1013 instead of buffering without bound (the reader resumes with `since`).
   * @returns false when the frame was not sent
   */
  send(frame: Buffer | string): boolean {
    if (!this.#roomFor()) return false
    this.ws.send(frame, TEXT)
    this.framesSent++
    return true
  }

  /** The fan-out's hot path: one write of the event's prepared frame, with what is owed riding along. */
  sendEvent(frames: EventFrames): boolean {
    if (!this.#roomFor()) return false
    if (this.#owedPresence !== null) {
      this.#socket.cork()
      this.#socket.write(frames.ws)
      this.sendOwed()
      this.#socket.uncork()
    } else if (this.pingDue) {
      this.pingDue = false
      this.#socket.write(frames.wsWithPing)
    } else {
      this.#socket.write(frames.ws)
    }
    this.framesSent++
    return true
  }

  sendEvents(frames: readonly EventFrames[]): number {
    let sent = 0
    this.#socket.cork()
    for (const f of frames) {
      if (!this.sendEvent(f)) break
      sent++
    }
    this.#socket.uncork()
    return sent
  }

  /** `subscribed`, the catch-up and the count, in one write (the catch-up is not held to the slow-reader bound: see Reader). */
  sendJoined(joined: Joined): void {
    if (!this.#open) return
    this.#socket.cork()
    this.send(subscribedFrame(joined.story, joined.seq, joined.lastUpdateAt, joined.serverTime))
    this.#sendReplay(joined.replay)
    if (joined.readers !== null) this.send(presenceFrame(joined.story, joined.readers))
    this.#socket.uncork()
  }

  #sendReplay(frames: readonly EventFrames[]): void {
    if (!this.#open || frames.length === 0) return
    let bytes = 0
    for (const f of frames) {
      this.#socket.write(f.ws)
      bytes += f.ws.length
    }
    this.framesSent += frames.length
    if (this.#replayAllowance === 0 && this.#socket.writableLength > 0) {
      this.#socket.once('drain', () => {
        this.#replayAllowance = 0
      })
    }
    this.#replayAllowance += bytes
  }

  /**
   * Owed, not sent: a reader of a busy story gets the count with its next event, in the same
   * write (a count changing on a story with 10,000 readers cost 10,000 writes of their own). A
   * reader with no event before the next heartbeat tick gets it then (`sendOwed`).
   */
  sendPresence(frames: PresenceFrames): void {
    if (!this.#open) return
    this.#owedPresence ??= new Map()
    this.#owedPresence.set(frames.story, frames)
  }

  /** A ping or a count is waiting for a write to ride with. */
  get owes(): boolean {
    return this.pingDue || this.#owedPresence !== null
  }

  /** Sends what is owed in one write: the counts of stories still followed, then the ping. */
  sendOwed(): void {
    const presence = this.#owedPresence
    const ping = this.pingDue
    this.#owedPresence = null
    this.pingDue = false
    if (!this.#open) return
    // A lone ping (most of a heartbeat tick's writes) is one plain write; corking costs a writev.
    if (!presence) {
      if (ping) this.#socket.write(PING_FRAME)
      return
    }
    this.#socket.cork()
    for (const frames of presence.values())
      if (this.subscriptions.has(frames.story)) this.#socket.write(frames.ws)
    if (ping) this.#socket.write(PING_FRAME)
    this.#socket.uncork()
  }

  /** Open, and not closing: frames written now would follow a close frame. */
  get #open(): boolean {
    return !this.closed && this.ws.readyState === WebSocket.OPEN
  }

  #roomFor(): boolean {
    if (!this.#open) return false
    if (this.ws.bufferedAmount > this.#limits.maxBufferedBytes + this.#replayAllowance) {
      this.close(CLOSE_TRY_AGAIN_LATER, 'reader too slow')
      this.#onSlow()
      return false
    }
    return true
  }

  sendReset(story: string, seq: number): void {
    this.send(resetFrame(story, seq))
  }

  sendUnsubscribed(story: string): void {
    this.send(unsubscribedFrame(story))
  }

  sendError(code: LiveErrorCode, message: string, story?: string): void {
    this.send(errorFrame(code, message, story))
  }

  /** Token bucket on inbound frames: `framesPerSecond`, with bursts of twice that. */
  takeToken(now = Date.now()): boolean {
    const rate = this.#limits.framesPerSecond
    this.#tokens = Math.min(rate * 2, this.#tokens + ((now - this.#refilledAt) / 1000) * rate)
    this.#refilledAt = now
    if (this.#tokens < 1) return false
    this.#tokens -= 1
    return true
  }

  close(code: number, reason: string): void {
    if (this.closed) return
    this.closed = true
    this.ws.close(code, reason)
    // The close frame waits behind everything already queued; a reader that cannot drain it would
    // hold that memory for ws's 30 s close timeout. Cut it off sooner: it resumes with `since`.
    if (code === CLOSE_TRY_AGAIN_LATER) setTimeout(() => this.ws.terminate(), SLOW_READER_GRACE_MS).unref()
  }
}
