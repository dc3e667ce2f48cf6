import type { Db } from '../store/db.js'
import { type AttemptRecord, type RecordedAttempt, recordAttempts } from './queue.js'

/** Most attempts written by one statement. */
const MAX_BATCH = 500

const NOT_RECORDED: RecordedAttempt = {
  recorded: false,
  disabledNow: false,
  endpointEnabled: false,
  endpointUrl: null,
}

/**
 * Group commit for attempts: while one statement is writing, the attempts that finish meanwhile
 * wait and go together in the next one. No timer: a lone attempt is written at once, and under load
 * each statement carries everything that finished during the previous one.
 */
export class AttemptRecorder {
  readonly #db: Db
  readonly #onError: (err: unknown) => void
  #queue: Array<{ record: AttemptRecord; resolve: (r: RecordedAttempt) => void }> = []
  #writing = false

  constructor(db: Db, onError: (err: unknown) => void) {
    this.#db = db
    this.#onError = onError
  }

  /** Resolves once the attempt is written; never rejects (a failed write reads as not recorded). */
  record(record: AttemptRecord): Promise<RecordedAttempt> {
    return new Promise((resolve) => {
      this.#queue.push({ record, resolve })
      if (!this.#writing) void this.#drain()
    })
  }

  async #drain(): Promise<void> {
    this.#writing = true
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, MAX_BATCH)
      let results: RecordedAttempt[]
      try {
        results = await recordAttempts(
          this.#db,
          batch.map((b) => b.record),
        )
      } catch (err) {
        this.#onError(err)
        results = batch.map(() => NOT_RECORDED)
      }
      for (const [i, b] of batch.entries()) b.resolve(results[i] ?? NOT_RECORDED)
    }
    this.#writing = false
  }
}
