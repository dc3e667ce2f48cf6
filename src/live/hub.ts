import { canSeeStory } from '../auth/roles.js'
import type { LiveEnv } from './log-source.js'
import { CLOSE_TRY_AGAIN_LATER, PresenceFrames } from './protocol.js'
import type { Reader, Subscription } from './reader.js'
import { RingBudget } from './ring-budget.js'
import { StoryChannel } from './story-channel.js'

/**
 * The instance's local fan-out: storyId -> StoryChannel. A channel exists (and is subscribed on
 * the bus) only while this instance has readers for the story. A timer checks the heads of
 * followed stories against the log, which catches bus messages that were lost entirely.
 *
 * The hub is the one owner of subscriptions: only it adds a reader's subscription to a channel
 * and to the reader's map, and removes it from both; a channel asks it to evict a reader.
 */
export class Hub {
  readonly #deps: LiveEnv
  readonly #channels = new Map<string, StoryChannel>()
  readonly #bySlug = new Map<string, StoryChannel>()
  /** Every channel's ring of recent frames together stays within `limits.recentBytesTotal`. */
  readonly #ringBudget: RingBudget
  readonly #lookups = new Map<string, ReturnType<LiveEnv['source']['findStory']>>()
  #headCheckTimer: NodeJS.Timeout | null = null
  #checkingHeads = false

  readonly #presence: { readers(storyId: string): number } | null

  /** @param presence the reader counts across instances, told to each reader as it joins (with its `subscribed`) */
  constructor(deps: LiveEnv, presence: { readers(storyId: string): number } | null = null) {
    this.#deps = deps
    this.#presence = presence
    this.#ringBudget = new RingBudget(deps.limits.recentBytesTotal)
    this.#headCheckTimer = setInterval(() => void this.checkHeads(), deps.limits.headCheckIntervalMs)
    this.#headCheckTimer.unref()
    deps.source.onReconnect(() => {
      deps.metrics.busReconnects.inc()
      deps.log.info('bus reconnected; checking story heads for lost messages')
      void this.checkHeads()
    })
  }

  /**
   * Follows `ref` (id or slug) on `conn`; answers on the reader (subscribed/replay/reset/error).
   * @returns whether the reader joined the story's live stream
   */
  async subscribe(conn: Reader, ref: string, since: number | undefined): Promise<boolean> {
    if (conn.closed) return false
    const stopTimer = this.#deps.metrics.subscribeSeconds.startTimer()
    try {
      return await this.#subscribe(conn, ref, since)
    } finally {
      stopTimer()
    }
  }

  async #subscribe(conn: Reader, ref: string, since: number | undefined): Promise<boolean> {
    const limit = this.#deps.limits.maxSubscriptionsPerConnection
    const existing = this.#channelFor(ref)
    const resubscribe = existing ? conn.subscriptions.has(existing.storyId) : false
    if (!resubscribe && conn.subscriptions.size >= limit) {
      conn.sendError('too_many_subscriptions', `at most ${limit} stories per connection`, ref)
      return false
    }
    // A connection's frames run one at a time, so no other subscribe of it is in flight here.
    const channel = existing ?? (await this.#openChannel(conn, ref))
    if (!channel) return false
    if (conn.closed) {
      // The reader went while the story was looked up: a channel opened for it alone must not
      // stay behind with no reader (its bus subscription, ring and head checks would leak).
      this.#closeIfIdle(channel)
      return false
    }
    const previous = conn.subscriptions.get(channel.storyId)
    if (previous) this.#leave(channel, previous) // a second subscribe restarts the stream from its `since`
    const sub: Subscription = {
      reader: conn,
      storyId: channel.storyId,
      lastSent: 0,
      cancelled: false,
    }
    // Registered before it joins, so an unsubscribe sent meanwhile finds (and cancels) it.
    conn.subscriptions.set(channel.storyId, sub)
    const joined = await channel.join(sub, since)
    if (!joined && conn.subscriptions.get(channel.storyId) === sub) conn.subscriptions.delete(channel.storyId)
    if (channel.failed) {
      // The database or bus is down: tell the reader to come back, rather than leave it hanging.
      conn.close(CLOSE_TRY_AGAIN_LATER, 'service unavailable')
    }
    if (!joined) this.#closeIfIdle(channel)
    return joined
  }

  unsubscribe(conn: Reader, ref: string): void {
    const channel = this.#channelFor(ref)
    const sub = channel ? conn.subscriptions.get(channel.storyId) : undefined
    if (!channel || !sub) {
      conn.sendError('bad_request', `not subscribed to ${ref}`, ref)
      return
    }
    this.#leave(channel, sub)
    conn.sendUnsubscribed(channel.storyId)
    this.#closeIfIdle(channel)
  }

  /** A closed reader leaves every story it followed. */
  dropReader(conn: Reader): void {
    for (const sub of [...conn.subscriptions.values()]) {
      const channel = this.#channels.get(sub.storyId)
      if (!channel) {
        sub.cancelled = true
        continue
      }
      this.#leave(channel, sub)
      this.#closeIfIdle(channel)
    }
  }

  /** Takes a subscription out of its channel and its reader's map: the only place that does. */
  #leave(channel: StoryChannel, sub: Subscription): void {
    channel.remove(sub)
    if (sub.reader.subscriptions.get(channel.storyId) === sub)
      sub.reader.subscriptions.delete(channel.storyId)
  }

  /**
   * One lookup per story however many readers subscribe to it at once (a reconnect storm): the
   * subscribes that arrive while it runs share it.
   */
  #findStory(ref: string): ReturnType<LiveEnv['source']['findStory']> {
    let lookup = this.#lookups.get(ref)
    if (!lookup) {
      lookup = this.#deps.source.findStory(ref)
      this.#lookups.set(ref, lookup)
      const done = () => this.#lookups.delete(ref)
      lookup.then(done, done)
    }
    return lookup
  }

  #channelFor(ref: string): StoryChannel | undefined {
    return this.#channels.get(ref) ?? this.#bySlug.get(ref)
  }

  async #openChannel(conn: Reader, ref: string): Promise<StoryChannel | null> {
    let story: Awaited<ReturnType<LiveEnv['source']['findStory']>>
    try {
      story = await this.#findStory(ref)
    } catch (err) {
      this.#deps.log.warn({ err, ref }, 'could not resolve story for a subscription')
      conn.close(CLOSE_TRY_AGAIN_LATER, 'service unavailable')
      return null
    }
    // A draft is 'not found' to those who may not see it: its existence is newsroom-internal.
    if (!story || !canSeeStory(conn.principal, story.status)) {
      conn.sendError('not_found', `story ${ref} does not exist`, ref)
      return null
    }
    // Another subscribe may have opened it while we looked the story up.
    const raced = this.#channels.get(story.id)
    if (raced) return raced
    const channel: StoryChannel = new StoryChannel(
      this.#deps,
      story,
      (sub) => {
        // Evicted (the story went back to draft, or the reader broke): when it was the last
        // reader, the channel goes too, with its bus subscription, ring and head checks.
        this.#leave(channel, sub)
        this.#closeIfIdle(channel)
      },
      this.#ringBudget,
      this.#presence ? (storyId) => this.#presence?.readers(storyId) ?? 0 : null,
    )
    this.#channels.set(channel.storyId, channel)
    this.#bySlug.set(channel.slug, channel)
    this.#deps.metrics.storiesFollowed.set(this.#channels.size)
    return channel
  }

  #closeIfIdle(channel: StoryChannel): void {
    if (!channel.idle && !channel.failed) return
    if (this.#channels.get(channel.storyId) !== channel) return
    channel.close()
    this.#channels.delete(channel.storyId)
    this.#bySlug.delete(channel.slug)
    this.#deps.metrics.storiesFollowed.set(this.#channels.size)
  }

  /** Compares each followed story's head in the log with what was delivered, and backfills. */
  async checkHeads(): Promise<void> {
    if (this.#checkingHeads || this.#channels.size === 0) return
    this.#checkingHeads = true
    try {
      const heads = await this.#deps.source.readHeads([...this.#channels.keys()])
      for (const [storyId, head] of heads) this.#channels.get(storyId)?.checkHead(head)
    } catch (err) {
      this.#deps.log.warn({ err }, 'head check failed')
    } finally {
      this.#checkingHeads = false
    }
  }

  /** Readers per followed story on this instance (websocket and SSE alike). */
  readerCounts(): Map<string, number> {
    const counts = new Map<string, number>()
    for (const [storyId, channel] of this.#channels) counts.set(storyId, channel.subscribers.size)
    return counts
  }

  /** Readers of one story on this instance: what a joining reader's count needs, without a map of all. */
  readerCount(storyId: string): number {
    return this.#channels.get(storyId)?.subscribers.size ?? 0
  }

  /** Tells every reader of the story on this instance how many read it everywhere. */
  sendPresence(storyId: string, readers: number): void {
    const channel = this.#channels.get(storyId)
    if (!channel) return
    const frames = new PresenceFrames(storyId, readers)
    for (const sub of channel.subscribers) sub.reader.sendPresence(frames)
  }

  get channelCount(): number {
    return this.#channels.size
  }

  close(): void {
    if (this.#headCheckTimer) clearInterval(this.#headCheckTimer)
    this.#headCheckTimer = null
    for (const channel of this.#channels.values()) channel.close()
    this.#channels.clear()
    this.#bySlug.clear()
  }
}
