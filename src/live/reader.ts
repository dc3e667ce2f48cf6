import type { Principal } from '../auth/roles.js'
import type { EventFrames, Joined, LiveErrorCode, PresenceFrames } from './protocol.js'

/**
 * Someone following stories through the hub: a websocket connection or a server-sent-events
 * stream. The hub and story channels speak to readers only through this, so both wires get the
 * same ordering, replay and slow-reader rules from the one fan-out.
 */
export interface Reader {
  readonly principal: Principal | null
  /** storyId -> the subscription's delivery position (including subscriptions still joining). */
  readonly subscriptions: Map<string, Subscription>
  readonly closed: boolean
  /**
   * After a `reset` (the reader is too far behind to replay), a websocket reader resubscribes
   * itself; a stream has no way to ask, so it carries on from the head.
   */
  readonly followsAfterReset: boolean
  /** @returns false when the frame was not sent (closed, or just closed for being too slow) */
  sendEvent(frames: EventFrames): boolean
  /**
   * Consecutive events in one write (they queued for a saturated story), in order, each held
   * to the slow-reader bound as `sendEvent` is. @returns how many were sent
   */
  sendEvents(frames: readonly EventFrames[]): number
  /**
   * `subscribed`, the catch-up and the reader count, in one write. The catch-up is bounded by the
   * replay limit and not held to the slow-reader bound: a reader far behind would otherwise be
   * cut off mid-replay, reconnect and be cut again.
   */
  sendJoined(joined: Joined): void
  sendReset(story: string, seq: number): void
  sendUnsubscribed(story: string): void
  /**
   * How many read the story on every instance, on change at most once a tick. It may wait for
   * the reader's next write (an event, or the next heartbeat tick) to travel with it.
   */
  sendPresence(frames: PresenceFrames): void
  sendError(code: LiveErrorCode, message: string, story?: string): void
  /** Ends the reader's connection; `code` is a websocket close code (streams just end). */
  close(code: number, reason: string): void
}

/** A reader following one story: `lastSent` is the seq it has seen, so nothing is sent twice. */
export interface Subscription {
  readonly reader: Reader
  readonly storyId: string
  lastSent: number
  cancelled: boolean
}
