import { setMostRecent } from '../lib/recency.js'

/** Rendered feeds kept per process; beyond either bound the least recently used go first. */
export const FEED_CACHE_MAX_ENTRIES = 1000
export const FEED_CACHE_MAX_BYTES = 64 * 1024 * 1024

interface Entry<T> {
  version: string
  body: T
  bytes: number
}

/** Strings are UTF-16 in memory: two bytes a code unit is the honest size. */
const stringBytes = (body: unknown) => (body as string).length * 2

/**
 * Rendered feed documents, one per variant (story or all-live, format, limit, base URL), each
 * tagged with the version it was rendered at (the story's seq, or a digest of the live stories'
 * seqs). A lookup with a newer version misses, and the new render replaces the old one, so a
 * story's stale documents never pile up. Versions come from Postgres, so any number of
 * instances can each keep one of these and never serve a stale feed.
 */
export class FeedCache<T = string> {
  readonly #entries = new Map<string, Entry<T>>()
  readonly #maxEntries: number
  readonly #maxBytes: number
  readonly #sizeOf: (body: T) => number
  #bytes = 0

  /** @param options.sizeOf what a kept document weighs (default: a string's in-memory size) */
  constructor(options: { maxEntries?: number; maxBytes?: number; sizeOf?: (body: T) => number } = {}) {
    this.#maxEntries = options.maxEntries ?? FEED_CACHE_MAX_ENTRIES
    this.#maxBytes = options.maxBytes ?? FEED_CACHE_MAX_BYTES
    this.#sizeOf = options.sizeOf ?? stringBytes
  }

  get size(): number {
    return this.#entries.size
  }

  get bytes(): number {
    return this.#bytes
  }

  /** The body rendered for `variant` at exactly `version`, or undefined. */
  get(variant: string, version: string): T | undefined {
    const entry = this.#entries.get(variant)
    if (!entry || entry.version !== version) return undefined
    setMostRecent(this.#entries, variant, entry)
    return entry.body
  }

  set(variant: string, version: string, body: T): void {
    this.#remove(variant)
    const bytes = this.#sizeOf(body)
    if (bytes > this.#maxBytes) return
    this.#entries.set(variant, { version, body, bytes })
    this.#bytes += bytes
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries && this.#bytes <= this.#maxBytes) break
      this.#remove(oldest)
    }
  }

  #remove(variant: string): void {
    const entry = this.#entries.get(variant)
    if (!entry) return
    this.#entries.delete(variant)
    this.#bytes -= entry.bytes
  }
}
