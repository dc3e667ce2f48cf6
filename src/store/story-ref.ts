import type { ExpressionBuilder } from 'kysely'
import type { Database } from './schema.js'

/**
 * A story named the way clients name it, by id or by slug.
 * @example db.selectFrom('stories').selectAll().where(storyRef('rafah-talks'))
 */
export const storyRef = (ref: string) => (eb: ExpressionBuilder<Database, 'stories'>) =>
  eb.or([eb('id', '=', ref), eb('slug', '=', ref)])
