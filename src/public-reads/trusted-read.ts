import type { Clock } from '../lib/time.js'

/**
 * Once this share of the trust bound has passed, a use of a trusted value starts reading it again
 * in the background (the value is still used meanwhile). A story read all the time is then
 * confirmed before its trust runs out, and no request waits for the database: measured before
 * this, every 2 s each hot story's requests (50 at a time in bench:pages) went to the router and
 * waited up to 250 ms for the confirming query. A lost hint is still found within the trust bound.
 */
export const REFRESH_AFTER_SHARE = 0.5

/**
 * True while a value read at `readAt` is trusted at `now`; once REFRESH_AFTER_SHARE of `trustMs`
 * has passed, `refresh` is called too (a read in the background; the value is trusted meanwhile).
 */
export function stillTrusted(readAt: number, now: number, trustMs: number, refresh: () => void): boolean {
  const age = now - readAt
  if (age >= trustMs) return false
  if (age >= trustMs * REFRESH_AFTER_SHARE) refresh()
  return true
}

/**
 * A value read from the database and kept until a story changes anywhere (a bus hint) or
 * `trustMs` passes, whichever comes first; the trust bound covers a lost hint. Requests that
 * arrive while a read is under way share it, so a burst costs one query; a value in use is read
 * again in the background before its trust runs out (REFRESH_AFTER_SHARE).
 */
export class TrustedRead<T> {
  readonly #read: () => Promise<T>
  readonly #trustMs: number
  readonly #clock: Clock
  #value: { value: T; readAt: number } | null = null
  #reading: Promise<T> | null = null
  /** Moves on every invalidation, so a read that started before one is not trusted after it. */
  #epoch = 0

  constructor(options: { read: () => Promise<T>; trustMs: number; clock: Clock }) {
    this.#read = options.read
    this.#trustMs = options.trustMs
    this.#clock = options.clock
  }

  current(): Promise<T> {
    const kept = this.peek()
    if (kept !== undefined) return Promise.resolve(kept)
    return this.#readOnce()
  }

  #readOnce(): Promise<T> {
    if (!this.#reading) {
      const epoch = this.#epoch
      const readAt = this.#clock().getTime()
      const reading = this.#read().then((value) => {
        if (epoch === this.#epoch) this.#value = { value, readAt }
        return value
      })
      this.#reading = reading
      const done = () => {
        if (this.#reading === reading) this.#reading = null
      }
      reading.then(done, done)
    }
    return this.#reading
  }

  /** The kept value while it is trusted, without reading: undefined when `current()` would read. */
  peek(): T | undefined {
    const kept = this.#value
    if (!kept) return undefined
    const trusted = stillTrusted(kept.readAt, this.#clock().getTime(), this.#trustMs, () => {
      void this.#readOnce()
    })
    return trusted ? kept.value : undefined
  }

  /** Something changed: the next `current()` reads again. */
  invalidate(): void {
    this.#epoch++
    this.#value = null
    this.#reading = null
  }
}
