import { AppError } from '../errors.js'
import { dropLeastRecent, setMostRecent } from '../lib/recency.js'

/** Writes of one story that may hold a database connection at once on an instance. */
export const STORY_WRITES_AT_ONCE = 4

/** Longest a write waits for the writes of its story ahead of it before the caller is told to retry. */
export const STORY_WRITE_WAIT_MS = 10_000

/** Slugs whose story id is remembered, so writes by slug and by id share one bound; LRU beyond. */
export const STORY_WRITE_SLUGS_KEPT = 10_000

interface Waiting {
  start(): void
  timer: NodeJS.Timeout
}

/**
 * The writes of one story on this instance: at most `atOnce` hold a database connection, the rest
 * wait here, in the order they came. Every change to a story takes its row lock, so writes to one
 * story run one after another anyway; without a bound, each waiting writer held a pooled connection
 * while it waited for the lock, and a burst on one busy story emptied the pool: posts failed with
 * 503 after the pool's 3 s wait, and every other story's reads and writes queued behind them.
 * Not one at a time either: a few writers waiting on the lock inside Postgres take it the moment
 * it is free, while a writer waiting here needs turns of the event loop to start, and those are
 * slow on a saturated instance (bench, 40 posts/s to a story whose fan-out saturates the instance:
 * 113 of 400 posts refused with the pool alone, 69 one at a time, 36 four at a time). The row
 * lock still orders writes across instances.
 *
 * Callers name a story by id or by slug. A write tells its turns which story it locked
 * (`lockedStory`), and later writes by that slug take their turn with the story's id: the desk
 * posting by id and a tool by slug share one bound, not one each.
 */
export class StoryWriteTurns {
  readonly #running = new Map<string, number>()
  readonly #waiting = new Map<string, Waiting[]>()
  /** Slug (or any ref that is not the id) → the story id a write found for it. */
  readonly #storyIds = new Map<string, string>()
  readonly #atOnce: number
  readonly #waitMs: number
  readonly #slugsKept: number

  constructor(options: { atOnce?: number; waitMs?: number; slugsKept?: number } = {}) {
    this.#atOnce = options.atOnce ?? STORY_WRITES_AT_ONCE
    this.#waitMs = options.waitMs ?? STORY_WRITE_WAIT_MS
    this.#slugsKept = options.slugsKept ?? STORY_WRITE_SLUGS_KEPT
  }

  /**
   * Runs `write` once fewer than `atOnce` earlier writes of the story `ref` names (its id or its
   * slug) are running. `write` calls `lockedStory` with the id of the story it found.
   */
  async run<T>(ref: string, write: (lockedStory: (storyId: string) => void) => Promise<T>): Promise<T> {
    const key = this.#storyIds.get(ref) ?? ref
    const running = this.#running.get(key) ?? 0
    // A write that waited is handed its slot by the one that finished (#done).
    if (running >= this.#atOnce) await this.#turn(key)
    else this.#running.set(key, running + 1)
    try {
      return await write((storyId) => this.#learn(ref, storyId))
    } finally {
      this.#done(key)
    }
  }

  #learn(ref: string, storyId: string): void {
    if (ref === storyId) return
    // A slug given to another story since is learnt again by that story's next write.
    setMostRecent(this.#storyIds, ref, storyId)
    dropLeastRecent(this.#storyIds, this.#slugsKept)
  }

  #turn(ref: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const queue = this.#waiting.get(ref) ?? []
      this.#waiting.set(ref, queue)
      const waiting: Waiting = {
        start: () => {
          clearTimeout(waiting.timer)
          resolve()
        },
        timer: setTimeout(() => {
          queue.splice(queue.indexOf(waiting), 1)
          if (queue.length === 0) this.#waiting.delete(ref)
          reject(
            new AppError(
              'unavailable',
              'this story is taking more writes than it can keep up with; retry shortly',
            ),
          )
        }, this.#waitMs),
      }
      queue.push(waiting)
    })
  }

  #done(ref: string): void {
    const queue = this.#waiting.get(ref)
    const next = queue?.shift()
    if (queue?.length === 0) this.#waiting.delete(ref)
    if (next) {
      // The slot passes straight to the next in line: no newcomer can take it meanwhile.
      next.start()
      return
    }
    const running = (this.#running.get(ref) ?? 1) - 1
    if (running === 0) this.#running.delete(ref)
    else this.#running.set(ref, running)
  }
}
