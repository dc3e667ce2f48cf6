import type { Bus } from '../bus/bus.js'
import type { Deps } from '../deps.js'
import { decodeStoryChange, STORY_CHANGES_TOPIC } from '../events/bus-message.js'
import { readStoryByRef } from '../events/event-log.js'
import { type StaticFile, staticFile } from '../http/static-file.js'
import { setMostRecent } from '../lib/recency.js'
import { type StoryVersion, StoryVersions } from './story-versions.js'
import { TrustedRead } from './trusted-read.js'

/** Rendered answers kept per instance; past either bound the least recently used go first. */
export const PUBLIC_READS_MAX_ENTRIES = 2000
export const PUBLIC_READS_MAX_BYTES = 128 * 1024 * 1024
/** Stories whose version an instance keeps in memory. */
export const PUBLIC_READS_MAX_STORIES = 10_000
/** Brotli quality for an answer compressed once per story change (higher than per request). */
const CACHED_BROTLI_QUALITY = 6

/** A kept answer, and how to tell (without waiting) that it still shows the story as it is. */
export interface PublicAnswer {
  file: StaticFile
  isCurrent: () => boolean
}

interface Entry {
  seq: number
  file: StaticFile
  bytes: number
}

export interface PublicReadsOptions {
  /** How long a story's version is trusted without the database confirming it (bounds a lost hint). */
  trustMs: number
  maxEntries?: number
  maxBytes?: number
}

/**
 * The public reads (reader page, fragment, story JSON, updates pages), rendered once per story
 * change and kept with their ETag and their br and gzip bytes, so a request that hits costs a
 * lookup, not a query, a render or a compression. Every instance hears of every change from the
 * bus (`story-changes`, also where it has no live reader of the story); a lost hint costs at most
 * `trustMs` of staleness. Only anonymous reads of live and ended stories come here: a key may
 * unlock what the public must not see.
 */
export class PublicReads {
  readonly #versions: StoryVersions
  readonly #entries = new Map<string, Entry>()
  readonly #maxEntries: number
  readonly #maxBytes: number
  readonly #deps: Pick<Deps, 'metrics' | 'log' | 'clock'>
  readonly #trustMs: number
  /** Reads that any story's change makes stale (e.g. the set of live stories). */
  readonly #anyChange = new Set<TrustedRead<unknown>>()
  #bytes = 0
  #unsubscribe: (() => void) | null = null

  constructor(deps: Pick<Deps, 'db' | 'metrics' | 'log' | 'clock'>, options: PublicReadsOptions) {
    this.#deps = deps
    this.#trustMs = options.trustMs
    this.#maxEntries = options.maxEntries ?? PUBLIC_READS_MAX_ENTRIES
    this.#maxBytes = options.maxBytes ?? PUBLIC_READS_MAX_BYTES
    this.#versions = new StoryVersions({
      read: (ref) => readStoryByRef(deps.db, ref),
      trustMs: options.trustMs,
      maxStories: PUBLIC_READS_MAX_STORIES,
      clock: deps.clock,
    })
  }

  async start(bus: Bus): Promise<void> {
    this.#unsubscribe = await bus.subscribe(STORY_CHANGES_TOPIC, (message) => {
      const change = decodeStoryChange(message)
      if (!change) return
      this.#versions.changed(change.storyId, change.seq, change.status)
      for (const read of this.#anyChange) read.invalidate()
    })
  }

  close(): void {
    this.#unsubscribe?.()
    this.#unsubscribe = null
  }

  /**
   * Story `ref` (id or slug) at its current seq, from memory while trusted: what a read with a
   * cache of its own (the feeds) checks instead of querying the story row.
   */
  version(ref: string): Promise<StoryVersion | undefined> {
    return this.#versions.current(ref)
  }

  /**
   * `read`, kept until any story changes (or the trust bound passes): for answers that span
   * stories, such as the all-live feed's set of live stories.
   * @example const liveStories = publicReads.readUntilAnyChange(() => readLiveStories(db))
   */
  readUntilAnyChange<T>(read: () => Promise<T>): TrustedRead<T> {
    const trusted = new TrustedRead({ read, trustMs: this.#trustMs, clock: this.#deps.clock })
    this.#anyChange.add(trusted as TrustedRead<unknown>)
    return trusted
  }

  /**
   * The answer for `variant` of story `ref` at its current version: from memory, or rendered now
   * and kept. Null when the story does not exist or is a draft: the caller answers as usual (404).
   * @example const file = await publicReads.answer('rafah-talks', 'page|https://live.example.com', HTML, render)
   */
  async answer(
    ref: string,
    variant: string,
    contentType: string,
    render: (storyId: string) => Promise<string>,
  ): Promise<PublicAnswer | null> {
    const version = await this.#versions.current(ref)
    if (!version || version.status === 'draft') return null
    const { storyId } = version
    const key = `${storyId}|${variant}`
    const entry = this.#entries.get(key)
    if (entry && entry.seq === version.seq) {
      setMostRecent(this.#entries, key, entry)
      this.#deps.metrics.publicReads.inc({ result: 'hit' })
      return { file: entry.file, isCurrent: () => this.isCurrent(storyId, entry.seq) }
    }
    this.#deps.metrics.publicReads.inc({ result: 'render' })
    // Rendered after the version was read, so it shows at least that seq: a newer state tagged
    // with the older seq is only rendered again once the newer seq is known.
    const seq = version.seq
    const file = staticFile(await render(version.storyId), contentType, CACHED_BROTLI_QUALITY)
    this.#store(key, { seq, file, bytes: file.body.length + file.br.length + file.gzip.length })
    return { file, isCurrent: () => this.isCurrent(storyId, seq) }
  }

  /** True while story `storyId` is trusted to be at `seq` and public (see StoryVersions). */
  isCurrent(storyId: string, seq: number): boolean {
    return this.#versions.isCurrent(storyId, seq)
  }

  #store(key: string, entry: Entry): void {
    const previous = this.#entries.get(key)
    if (previous) {
      if (previous.seq > entry.seq) return
      this.#entries.delete(key)
      this.#bytes -= previous.bytes
    }
    if (entry.bytes > this.#maxBytes) return
    this.#entries.set(key, entry)
    this.#bytes += entry.bytes
    while (this.#entries.size > this.#maxEntries || this.#bytes > this.#maxBytes) {
      const [oldest, dropped] = this.#entries.entries().next().value as [string, Entry]
      this.#entries.delete(oldest)
      this.#bytes -= dropped.bytes
    }
  }

  get size(): number {
    return this.#entries.size
  }
}
