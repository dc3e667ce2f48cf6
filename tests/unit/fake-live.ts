import { pino } from 'pino'
import type { Principal } from '../../src/auth/roles.js'
import { DEFAULT_LIMITS, type Limits } from '../../src/config.js'
import type { StoredEvent } from '../../src/events/event-log.js'
import type { LiveEnv, LogSource } from '../../src/live/log-source.js'
import type { EventFrames, Joined, LiveErrorCode, PresenceFrames } from '../../src/live/protocol.js'
import type { Reader, Subscription } from '../../src/live/reader.js'
import { createMetrics } from '../../src/metrics.js'
import type { StoryStatus } from '../../src/store/schema.js'

/**
 * An in-memory event log and bus for the live path's unit tests: `append` writes to the log,
 * `publish` is the bus message (which a test may also leave out, as Redis may lose it).
 */
export class FakeLog implements LogSource {
  readonly stories = new Map<string, { slug: string; status: StoryStatus; events: StoredEvent[] }>()
  readonly followers = new Map<string, Set<(seq: number, body: string) => void>>()
  readonly reconnectListeners: Array<() => void> = []
  reads = 0

  addStory(id: string, status: StoryStatus = 'live'): void {
    this.stories.set(id, { slug: `${id}-slug`, status, events: [] })
  }

  /** Appends an event to the log; `publish` (default true) also sends its bus message. */
  append(storyId: string, type = 'update.created', extra: Record<string, unknown> = {}, publish = true) {
    const story = this.#story(storyId)
    const seq = (story.events.at(-1)?.seq ?? 0) + 1
    const body = JSON.stringify({
      story: storyId,
      seq,
      type,
      at: new Date(0).toISOString(),
      lastUpdateAt: null,
      ...extra,
    })
    story.events.push({ seq, type, body })
    if (type === 'story.updated' && extra.storyState)
      story.status = (extra.storyState as { status: StoryStatus }).status
    if (publish) this.publish(storyId, seq)
    return seq
  }

  publish(storyId: string, seq: number): void {
    const event = this.#story(storyId).events.find((e) => e.seq === seq)
    if (!event) throw new Error(`no event ${seq}`)
    for (const f of this.followers.get(storyId) ?? []) f(seq, event.body)
  }

  #story(id: string) {
    const story = this.stories.get(id)
    if (!story) throw new Error(`no story ${id}`)
    return story
  }

  lookups = 0

  async findStory(ref: string) {
    this.lookups++
    for (const [id, s] of this.stories) {
      if (id === ref || s.slug === ref) return { id, slug: s.slug, status: s.status }
    }
    return undefined
  }

  async follow(storyId: string, onEvent: (seq: number, body: string) => void) {
    const set = this.followers.get(storyId) ?? new Set()
    this.followers.set(storyId, set)
    set.add(onEvent)
    return () => {
      set.delete(onEvent)
      if (set.size === 0) this.followers.delete(storyId)
    }
  }

  onReconnect(listener: () => void): void {
    this.reconnectListeners.push(listener)
  }

  async readEvents(storyId: string, since: number, limit: number) {
    this.reads++
    return this.#story(storyId)
      .events.filter((e) => e.seq > since)
      .slice(0, limit)
  }

  async readTail(storyId: string, recent: number) {
    this.reads++
    const story = this.#story(storyId)
    return {
      seq: story.events.at(-1)?.seq ?? 0,
      status: story.status,
      lastUpdateAt: null,
      recent: recent > 0 ? story.events.slice(-recent) : [],
    }
  }

  async readHeads(storyIds: string[]) {
    return new Map(storyIds.map((id) => [id, this.#story(id).events.at(-1)?.seq ?? 0]))
  }
}

export function liveEnv(source: FakeLog, limits: Partial<Limits> = {}): LiveEnv {
  return {
    source,
    limits: { ...DEFAULT_LIMITS, headCheckIntervalMs: 3_600_000, ...limits },
    metrics: createMetrics(),
    log: pino({ level: 'silent' }),
    clock: () => new Date(0),
  }
}

/** A reader that records what it was sent; `failOn` makes sendEvent throw for that seq. */
export class FakeReader implements Reader {
  readonly principal: Principal | null = null
  readonly subscriptions = new Map<string, Subscription>()
  readonly followsAfterReset: boolean
  closed = false
  readonly seqs: number[] = []
  /** The seqs of each write: events sent together share one. */
  readonly writes: number[][] = []
  readonly frames: string[] = []
  failOn: number | null = null

  constructor(followsAfterReset = false) {
    this.followsAfterReset = followsAfterReset
  }

  sendEvent(frames: EventFrames): boolean {
    if (this.failOn === frames.seq) throw new Error('socket broke')
    this.seqs.push(frames.seq)
    this.writes.push([frames.seq])
    return true
  }
  sendEvents(frames: readonly EventFrames[]): number {
    for (const f of frames) if (this.failOn === f.seq) throw new Error('socket broke')
    this.seqs.push(...frames.map((f) => f.seq))
    this.writes.push(frames.map((f) => f.seq))
    return frames.length
  }
  sendJoined(joined: Joined): void {
    this.frames.push(`subscribed ${joined.story} ${joined.seq}`)
    for (const f of joined.replay) this.seqs.push(f.seq)
    if (joined.readers !== null) this.frames.push(`presence ${joined.story} ${joined.readers}`)
  }
  sendReset(story: string, seq: number): void {
    this.frames.push(`reset ${story} ${seq}`)
  }
  sendPresence(frames: PresenceFrames): void {
    this.frames.push(`presence ${frames.story} ${frames.readers}`)
  }
  sendUnsubscribed(story: string): void {
    this.frames.push(`unsubscribed ${story}`)
  }
  sendError(code: LiveErrorCode, _message: string, story?: string): void {
    this.frames.push(`error ${code} ${story ?? ''}`.trim())
  }
  close(code: number): void {
    this.closed = true
    this.frames.push(`close ${code}`)
  }
}

export function subscription(reader: Reader, storyId: string): Subscription {
  return { reader, storyId, lastSent: 0, cancelled: false }
}
