import * as v from 'valibot'

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

export function unsubscribedFrame(story: string): string {
  return JSON.stringify({ type: 'unsubscribed', story })
}

export function errorFrame(code: LiveErrorCode, message: string, story?: string): string {
  return JSON.stringify(
    story === undefined ? { type: 'error', code, message } : { type: 'error', code, message, story },
  )
}

/** The event frame, built by concatenation around the stored Event JSON: serialised once per instance. */
export function eventFrame(eventJson: string): Buffer {
  return Buffer.from(`{"type":"event","event":${eventJson}}`)
}

/** Close codes the contract fixes. */
export const CLOSE_POLICY = 1008
export const CLOSE_RESTART = 1012
export const CLOSE_TRY_AGAIN_LATER = 1013
