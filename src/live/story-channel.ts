import { canSeeStory } from '../auth/roles.js'
import type { Deps } from '../deps.js'
import { decodeBusMessage, storyTopic } from '../events/bus-message.js'
import { readEvents, readStoryPosition } from '../events/event-log.js'
import type { StoryStatus } from '../store/schema.js'
import { EventFrames } from './protocol.js'
import type { Subscription } from './reader.js'

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Events read per query when filling a gap from the log. */
const BACKFILL_PAGE = 500

type Task = () => void | Promise<void>

/**
 * One followed story on this instance: its bus subscription, its delivery position (`lastSeq`),
 * a ring of recent event frames and the readers following it.
 *
 * Everything that touches the position runs through one serial queue: bus messages, gap
 * backfills, head checks and joins. So a reader replaying history never races a live event:
 * live events wait in the queue while it replays, then arrive with seq > what it was sent.
 */
export class StoryChannel {
  readonly storyId: string
  readonly slug: string
  status: StoryStatus
  lastUpdateAt: string | null = null
  /** Highest seq delivered here; the channel's subscribers have all seen everything up to it. */
  lastSeq = 0
  readonly subscribers = new Set<Subscription>()
  /** The subscribers as an array for the send loop, rebuilt only when one joins or leaves. */
  #fanoutList: Subscription[] | null = null
  /** Joins waiting in the queue: the channel stays open for them even with no subscriber yet. */
  pendingJoins = 0
  closed = false
  /** Set when the channel could not open (database or bus down): the hub discards it. */
  failed = false
  readonly #deps: Deps
  readonly #recent: EventFrames[] = []
  #recentBytes = 0
  #queue: Promise<void>
  #unsubscribeBus: (() => void) | null = null
  #headCheckQueued = false

  constructor(deps: Deps, story: { id: string; slug: string; status: StoryStatus }) {
    this.#deps = deps
    this.storyId = story.id
    this.slug = story.slug
    this.status = story.status
    this.#queue = this.#open().catch((err: unknown) => {
      this.failed = true
      deps.log.warn({ err, storyId: story.id }, 'could not open story channel')
    })
  }

  /** Subscribe to the bus first, then read the head: no event can fall between the two. */
  async #open(): Promise<void> {
    this.#unsubscribeBus = await this.#deps.bus.subscribe(storyTopic(this.storyId), (message) =>
      this.#onBusMessage(message),
    )
    const position = await readStoryPosition(this.#deps.db, this.storyId)
    this.lastSeq = position.seq
    this.status = position.status
    this.lastUpdateAt = position.lastUpdateAt
  }

  #enqueue(task: Task): Promise<void> {
    const run = this.#queue.then(() => (this.closed || this.failed ? undefined : task()))
    this.#queue = run.catch((err: unknown) => {
      this.#deps.log.warn({ err, storyId: this.storyId }, 'story channel task failed')
    })
    return run
  }

  #onBusMessage(message: string): void {
    const decoded = decodeBusMessage(message)
    if (!decoded) return
    this.#enqueue(async () => {
      const { seq, body } = decoded
      if (seq <= this.lastSeq) return // already delivered (backfill got there first)
      // Redis pub/sub is at-most-once: a jump means messages were lost. Fill from the log, in order.
      if (seq > this.lastSeq + 1) await this.#backfill(seq - 1)
      if (seq === this.lastSeq + 1) await this.#deliver(seq, body)
    })
  }

  /** The periodic head check: the log is ahead of us, so the last bus message(s) were lost. */
  checkHead(head: number): void {
    if (head <= this.lastSeq || this.#headCheckQueued) return
    this.#headCheckQueued = true
    this.#enqueue(async () => {
      this.#headCheckQueued = false
      if (head > this.lastSeq) await this.#backfill(head)
    })
  }

  /** Delivers events after lastSeq from the events table, up to `upTo` (or the head). */
  async #backfill(upTo = Number.POSITIVE_INFINITY): Promise<void> {
    const from = this.lastSeq
    while (this.lastSeq < upTo) {
      const rows = await readEvents(this.#deps.db, this.storyId, this.lastSeq, BACKFILL_PAGE)
      for (const row of rows) if (row.seq === this.lastSeq + 1) await this.#deliver(row.seq, row.body)
      if (rows.length < BACKFILL_PAGE) break
    }
    if (this.lastSeq > from) {
      this.#deps.metrics.gapBackfills.inc()
      this.#deps.log.info(
        { storyId: this.storyId, from, to: this.lastSeq },
        'filled a gap from the events table',
      )
    }
  }

  /**
   * Sends one event to every subscriber: one frame, serialised once, shared by all. A big story
   * is sent in chunks with a turn of the event loop between them, so other work (posts waiting
   * on the database, other stories) is not held up for a whole fan-out. The channel's queue
   * keeps the next event waiting until this one is out, so order holds.
   */
  async #deliver(seq: number, body: string): Promise<void> {
    const event = JSON.parse(body) as {
      type: string
      lastUpdateAt: string | null
      storyState?: { status: StoryStatus }
    }
    const frames = new EventFrames(seq, event.type, body)
    this.lastSeq = seq
    this.lastUpdateAt = event.lastUpdateAt
    this.#remember(frames)
    if (event.type === 'story.updated' && event.storyState) {
      this.status = event.storyState.status
      if (this.status === 'draft') this.#evictReadersOfDraft()
    }
    // A snapshot: readers leaving mid-fan-out are marked cancelled and skipped.
    this.#fanoutList ??= [...this.subscribers]
    const readers = this.#fanoutList
    const chunk = this.#deps.limits.fanoutChunk
    let sent = this.#sendRange(readers, 0, chunk, frames)
    for (let from = chunk; from < readers.length; from += chunk) {
      await yieldToEventLoop()
      sent += this.#sendRange(readers, from, from + chunk, frames)
    }
    this.#deps.metrics.framesDelivered.inc(sent)
  }

  /** The hot loop, kept synchronous: sends to readers[from, to). */
  #sendRange(readers: Subscription[], from: number, to: number, frames: EventFrames): number {
    const end = Math.min(to, readers.length)
    const seq = frames.seq
    let count = 0
    for (let i = from; i < end; i++) {
      const sub = readers[i] as Subscription
      if (sub.cancelled || sub.lastSent >= seq) continue
      sub.lastSent = seq
      if (sub.reader.sendEvent(frames)) count++
    }
    return count
  }

  /** Keeps the frame in the ring of recent events, within its count and byte bounds. */
  #remember(frames: EventFrames): void {
    const { recentEventsPerStory, recentBytesPerStory } = this.#deps.limits
    this.#recent.push(frames)
    this.#recentBytes += frames.byteLength
    while (this.#recent.length > recentEventsPerStory || this.#recentBytes > recentBytesPerStory) {
      const dropped = this.#recent.shift()
      if (!dropped) break
      this.#recentBytes -= dropped.byteLength
    }
  }

  /** A story taken back to draft is no longer public: readers who may not see drafts are dropped. */
  #evictReadersOfDraft(): void {
    for (const sub of this.subscribers) {
      if (canSeeStory(sub.reader.principal, 'draft')) continue
      sub.reader.sendError('forbidden', 'this story is no longer public', this.storyId)
      this.remove(sub)
    }
  }

  /**
   * Joins a reader (the subscribe handoff). In the queue: send `subscribed` with the head, replay
   * `seq > since` (from the ring, else the log), or `reset` past the replay limit; then go live.
   * @returns false when the reader was not joined (reset, refused, or cancelled meanwhile)
   */
  join(sub: Subscription, since: number | undefined): Promise<boolean> {
    this.pendingJoins++
    let joined = false
    return this.#enqueue(async () => {
      const reader = sub.reader
      if (sub.cancelled || reader.closed) return
      if (!canSeeStory(reader.principal, this.status)) {
        reader.sendError('not_found', `story ${this.slug} does not exist`, this.storyId)
        return
      }
      if (since !== undefined && since > this.lastSeq) await this.#backfill() // we may be behind the log
      const head = this.lastSeq
      let from = since
      if (from !== undefined && from > head) {
        reader.sendError(
          'bad_request',
          `since (${from}) is ahead of the story's head (${head})`,
          this.storyId,
        )
        return
      }
      if (from !== undefined && head - from > this.#deps.limits.replayLimit) {
        reader.sendReset(this.storyId, head)
        if (!reader.followsAfterReset) return
        from = head
      }
      const replay = from === undefined || from === head ? [] : await this.#framesAfter(from, head)
      if (sub.cancelled || reader.closed) return
      reader.sendSubscribed(this.storyId, head, this.lastUpdateAt, this.#deps.clock().toISOString())
      reader.sendReplay(replay)
      this.#deps.metrics.framesDelivered.inc(replay.length)
      sub.lastSent = head
      this.subscribers.add(sub)
      this.#fanoutList = null
      this.#deps.metrics.subscriptions.inc()
      joined = true
    })
      .catch(() => {})
      .then(() => {
        this.pendingJoins--
        return joined
      })
  }

  /** Frames for seq in (since, head]: from the in-memory ring when it reaches back far enough. */
  async #framesAfter(since: number, head: number): Promise<EventFrames[]> {
    const oldest = this.#recent[0]
    if (oldest && oldest.seq <= since + 1) {
      return this.#recent.filter((e) => e.seq > since && e.seq <= head)
    }
    const rows = await readEvents(this.#deps.db, this.storyId, since, head - since)
    return rows.map((row) => new EventFrames(row.seq, row.type, row.body))
  }

  /** Removes a subscriber at once (unsubscribe, eviction, closed connection). */
  remove(sub: Subscription): void {
    sub.cancelled = true
    if (this.subscribers.delete(sub)) {
      this.#fanoutList = null
      this.#deps.metrics.subscriptions.dec()
    }
    if (sub.reader.subscriptions.get(this.storyId) === sub) sub.reader.subscriptions.delete(this.storyId)
  }

  get idle(): boolean {
    return this.subscribers.size === 0 && this.pendingJoins === 0
  }

  close(): void {
    this.closed = true
    this.#unsubscribeBus?.()
    this.#unsubscribeBus = null
  }

  /** For shutdown and tests: resolves when every queued task has run. */
  settled(): Promise<void> {
    return this.#queue
  }
}
