import { type SelectQueryBuilder, type StringReference, sql } from 'kysely'
import type { CursorPosition } from '../lib/cursor.js'

/**
 * One page of a list newest first by (time, id), for `toPage`: strictly after the cursor's
 * position (a row comparison, which the (time, id) indexes serve) and one row more than the page,
 * which only says that another page exists.
 * @example await newestFirst(db.selectFrom('stories').selectAll(), 'created_at', after, 20).execute()
 */
export function newestFirst<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  timeColumn: StringReference<DB, TB> & ('created_at' | 'published_at'),
  after: CursorPosition | undefined,
  limit: number,
): SelectQueryBuilder<DB, TB, O> {
  const time = sql.ref(timeColumn)
  const filtered = after ? query.where(sql<boolean>`(${time}, id) < (${after.at}, ${after.id})`) : query
  return filtered
    .orderBy(time, 'desc')
    .orderBy(sql.ref('id'), 'desc')
    .limit(limit + 1)
}
