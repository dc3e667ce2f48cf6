import * as v from 'valibot'
import { PING_FRAME, payloadOffset, textFrame } from './ws-frames.js'

/** Client -> server frames of the `/v1/live` protocol. */
const StoryRef = v.pipe(v.string(), v.minLength(1), v.maxLength(200))
export const ClientFrame = v.variant('type', [
  v.object({
    type: v.literal('subscribe'),
    story: StoryRef,
    since: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  }),
  v.object({ type: v.literal('unsubscribe'), story: StoryRef }),
])
export type ClientFrame = v.InferOutput<typeof ClientFrame>

export type LiveErrorCode =
  | 'bad_request'
  | 'not_found'
  | 'forbidden'
  | 'too_many_subscriptions'
  | 'rate_limited'

/** Parses one text frame; returns an error message instead of throwing, since a bad frame keeps the connection. */
export function parseClientFrame(text: string): ClientFrame | { error: string } {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return { error: 'frame is not JSON' }
  }
  const result = v.safeParse(ClientFrame, json)
  if (result.success) return result.output
  const issue = result.issues[0]
  const path = issue ? v.getDotPath(issue) : null
  return {
    error: path ? `${path}: ${issue?.message}` : 'expected {"type":"subscribe"|"unsubscribe","story":…}',
  }
}

export function subscribedFrame(
  story: string,
  seq: number,
  lastUpdateAt: string | null,
  serverTime: string,
): string {
  return JSON.stringify({ type: 'subscribed', story, seq, lastUpdateAt, serverTime })
}

export function resetFrame(story: string, seq: number): string {
  return JSON.stringify({ type: 'reset', story, seq })
}

export function presenceFrame(story: string, readers: number): string {
  return JSON.stringify({ type: 'presence', story, readers })
}

export function unsubscribedFrame(story: string): string {
  return JSON.stringify({ type: 'unsubscribed', story })
}

export function errorFrame(code: LiveErrorCode, message: string, story?: string): string {
  return JSON.stringify(
    story === undefined ? { type: 'error', code, message } : { type: 'error', code, message, story },
  )
}

const WS_PREFIX = '{"type":"event","event":'

/**
 * One event as each wire wants it, built once per instance and shared by every reader: the
 * websocket frame at once, the rest only when a reader asks (and then from a view of the
 * frame's bytes, not a second copy of the JSON).
 */
export class EventFrames {
  readonly seq: number
  readonly type: string
  /** The websocket frame of `{"type":"event","event":<Event JSON>}`, ready for any socket. */
  readonly ws: Buffer
  #wsWithPing: Buffer | null = null
  #sse: Buffer | null = null

  constructor(seq: number, type: string, eventJson: string) {
    this.seq = seq
    this.type = type
    this.ws = textFrame(`${WS_PREFIX}${eventJson}}`)
  }

  /** The frame followed by a ping, for readers whose ping is due: one write carries both. */
  get wsWithPing(): Buffer {
    this.#wsWithPing ??= Buffer.concat([this.ws, PING_FRAME])
    return this.#wsWithPing
  }

  /** `id: <seq>`, `event: <type>`, `data: <Event JSON>` (stored JSON never holds a raw newline). */
  get sse(): Buffer {
    this.#sse ??= Buffer.concat([
      Buffer.from(`id: ${this.seq}\nevent: ${this.type}\ndata: `),
      this.ws.subarray(payloadOffset(this.ws) + WS_PREFIX.length, this.ws.length - 1),
      SSE_END,
    ])
    return this.#sse
  }

  get byteLength(): number {
    return this.ws.length
  }
}

const SSE_END = Buffer.from('\n\n')

/**
 * A story's reader count as each wire wants it, built once per change and shared by every
 * reader of the story (a tick's change reaches thousands of them).
 */
export class PresenceFrames {
  readonly story: string
  readonly readers: number
  /** The websocket frame of `{"type":"presence","story":…,"readers":…}`. */
  readonly ws: Buffer
  #sse: Buffer | null = null

  constructor(story: string, readers: number) {
    this.story = story
    this.readers = readers
    this.ws = textFrame(presenceFrame(story, readers))
  }

  /** `event: presence` with no id: it is not part of the story's log, so it must not move Last-Event-ID. */
  get sse(): Buffer {
    this.#sse ??= Buffer.from(`event: presence\ndata: ${JSON.stringify({ readers: this.readers })}\n\n`)
    return this.#sse
  }
}

/** What a reader is sent when it joins a story, all in one write. */
export interface Joined {
  story: string
  /** The head: the replay ends here and live events follow it. */
  seq: number
  lastUpdateAt: string | null
  serverTime: string
  /** The catch-up: events after the reader's `since`, up to `seq`. */
  replay: readonly EventFrames[]
  /** The story's readers on every instance, this one included (null where presence is off). */
  readers: number | null
}

/** Close codes the contract fixes. */
export const CLOSE_POLICY = 1008
export const CLOSE_RESTART = 1012
export const CLOSE_TRY_AGAIN_LATER = 1013
