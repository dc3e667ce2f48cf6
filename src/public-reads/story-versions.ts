import { dropLeastRecent, setMostRecent } from '../lib/recency.js'
import type { Clock } from '../lib/time.js'
import type { StoryStatus } from '../store/schema.js'
import { stillTrusted } from './trusted-read.js'

/** Where a story stands, as an instance last learned it. */
export interface StoryVersion {
  storyId: string
  seq: number
  status: StoryStatus
  /** When the database last confirmed it (hints from the bus do not count: they may be lost). */
  confirmedAt: number
}

export type ReadStoryVersion = (
  ref: string,
) => Promise<{ id: string; slug: string; seq: number; status: StoryStatus } | undefined>

/**
 * Each story's current seq as this instance knows it, so a cached answer can be checked with a
 * lookup instead of a query. Bus hints move a story forward at once on every instance; a version
 * is trusted for `trustMs` after the database last confirmed it, which bounds how stale an answer
 * can be when a hint is lost, and a version in use is confirmed again before that (see
 * REFRESH_AFTER_SHARE). Bounded: the least recently used stories are forgotten first.
 */
export class StoryVersions {
  readonly #read: ReadStoryVersion
  readonly #trustMs: number
  readonly #maxStories: number
  readonly #clock: Clock
  readonly #byId = new Map<string, StoryVersion>()
  readonly #idByRef = new Map<string, string>()
  /** Lookups under way, shared by the requests that arrive meanwhile. */
  readonly #reading = new Map<string, Promise<StoryVersion | undefined>>()

  constructor(options: { read: ReadStoryVersion; trustMs: number; maxStories: number; clock: Clock }) {
    this.#read = options.read
    this.#trustMs = options.trustMs
    this.#maxStories = options.maxStories
    this.#clock = options.clock
  }

  /** The story `ref` (id or slug) names, at its current seq; undefined when there is none. */
  async current(ref: string): Promise<StoryVersion | undefined> {
    const id = this.#idByRef.get(ref)
    const known = id ? this.#byId.get(id) : undefined
    if (known && this.#trusted(known)) {
      // Most recently used last, so eviction takes the coldest story.
      setMostRecent(this.#byId, known.storyId, known)
      return known
    }
    return this.#confirmOnce(ref)
  }

  /** Reads `ref`'s version, or joins the read of it already under way. */
  #confirmOnce(ref: string): Promise<StoryVersion | undefined> {
    let reading = this.#reading.get(ref)
    if (!reading) {
      reading = this.#confirm(ref)
      this.#reading.set(ref, reading)
      // A failed read is answered to whoever waits for it; a background one is simply tried again.
      const done = () => this.#reading.delete(ref)
      reading.then(done, done)
    }
    return reading
  }

  async #confirm(ref: string): Promise<StoryVersion | undefined> {
    const row = await this.#read(ref)
    if (!row) return undefined
    const version: StoryVersion = {
      storyId: row.id,
      seq: row.seq,
      status: row.status,
      confirmedAt: this.#clock().getTime(),
    }
    const previous = this.#byId.get(row.id)
    // A hint may have arrived while we read: never go back.
    if (previous && previous.seq > version.seq) {
      previous.confirmedAt = version.confirmedAt
      return previous
    }
    setMostRecent(this.#byId, row.id, version)
    this.#idByRef.set(row.id, row.id)
    this.#idByRef.set(row.slug, row.id)
    this.#evict()
    return version
  }

  /**
   * True while story `storyId` is still trusted at `seq` and public: what an answer rendered at
   * that seq checks, without waiting, before it is sent again.
   */
  isCurrent(storyId: string, seq: number): boolean {
    const known = this.#byId.get(storyId)
    return known !== undefined && known.seq === seq && known.status !== 'draft' && this.#trusted(known)
  }

  /** Within the trust bound since the database last confirmed it; past half of it, confirmed again. */
  #trusted(version: StoryVersion): boolean {
    return stillTrusted(version.confirmedAt, this.#clock().getTime(), this.#trustMs, () => {
      void this.#confirmOnce(version.storyId)
    })
  }

  /** A change committed somewhere (a bus hint): newer seqs win, older or repeated ones are ignored. */
  changed(storyId: string, seq: number, status: StoryStatus): void {
    const known = this.#byId.get(storyId)
    if (!known || seq <= known.seq) return
    known.seq = seq
    known.status = status
  }

  #evict(): void {
    dropLeastRecent(this.#byId, this.#maxStories, (oldest) => {
      for (const [ref, id] of this.#idByRef) if (id === oldest) this.#idByRef.delete(ref)
    })
  }

  get size(): number {
    return this.#byId.size
  }
}
