import type { ColumnType } from 'kysely'
import * as v from 'valibot'
import { MEDIA_CONTENT_TYPES } from './urls.js'

/** What POST /v1/media answers. */
export const Media = v.object({
  id: v.pipe(v.string(), v.description('sha256 (hex) of the stored image: the same photo is one id')),
  url: v.pipe(
    v.string(),
    v.description('The original, re-encoded, at its own width; use it in an image block'),
  ),
  width: v.number(),
  height: v.number(),
  contentType: v.picklist(MEDIA_CONTENT_TYPES),
  bytes: v.pipe(v.number(), v.description('Size of the stored original')),
})
export type Media = v.InferOutput<typeof Media>

/** Table types for sql/006_media.sql (the media feature's own tables, added with `db.withTables`). */
// A type alias, not an interface: Kysely's withTables wants an indexable record.
export type MediaTables = {
  media: {
    id: string
    content_type: string
    width: number
    height: number
    bytes: number
    data: Uint8Array
    uploaded_by: string
    created_at: ColumnType<Date, Date | undefined, never>
  }
  media_variants: {
    media_id: string
    name: string
    content_type: string
    width: number
    height: number
    bytes: number
    data: Uint8Array
  }
}
