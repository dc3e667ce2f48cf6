import { EventSource } from 'eventsource'
import WebSocket from 'ws'
import { EventTypeSchema } from '../../src/events/schema.js'

/** One event as a reader got it: which story, which seq, when. */
export interface Receipt {
  story: string
  seq: number
  at: number
}

/** Backoff before a reconnect, as the browser client does: a little random, growing to a cap. */
const RECONNECT_MIN_MS = 100
const RECONNECT_MAX_MS = 2000

/**
 * What every chaos reader keeps: every event in arrival order, and the highest seq applied per
 * story (what a real client resumes from).
 */
export abstract class ChaosReader {
  abstract readonly kind: 'websocket' | 'sse'
  readonly receipts: Receipt[] = []
  readonly lastSeq = new Map<string, number>()
  reconnects = 0
  stopped = false

  constructor(readonly stories: string[]) {
    for (const s of stories) this.lastSeq.set(s, 0)
  }

  protected received(story: string, seq: number): void {
    this.receipts.push({ story, seq, at: Date.now() })
    // A real client applies an event only once: resume from the highest seq applied.
    if (seq > (this.lastSeq.get(story) ?? 0)) this.lastSeq.set(story, seq)
  }

  abstract stop(): void
}

/**
 * A websocket reader as the browser client behaves: follows its stories, and on any close
 * reconnects (to the next of `urls`) after a short random backoff, resubscribing with `since`.
 */
export class WsChaosReader extends ChaosReader {
  readonly kind = 'websocket'
  #ws: WebSocket | null = null
  #attempt = 0
  #next = 0

  constructor(
    readonly urls: string[],
    stories: string[],
  ) {
    super(stories)
    this.#connect()
  }

  #connect(): void {
    if (this.stopped) return
    const url = this.urls[this.#next++ % this.urls.length] as string
    const ws = new WebSocket(url, { perMessageDeflate: false })
    this.#ws = ws
    ws.on('open', () => {
      for (const story of this.stories) {
        ws.send(JSON.stringify({ type: 'subscribe', story, since: this.lastSeq.get(story) ?? 0 }))
      }
    })
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as {
        type: string
        event?: { story: string; seq: number }
        story?: string
        code?: string
      }
      if (frame.type === 'subscribed') this.#attempt = 0
      if (frame.type === 'event' && frame.event) this.received(frame.event.story, frame.event.seq)
      // A refused subscribe (the instance could not reach its database yet): try again later.
      if (frame.type === 'error' || frame.type === 'reset') ws.close()
    })
    ws.on('error', () => {})
    ws.on('close', () => {
      if (this.stopped) return
      this.reconnects++
      const wait = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.#attempt++)
      setTimeout(() => this.#connect(), wait / 2 + Math.random() * (wait / 2)).unref()
    })
  }

  stop(): void {
    this.stopped = true
    this.#ws?.terminate()
  }
}

/**
 * A server-sent-events reader: the `eventsource` package itself (as browsers behave), which
 * reconnects on its own and resumes with Last-Event-ID.
 */
export class SseChaosReader extends ChaosReader {
  readonly kind = 'sse'
  readonly #source: EventSource

  constructor(url: string, story: string) {
    super([story])
    this.#source = new EventSource(url)
    this.#source.addEventListener('error', () => {
      this.reconnects++
    })
    for (const type of EventTypeSchema.options) {
      this.#source.addEventListener(type, (e) => this.received(story, Number(e.lastEventId)))
    }
  }

  stop(): void {
    this.stopped = true
    this.#source.close()
  }
}
