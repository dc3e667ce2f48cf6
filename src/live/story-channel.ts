import { canSeeStory } from '../auth/roles.js'
import type { StoryStatus } from '../store/schema.js'
import type { LiveEnv } from './log-source.js'
import { EventFrames } from './protocol.js'
import type { Subscription } from './reader.js'
import { type Ring, RingBudget } from './ring-budget.js'

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve))

/** Events read per query when filling a gap from the log. */
const BACKFILL_PAGE = 500

type Task = () => void | Promise<void>

/** An event as the bus brought it. */
interface ArrivedEvent {
  seq: number
  body: string
}

/**
 * One followed story on this instance: its bus subscription, its delivery position (`lastSeq`),
 * a ring of recent event frames and the readers following it.
 *
 * Everything that touches the position runs through one serial queue: bus messages, gap
 * backfills, head checks and joins. So a reader replaying history never races a live event:
 * live events wait in the queue while it replays, then arrive with seq > what it was sent.
 *
 * The channel never adds or removes a reader's subscriptions itself: the hub does. When a reader
 * must go (the story went back to draft, a hole in the log reset it), the channel tells the hub.
 */
export class StoryChannel implements Ring {
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
  readonly #deps: LiveEnv
  readonly #evict: (sub: Subscription) => void
  readonly #recent: EventFrames[] = []
  #recentBytes = 0
  #queue: Promise<void>
  #unsubscribeBus: (() => void) | null = null
  /** Bus events waiting for the queued task that delivers them (see #onBusEvent). */
  readonly #arrived: ArrivedEvent[] = []
  /** The newest head a check found ahead of us, while its backfill waits in the queue. */
  #pendingHead = 0
  /** The position is read and the ring filled: joins that need no log read can skip the queue. */
  #opened = false
  /** The story's readers on every instance, told to each joiner (null without presence). */
  readonly #countReaders: ((storyId: string) => number) | null

  readonly #budget: RingBudget

  /**
   * @param evict asks the hub to drop a reader that may no longer follow the story
   * @param budget the bound on every channel's ring together (the hub's)
   * @param countReaders the story's readers on every instance, for joiners (presence)
   */
  constructor(
    deps: LiveEnv,
    story: { id: string; slug: string; status: StoryStatus },
    evict: (sub: Subscription) => void,
    budget: RingBudget = new RingBudget(Number.POSITIVE_INFINITY),
    countReaders: ((storyId: string) => number) | null = null,
  ) {
    this.#deps = deps
    this.#evict = evict
    this.#budget = budget
    this.#countReaders = countReaders
    this.storyId = story.id
    this.slug = story.slug
    this.status = story.status
    this.#queue = this.#open().catch((err: unknown) => {
      this.failed = true
      deps.log.warn({ err, storyId: story.id }, 'could not open story channel')
    })
  }

  /**
   * Subscribe to the bus first, then read the head: no event can fall between the two. When the
   * bus could not confirm the subscription in time (down or paused), the head is read again
   * once it does: events committed in between were published to no one here.
   */
  async #open(): Promise<void> {
    this.#unsubscribeBus = await this.#deps.source.follow(
      this.storyId,
      (seq, body) => this.#onBusEvent(seq, body),
      () => void this.#enqueue(() => this.#backfill()),
    )
    // The position and the ring's fill in one read: readers reconnecting with `since` (a deploy,
    // a lost instance) are then replayed from memory, however many arrive, and none reads the log alone.
    const tail = await this.#deps.source.readTail(this.storyId, this.#deps.limits.recentEventsPerStory)
    this.lastSeq = tail.seq
    this.status = tail.status
    this.lastUpdateAt = tail.lastUpdateAt
    for (const row of tail.recent) this.#remember(new EventFrames(row.seq, row.type, row.body))
    this.#opened = true
  }

  #enqueue(task: Task): Promise<void> {
    const run = this.#queue.then(() => (this.closed || this.failed ? undefined : task()))
    this.#queue = run.catch((err: unknown) => {
      this.#deps.log.warn({ err, storyId: this.storyId }, 'story channel task failed')
    })
    return run
  }

  #onBusEvent(seq: number, body: string): void {
    this.#arrived.push({ seq, body })
    // One queued task takes every event that arrives before it runs. At low load that is one
    // event, sent at once; on a saturated story the events that queued while the last fan-out
    // ran go to each reader together, in one write instead of one each.
    if (this.#arrived.length > 1) return
    this.#enqueue(() => this.#deliverArrived())
  }

  async #deliverArrived(): Promise<void> {
    const arrived = this.#arrived.splice(0).sort((a, b) => a.seq - b.seq)
    let batch: ArrivedEvent[] = []
    for (const event of arrived) {
      const head = batch.at(-1)?.seq ?? this.lastSeq
      if (event.seq <= head) continue // already delivered (backfill got there first), or repeated
      if (event.seq > head + 1) {
        // Redis pub/sub is at-most-once: a jump means messages were lost. Fill from the log, in order.
        await this.#deliverBatch(batch)
        batch = []
        await this.#backfill(event.seq - 1)
        if (event.seq !== this.lastSeq + 1) continue
      }
      batch.push(event)
    }
    await this.#deliverBatch(batch)
  }

  /** The periodic head check: the log is ahead of us, so the last bus message(s) were lost. */
  checkHead(head: number): void {
    if (head <= this.lastSeq || head <= this.#pendingHead) return
    // A check already queued takes the newer head with it, rather than waiting for the next interval.
    const queued = this.#pendingHead > this.lastSeq
    this.#pendingHead = head
    if (queued) return
    this.#enqueue(async () => {
      if (this.#pendingHead > this.lastSeq) await this.#backfill(this.#pendingHead)
    })
  }

  /** Delivers events after lastSeq from the events table, up to `upTo` (or the head). */
  async #backfill(upTo = Number.POSITIVE_INFINITY): Promise<void> {
    const from = this.lastSeq
    while (this.lastSeq < upTo) {
      const rows = await this.#deps.source.readEvents(this.storyId, this.lastSeq, BACKFILL_PAGE)
      const first = rows[0]
      if (first && first.seq !== this.lastSeq + 1) this.#skipHole(first.seq - 1)
      for (const row of rows)
        if (row.seq === this.lastSeq + 1) await this.#fanOut([this.#advance(row.seq, row.body)])
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
   * The log has no events between lastSeq and `to` (a restore, a hand-edited table): nobody can
   * be given them. Readers get `reset` (a websocket reader reloads and resubscribes; a stream
   * carries on) and delivery moves on, instead of asking the log for the missing events forever.
   */
  #skipHole(to: number): void {
    this.#deps.log.error(
      { storyId: this.storyId, from: this.lastSeq, to },
      'hole in the event log; resetting readers',
    )
    this.lastSeq = to
    for (const sub of [...this.subscribers]) {
      sub.reader.sendReset(this.storyId, to)
      if (sub.reader.followsAfterReset) sub.lastSent = to
      else this.#evict(sub)
    }
  }

  /**
   * Delivers consecutive events. A story going back to draft changes who may read what comes
   * next, so a batch holding a story change is sent one event at a time.
   */
  async #deliverBatch(events: readonly ArrivedEvent[]): Promise<void> {
    if (events.length <= 1 || events.some((e) => e.body.includes('"type":"story.updated"'))) {
      for (const e of events) await this.#fanOut([this.#advance(e.seq, e.body)])
      return
    }
    await this.#fanOut(events.map((e) => this.#advance(e.seq, e.body)))
  }

  /** Moves the channel's position to event `seq` and keeps its frame: built once, sent to all. */
  #advance(seq: number, body: string): EventFrames {
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
    return frames
  }

  /**
   * Sends events to every subscriber: each frame serialised once, shared by all. A big story
   * is sent in chunks with a turn of the event loop between them, so other work (posts waiting
   * on the database, other stories) is not held up for a whole fan-out. The channel's queue
   * keeps the next events waiting until these are out, so order holds.
   */
  async #fanOut(frames: readonly EventFrames[]): Promise<void> {
    // A snapshot: readers leaving mid-fan-out are marked cancelled and skipped.
    this.#fanoutList ??= [...this.subscribers]
    const readers = this.#fanoutList
    const chunk = this.#deps.limits.fanoutChunk
    const send = (from: number) =>
      frames.length === 1
        ? this.#sendRange(readers, from, from + chunk, frames[0] as EventFrames)
        : this.#sendRangeTogether(readers, from, from + chunk, frames)
    let sent = send(0)
    for (let from = chunk; from < readers.length; from += chunk) {
      await yieldToEventLoop()
      sent += send(from)
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
      try {
        if (sub.reader.sendEvent(frames)) count++
      } catch (err) {
        // One reader's broken socket must not cost the readers after it this event.
        this.#deps.log.warn({ err, storyId: this.storyId, seq }, 'sending to a reader failed; dropping it')
        this.#evict(sub)
      }
    }
    return count
  }

  /** `#sendRange` for several consecutive events: each reader gets its share in one write. */
  #sendRangeTogether(readers: Subscription[], from: number, to: number, frames: readonly EventFrames[]) {
    const end = Math.min(to, readers.length)
    const last = (frames.at(-1) as EventFrames).seq
    let count = 0
    for (let i = from; i < end; i++) {
      const sub = readers[i] as Subscription
      if (sub.cancelled || sub.lastSent >= last) continue
      const first = sub.lastSent
      sub.lastSent = last
      try {
        count += sub.reader.sendEvents(
          first < (frames[0] as EventFrames).seq ? frames : frames.filter((f) => f.seq > first),
        )
      } catch (err) {
        this.#deps.log.warn(
          { err, storyId: this.storyId, seq: last },
          'sending to a reader failed; dropping it',
        )
        this.#evict(sub)
      }
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
    this.#budget.resized(this, this.#recentBytes)
  }

  /** The budget's call: the oldest frames go first (readers further back replay from the log). */
  shrinkBy(bytes: number): number {
    let freed = 0
    while (freed < bytes) {
      const dropped = this.#recent.shift()
      if (!dropped) break
      freed += dropped.byteLength
    }
    this.#recentBytes -= freed
    return freed
  }

  /** A story taken back to draft is no longer public: readers who may not see drafts are dropped. */
  #evictReadersOfDraft(): void {
    for (const sub of this.subscribers) {
      if (canSeeStory(sub.reader.principal, 'draft')) continue
      sub.reader.sendError('forbidden', 'this story is no longer public', this.storyId)
      this.#evict(sub)
    }
  }

  /**
   * Joins a reader (the subscribe handoff): `subscribed` with the head, the replay of `seq > since`
   * (from the ring, else the log) or `reset` past the replay limit, the reader count; then live.
   *
   * A join that needs nothing from the log (the channel is open and the ring holds its replay)
   * happens at once, not in the queue: the position it reads is one the fan-out has already
   * reached, and whatever is queued comes after it. So in a reconnect storm thousands of joins
   * do not wait behind a busy story's fan-outs, nor hold them up. Joins that read the log (a
   * reader further back than the ring, or ahead of this instance) go through the queue.
   * @returns false when the reader was not joined (reset, refused, or cancelled meanwhile)
   */
  join(sub: Subscription, since: number | undefined): Promise<boolean> {
    if (this.#opened && !this.closed && !this.failed && !this.#needsLog(since)) {
      const from = this.#replayStart(sub, since)
      return Promise.resolve(from !== null && this.#admit(sub, this.#recentAfter(from)))
    }
    this.pendingJoins++
    let joined = false
    return this.#enqueue(async () => {
      if (since !== undefined && since > this.lastSeq) await this.#backfill() // we may be behind the log
      const from = this.#replayStart(sub, since)
      if (from === null) return
      const replay = await this.#framesAfter(from)
      joined = this.#admit(sub, replay)
    })
      .catch(() => {})
      .then(() => {
        this.pendingJoins--
        return joined
      })
  }

  /** Whether a join from `since` needs the log: ahead of this channel, or behind its ring but within a replay. */
  #needsLog(since: number | undefined): boolean {
    if (since === undefined || since === this.lastSeq) return false
    if (since > this.lastSeq) return true
    if (this.lastSeq - since > this.#deps.limits.replayLimit) return false // a reset needs no events
    return !this.#ringReaches(since)
  }

  /** The ring holds every frame after `since`. */
  #ringReaches(since: number): boolean {
    const oldest = this.#recent[0]
    return since === this.lastSeq || (oldest !== undefined && oldest.seq <= since + 1)
  }

  /**
   * Where the reader's replay starts (the head for none), or null when it is not joined: gone
   * meanwhile, refused, or reset and not following on. Refusals and resets are sent here.
   */
  #replayStart(sub: Subscription, since: number | undefined): number | null {
    const reader = sub.reader
    if (sub.cancelled || reader.closed) return null
    if (!canSeeStory(reader.principal, this.status)) {
      reader.sendError('not_found', `story ${this.slug} does not exist`, this.storyId)
      return null
    }
    const head = this.lastSeq
    if (since === undefined) return head
    if (since > head) {
      reader.sendError('bad_request', `since (${since}) is ahead of the story's head (${head})`, this.storyId)
      return null
    }
    if (head - since > this.#deps.limits.replayLimit) {
      reader.sendReset(this.storyId, head)
      return reader.followsAfterReset ? head : null
    }
    return since
  }

  /** Sends the joiner everything up to the head in one write and makes it live: synchronous, so no event falls between. */
  #admit(sub: Subscription, replay: readonly EventFrames[]): boolean {
    if (sub.cancelled || sub.reader.closed) return false
    sub.lastSent = this.lastSeq
    this.subscribers.add(sub)
    this.#fanoutList = null
    this.#deps.metrics.subscriptions.inc()
    sub.reader.sendJoined({
      story: this.storyId,
      seq: this.lastSeq,
      lastUpdateAt: this.lastUpdateAt,
      serverTime: this.#deps.clock().toISOString(),
      replay,
      readers: this.#countReaders?.(this.storyId) ?? null,
    })
    this.#deps.metrics.framesDelivered.inc(replay.length)
    return true
  }

  /** The ring's frames after `since` (the caller checked that it reaches back that far). */
  #recentAfter(since: number): EventFrames[] {
    if (since === this.lastSeq) return []
    this.#budget.touched(this)
    return this.#recent.filter((e) => e.seq > since)
  }

  /** Frames for seq in (since, lastSeq]: from the in-memory ring when it reaches back far enough. */
  async #framesAfter(since: number): Promise<EventFrames[]> {
    if (this.#ringReaches(since)) return this.#recentAfter(since)
    this.#budget.touched(this)
    const rows = await this.#deps.source.readEvents(this.storyId, since, this.lastSeq - since)
    return rows.map((row) => new EventFrames(row.seq, row.type, row.body))
  }

  /** Removes a subscriber at once (the hub's call: unsubscribe, eviction, closed connection). */
  remove(sub: Subscription): void {
    sub.cancelled = true
    if (this.subscribers.delete(sub)) {
      this.#fanoutList = null
      this.#deps.metrics.subscriptions.dec()
    }
  }

  get idle(): boolean {
    return this.subscribers.size === 0 && this.pendingJoins === 0
  }

  close(): void {
    this.closed = true
    this.#budget.removed(this)
    this.#recent.length = 0
    this.#recentBytes = 0
    this.#unsubscribeBus?.()
    this.#unsubscribeBus = null
  }

  /** For shutdown and tests: resolves when every queued task has run. */
  settled(): Promise<void> {
    return this.#queue
  }
}
