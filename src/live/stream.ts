import type { Principal } from '../auth/roles.js'
import type { Deps } from '../deps.js'
import type { Hub } from './hub.js'
import { type EventFrames, type Joined, type LiveErrorCode, PresenceFrames } from './protocol.js'
import type { Reader, Subscription } from './reader.js'

const encoder = new TextEncoder()
const PING = encoder.encode(': ping\n\n')

/** Sets how long EventSource waits before reconnecting (its own default is 3 s). */
const retryLine = (retryMs: number) => encoder.encode(`retry: ${retryMs}\n\n`)

/**
 * The answer to a stream that cannot be served for now (shutting down, database or bus down,
 * rate limited): a 200 event stream that asks for a retry and ends. EventSource takes any other
 * status as final and would never come back, so transient trouble must not be an HTTP error.
 */
export function retryLaterBody(retryMs: number, reason: string): ReadableStream<Uint8Array> {
  const text = `retry: ${retryMs}\n\n: closing: ${reason.replace(/[\r\n]/g, ' ')}; retry\n\n`
  return new ReadableStream({
    start(controller) {
      controller.enqueue(encoder.encode(text))
      controller.close()
    },
  })
}

/** Why a stream could not start: the HTTP answer the route gives instead of a stream. */
export interface StreamRefusal {
  code: LiveErrorCode | 'unavailable'
  message: string
}

/**
 * One `text/event-stream` reader of one story, fed by the same hub as the websocket. Each event
 * is `id: <seq>`, `event: <type>`, `data: <Event JSON>`, so EventSource resumes with
 * Last-Event-ID on its own. Backpressure comes from the ReadableStream's queue: the HTTP server
 * pulls only as fast as the socket drains, and a reader with more than `maxBufferedBytes` queued
 * is cut off (it reconnects and resumes) rather than buffered without bound.
 */
export class EventStream implements Reader {
  readonly principal: Principal | null
  readonly subscriptions = new Map<string, Subscription>()
  readonly followsAfterReset = true
  readonly body: ReadableStream<Uint8Array>
  closed = false
  /** Set when the hub refused the subscription before anything was streamed. */
  refusal: StreamRefusal | null = null
  #controller!: ReadableStreamDefaultController<Uint8Array>
  readonly #onEnd: (stream: EventStream, slow: boolean) => void

  constructor(
    principal: Principal | null,
    maxBufferedBytes: number,
    retryMs: number,
    onEnd: (stream: EventStream, slow: boolean) => void,
  ) {
    this.principal = principal
    this.#onEnd = onEnd
    this.body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.#controller = controller
          controller.enqueue(retryLine(retryMs))
        },
        // The client went away (or the server cut the socket).
        cancel: () => this.#end(false),
      },
      { highWaterMark: maxBufferedBytes, size: (chunk) => chunk.byteLength },
    )
  }

  #write(chunk: Uint8Array): boolean {
    if (this.closed) return false
    const room = this.#controller.desiredSize
    if (room !== null && room <= 0) {
      this.#finish(': closing: reader too slow; reconnect with Last-Event-ID\n\n', true)
      return false
    }
    this.#controller.enqueue(chunk)
    return true
  }

  sendEvent(frames: EventFrames): boolean {
    return this.#write(frames.sse)
  }

  sendEvents(frames: readonly EventFrames[]): number {
    let sent = 0
    for (const f of frames) {
      if (!this.sendEvent(f)) break
      sent++
    }
    return sent
  }

  sendJoined(joined: Joined): void {
    this.#write(encoder.encode(`: subscribed to ${joined.story} at seq ${joined.seq}\n\n`))
    // The catch-up is not held to the slow-reader bound (see Reader).
    if (!this.closed) for (const f of joined.replay) this.#controller.enqueue(f.sse)
    if (joined.readers !== null) this.#write(new PresenceFrames(joined.story, joined.readers).sse)
  }

  /** Too far behind to replay: a `reset` event carrying the head as its id, then live from there. */
  sendReset(story: string, seq: number): void {
    this.#write(
      encoder.encode(`id: ${seq}\nevent: reset\ndata: ${JSON.stringify({ type: 'reset', story, seq })}\n\n`),
    )
  }

  sendUnsubscribed(): void {}

  sendPresence(frames: PresenceFrames): void {
    this.#write(frames.sse)
  }

  sendError(code: LiveErrorCode, message: string): void {
    // Before the first byte reaches the client this becomes the HTTP answer; later (the story
    // went back to draft) the stream ends, and the reconnect gets the HTTP error.
    this.refusal ??= { code, message }
    this.#finish(`: closing: ${code}: ${message.replace(/[\r\n]/g, ' ')}\n\n`, false)
  }

  ping(): void {
    this.#write(PING)
  }

  close(_code: number, reason: string): void {
    this.#finish(`: closing: ${reason}\n\n`, false)
  }

  #finish(comment: string, slow: boolean): void {
    if (this.closed) return
    try {
      this.#controller.enqueue(encoder.encode(comment))
      this.#controller.close()
    } catch {
      // already cancelled by the client
    }
    this.#end(slow)
  }

  #end(slow: boolean): void {
    if (this.closed) return
    this.closed = true
    this.#onEnd(this, slow)
  }
}

/** The instance's open event streams: opens them on the hub, pings them, ends them on shutdown. */
export class EventStreams {
  readonly #deps: Deps
  readonly #hub: Hub
  readonly #open = new Set<EventStream>()
  readonly #pingTimer: NodeJS.Timeout
  #accepting = true

  constructor(deps: Deps, hub: Hub) {
    this.#deps = deps
    this.#hub = hub
    // A comment now and then keeps proxies from timing out a quiet stream.
    this.#pingTimer = setInterval(() => {
      for (const stream of this.#open) stream.ping()
    }, deps.limits.streamPingIntervalMs)
    this.#pingTimer.unref()
  }

  get count(): number {
    return this.#open.size
  }

  /**
   * Opens a stream of `storyId` from `since` (or from now). Resolves once the replay is queued, so
   * a refused subscription (not visible, since ahead of the head) can still be an HTTP error.
   */
  async open(principal: Principal | null, storyId: string, since: number | undefined): Promise<EventStream> {
    const { maxBufferedBytes, streamRetryMs } = this.#deps.limits
    const stream = new EventStream(principal, maxBufferedBytes, streamRetryMs, (s, slow) =>
      this.#ended(s, slow),
    )
    if (!this.#accepting) {
      stream.refusal = { code: 'unavailable', message: 'server is shutting down' }
      return stream
    }
    this.#open.add(stream)
    this.#deps.metrics.streams.inc()
    const joined = await this.#hub.subscribe(stream, storyId, since)
    if (!joined) {
      // No answer from the hub means the database or bus is down.
      stream.refusal ??= { code: 'unavailable', message: 'could not follow the story; retry shortly' }
      stream.close(0, 'not subscribed')
    }
    return stream
  }

  #ended(stream: EventStream, slow: boolean): void {
    if (!this.#open.delete(stream)) return
    this.#deps.metrics.streams.dec()
    if (slow) this.#deps.metrics.slowReaderDisconnects.inc()
    this.#hub.dropReader(stream)
  }

  /** Shutdown: ends every stream; EventSource clients reconnect (elsewhere) with Last-Event-ID. */
  close(): void {
    this.#accepting = false
    clearInterval(this.#pingTimer)
    for (const stream of [...this.#open]) stream.close(0, 'server restarting; reconnect with Last-Event-ID')
  }
}
