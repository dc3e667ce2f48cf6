import * as v from 'valibot'
import { decodeCursor } from './cursor.js'
import { wholeNumber } from './whole-number.js'

/** `?cursor=`: an opaque cursor this service made, decoded to the position it carries. */
export const CursorParam = v.pipe(
  v.string(),
  v.maxLength(200),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const position = decodeCursor(dataset.value)
    if (position) return position
    addIssue({ message: 'not a cursor from this API' })
    return NEVER
  }),
)

/** `?limit=&cursor=` of every keyset-paged list (stories, updates, webhooks, deliveries). */
export const PageQuery = v.object({
  limit: v.optional(wholeNumber(1, 100), '20'),
  cursor: v.optional(CursorParam),
})
export type PageQuery = v.InferOutput<typeof PageQuery>
