import { sql } from 'kysely'
import type { Db } from '../store/db.js'

/** Rows one statement deletes: short enough that no statement holds locks for long. */
const PRUNE_BATCH = 1000
/** Batches per pruning run; whatever is left waits for the next run. */
const MAX_BATCHES_PER_RUN = 100

/**
 * Deletes succeeded and failed deliveries that finished before `cutoff`, their attempts going with
 * them (ON DELETE CASCADE), in batches of PRUNE_BATCH. Pending deliveries are never touched.
 * `SKIP LOCKED` lets several instances prune at once, and never waits on a row a worker or a manual
 * retry holds (a retried delivery is pending again, so it is no longer a candidate).
 * @returns how many deliveries were deleted
 */
export async function pruneDeliveries(db: Db, cutoff: Date): Promise<number> {
  let deleted = 0
  for (let i = 0; i < MAX_BATCHES_PER_RUN; i++) {
    const { rows } = await sql<{ n: string }>`
      WITH gone AS (
        DELETE FROM webhook_deliveries
        -- ARRAY(…) makes this a lookup by id; a plain IN (…) may scan the whole table.
        WHERE id = ANY (ARRAY(
          SELECT id FROM webhook_deliveries
          WHERE status <> 'pending' AND finished_at < ${cutoff}::timestamptz
          ORDER BY finished_at
          LIMIT ${PRUNE_BATCH}
          FOR UPDATE SKIP LOCKED
        ))
        AND status <> 'pending'
        RETURNING 1
      )
      SELECT count(*) AS n FROM gone
    `.execute(db)
    const n = Number(rows[0]?.n ?? 0)
    deleted += n
    if (n < PRUNE_BATCH) break
  }
  return deleted
}
