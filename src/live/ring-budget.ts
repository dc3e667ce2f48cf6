import { setMostRecent } from '../lib/recency.js'

/** A story channel's ring of recent frames, as the budget sees it. */
export interface Ring {
  /** Drops its oldest frames until at least `bytes` are freed, or it is empty. @returns bytes freed */
  shrinkBy(bytes: number): number
}

/**
 * One bound on the bytes every story channel's ring of recent frames holds together. On an
 * election night an instance follows hundreds of stories; each ring is bounded on its own, but
 * their sum must be too. Past the bound, the least recently used rings shrink first: a story
 * nobody resumed lately loses its history (its readers replay from the log), a busy one keeps it.
 */
export class RingBudget {
  readonly maxBytes: number
  /** Ring -> bytes it holds, least recently used first (Map keeps insertion order). */
  readonly #rings = new Map<Ring, number>()
  #total = 0

  constructor(maxBytes: number) {
    this.maxBytes = maxBytes
  }

  /** `ring` now holds `bytes` and was just used; shrinks the coldest rings while over the bound. */
  resized(ring: Ring, bytes: number): void {
    this.#total += bytes - (this.#rings.get(ring) ?? 0)
    setMostRecent(this.#rings, ring, bytes)
    for (const [cold, held] of this.#rings) {
      if (this.#total <= this.maxBytes) break
      if (cold === ring) continue // shrink the others first; the one in use last
      const freed = cold.shrinkBy(this.#total - this.maxBytes)
      this.#total -= freed
      this.#rings.set(cold, held - freed)
    }
    if (this.#total > this.maxBytes) {
      const freed = ring.shrinkBy(this.#total - this.maxBytes)
      this.#total -= freed
      this.#rings.set(ring, bytes - freed)
    }
  }

  /** A reader resumed from `ring`: it is the most recently used. */
  touched(ring: Ring): void {
    const held = this.#rings.get(ring)
    if (held === undefined) return
    setMostRecent(this.#rings, ring, held)
  }

  removed(ring: Ring): void {
    this.#total -= this.#rings.get(ring) ?? 0
    this.#rings.delete(ring)
  }

  get totalBytes(): number {
    return this.#total
  }
}
