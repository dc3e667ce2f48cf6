import type { ExpressionBuilder } from 'kysely'
import type { Database } from './schema.js'

/**
 * A story named the way clients name it, by id or by slug.
 * @example db.selectFrom('stories').selectAll().where(storyRef('rafah-talks'))
 */
export const storyRef = (ref: string) => (eb: ExpressionBuilder<Database, 'stories'>) =>
  // Postgres text cannot hold NUL: such a ref names no story (and must not become a 500).
  ref.includes('\0') ? eb.lit(false) : eb.or([eb('id', '=', ref), eb('slug', '=', ref)])
