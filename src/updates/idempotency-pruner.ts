import { sql } from 'kysely'
import type { Deps } from '../deps.js'
import type { Db } from '../store/db.js'

/** Batches per pruning run; whatever is left waits for the next run. */
const MAX_BATCHES_PER_RUN = 100

/**
 * Deletes idempotency keys created before `cutoff`, `batch` rows per statement so that no
 * statement holds locks for long. `SKIP LOCKED` lets several instances prune at once without
 * waiting on each other (or on a post that is using a key right now).
 * @returns how many keys were deleted
 */
export async function pruneIdempotencyKeys(db: Db, cutoff: Date, batch: number): Promise<number> {
  let deleted = 0
  for (let i = 0; i < MAX_BATCHES_PER_RUN; i++) {
    const { rows } = await sql<{ n: string }>`
      WITH gone AS (
        DELETE FROM idempotency_keys
        WHERE (api_key_id, key) IN (
          SELECT api_key_id, key FROM idempotency_keys
          WHERE created_at < ${cutoff}::timestamptz
          LIMIT ${batch}
          FOR UPDATE SKIP LOCKED
        )
        RETURNING 1
      )
      SELECT count(*) AS n FROM gone
    `.execute(db)
    const n = Number(rows[0]?.n ?? 0)
    deleted += n
    if (n < batch) break
  }
  return deleted
}

/** Prunes expired idempotency keys now and then, on every instance (safe together). */
export class IdempotencyPruner {
  readonly #deps: Deps
  #timer: NodeJS.Timeout | null = null
  #running = false
  #pruning: Promise<void> = Promise.resolve()

  constructor(deps: Deps) {
    this.#deps = deps
  }

  start(): void {
    this.#running = true
    this.#schedule()
  }

  /** One run now (tests and the schedule use it). */
  async pruneNow(): Promise<number> {
    const { db, clock, limits } = this.#deps
    const cutoff = new Date(clock().getTime() - limits.idempotencyKeyTtlMs)
    return pruneIdempotencyKeys(db, cutoff, limits.idempotencyPruneBatch)
  }

  /** With jitter, so that instances started together do not prune together. */
  #schedule(): void {
    const delay = this.#deps.limits.idempotencyPruneIntervalMs * (0.75 + Math.random() * 0.5)
    this.#timer = setTimeout(() => {
      this.#pruning = this.pruneNow()
        .then(
          (deleted) => {
            if (deleted > 0) this.#deps.log.info({ deleted }, 'pruned expired idempotency keys')
          },
          (err: unknown) => this.#deps.log.warn({ err }, 'could not prune idempotency keys'),
        )
        .finally(() => {
          if (this.#running) this.#schedule()
        })
    }, delay)
    this.#timer.unref()
  }

  async close(): Promise<void> {
    this.#running = false
    if (this.#timer) clearTimeout(this.#timer)
    await this.#pruning
  }
}
