import type { Principal } from '../auth/roles.js'
import type { Deps } from '../deps.js'
import { decodeBusMessage, storyTopic } from '../events/bus-message.js'
import {
  getStoryRowOrThrow,
  readEvents,
  readHeads,
  readStoryPosition,
  type StoredEvent,
  type StoryPosition,
} from '../events/event-log.js'
import type { StoryStatus } from '../store/schema.js'

/**
 * All the live path needs of the event log and the bus, and nothing more: the hub and the story
 * channels take this instead of all of Deps, so they can be tested alone against a fake log.
 */
export interface LogSource {
  /** The story `ref` (id or slug) names, as `principal` may see it; throws AppError('not_found'). */
  findStory(
    principal: Principal | null,
    ref: string,
  ): Promise<{ id: string; slug: string; status: StoryStatus }>
  /** Follows the story's events on the bus; resolves once subscribed. @returns unfollow */
  follow(storyId: string, onEvent: (seq: number, body: string) => void): Promise<() => void>
  /** Runs after the bus reconnects: messages may have been lost meanwhile. */
  onReconnect(listener: () => void): void
  readEvents(storyId: string, since: number, limit: number): Promise<StoredEvent[]>
  readPosition(storyId: string): Promise<StoryPosition>
  readHeads(storyIds: string[]): Promise<Map<string, number>>
}

/** The log source of a running service: Postgres for the log, the bus for live hints. */
export function logSourceOf(deps: Pick<Deps, 'db' | 'bus'>): LogSource {
  const { db, bus } = deps
  return {
    findStory: (principal, ref) => getStoryRowOrThrow(db, principal, ref),
    follow: (storyId, onEvent) =>
      bus.subscribe(storyTopic(storyId), (message) => {
        const decoded = decodeBusMessage(message)
        if (decoded) onEvent(decoded.seq, decoded.body)
      }),
    onReconnect: (listener) => bus.onReconnect(listener),
    readEvents: (storyId, since, limit) => readEvents(db, storyId, since, limit),
    readPosition: (storyId) => readStoryPosition(db, storyId),
    readHeads: (storyIds) => readHeads(db, storyIds),
  }
}

/** What the hub and its channels are built from. */
export interface LiveEnv extends Pick<Deps, 'limits' | 'metrics' | 'log' | 'clock'> {
  source: LogSource
}
