import { AppError } from '../errors.js'

/** Longest a write waits for the writes of its story ahead of it before the caller is told to retry. */
export const STORY_WRITE_WAIT_MS = 10_000

/**
 * The writes of one story on this instance, one at a time, in the order they came. Every change
 * to a story takes its row lock, so writes to one story run one after another anyway; without
 * this, each waiting writer holds a pooled database connection while it waits for the lock, and
 * a burst on one busy story (a desk posting fast while its fan-out keeps the instance busy) empties
 * the pool: posts then failed with 503 after the pool's 3 s wait, and every other story's reads
 * and writes queued behind them. Here they wait in memory instead, holding no connection. The row
 * lock still orders writes across instances.
 */
export class StoryWriteTurns {
  readonly #tails = new Map<string, Promise<void>>()
  readonly #waitMs: number

  constructor(waitMs = STORY_WRITE_WAIT_MS) {
    this.#waitMs = waitMs
  }

  /** Runs `write` once the earlier writes of `ref` (a story id or slug) are done. */
  async run<T>(ref: string, write: () => Promise<T>): Promise<T> {
    const ahead = this.#tails.get(ref)
    let release = () => {}
    const mine = new Promise<void>((resolve) => {
      release = resolve
    })
    const tail = ahead ? ahead.then(() => mine) : mine
    this.#tails.set(ref, tail)
    try {
      if (ahead) await this.#waitFor(ahead)
      return await write()
    } finally {
      release()
      if (this.#tails.get(ref) === tail) this.#tails.delete(ref)
    }
  }

  async #waitFor(ahead: Promise<void>): Promise<void> {
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.#waitMs)
    })
    try {
      if ((await Promise.race([ahead, late])) === 'late')
        throw new AppError(
          'unavailable',
          'this story is taking more writes than it can keep up with; retry shortly',
        )
    } finally {
      clearTimeout(timer)
    }
  }
}
