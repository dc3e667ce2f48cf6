import type { Deps } from '../deps.js'
import { decodeBusMessage, storyTopic } from '../events/bus-message.js'
import {
  readEvents,
  readHeads,
  readStoryByRef,
  readStoryTail,
  type StoredEvent,
  type StoryTail,
} from '../events/event-log.js'
import type { StoryStatus } from '../store/schema.js'

/**
 * All the live path needs of the event log and the bus, and nothing more: the hub and the story
 * channels take this instead of all of Deps, so they can be tested alone against a fake log.
 */
export interface LogSource {
  /** The story `ref` (id or slug) names, whoever asks (the hub checks visibility); undefined when none. */
  findStory(ref: string): Promise<{ id: string; slug: string; status: StoryStatus } | undefined>
  /**
   * Follows the story's events on the bus; resolves once subscribed, or after a bounded wait, and
   * then `onLateStart` runs when the subscription is confirmed (see Bus.subscribe). @returns unfollow
   */
  follow(
    storyId: string,
    onEvent: (seq: number, body: string) => void,
    onLateStart?: () => void,
  ): Promise<() => void>
  /** Runs after the bus reconnected and resubscribed (confirmed): messages may have been lost meanwhile. */
  onReconnect(listener: () => void): void
  readEvents(storyId: string, since: number, limit: number): Promise<StoredEvent[]>
  /** The story's position and its latest `recent` events, in one read. */
  readTail(storyId: string, recent: number): Promise<StoryTail>
  readHeads(storyIds: string[]): Promise<Map<string, number>>
}

/**
 * The log source of a running service: Postgres for the log, the bus for live hints. Every read
 * is counted (`liveline_live_log_reads_total`), so a reconnect storm's cost can be watched.
 */
export function logSourceOf(deps: Pick<Deps, 'db' | 'bus' | 'metrics'>): LogSource {
  const { db, bus } = deps
  const counted = <T>(read: Promise<T>): Promise<T> => {
    deps.metrics.liveLogReads.inc()
    return read
  }
  return {
    findStory: (ref) => counted(readStoryByRef(db, ref)),
    follow: (storyId, onEvent, onLateStart) =>
      bus.subscribe(
        storyTopic(storyId),
        (message) => {
          const decoded = decodeBusMessage(message)
          if (decoded) onEvent(decoded.seq, decoded.body)
        },
        onLateStart,
      ),
    onReconnect: (listener) => bus.onReconnect(listener),
    readEvents: (storyId, since, limit) => counted(readEvents(db, storyId, since, limit)),
    readTail: (storyId, recent) => counted(readStoryTail(db, storyId, recent)),
    readHeads: (storyIds) => counted(readHeads(db, storyIds)),
  }
}

/** What the hub and its channels are built from. */
export interface LiveEnv extends Pick<Deps, 'limits' | 'metrics' | 'log' | 'clock'> {
  source: LogSource
}
