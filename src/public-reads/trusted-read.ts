import type { Clock } from '../lib/time.js'
import { REFRESH_AFTER_SHARE } from './story-versions.js'

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
    const age = this.#clock().getTime() - kept.readAt
    if (age >= this.#trustMs) return undefined
    if (age >= this.#trustMs * REFRESH_AFTER_SHARE) void this.#readOnce()
    return kept.value
  }

  /** Something changed: the next `current()` reads again. */
  invalidate(): void {
    this.#epoch++
    this.#value = null
    this.#reading = null
  }
}
