import type { Principal } from '../auth/roles.js'
import type { Deps } from '../deps.js'
import { AppError } from '../errors.js'
import { processImage } from './images.js'
import type { Media, MediaTables } from './schema.js'
import {
  isMediaId,
  MEDIA_FORMATS,
  type MediaFormat,
  mediaFileName,
  mediaPath,
  parseMediaFile,
} from './urls.js'

const mediaDb = (deps: Deps) => deps.db.withTables<MediaTables>()

export interface UploadInput {
  body: Buffer
  uploader: Principal
  /** Origin the returned URL names (the public URL or the caller's). */
  baseUrl: string
}

function present(
  baseUrl: string,
  row: { id: string; width: number; height: number; bytes: number; content_type: string },
): Media {
  const format = (Object.keys(MEDIA_FORMATS) as MediaFormat[]).find(
    (f) => MEDIA_FORMATS[f].contentType === row.content_type,
  ) as MediaFormat
  return {
    id: row.id,
    url: baseUrl + mediaPath(row.id, row.width, format),
    width: row.width,
    height: row.height,
    contentType: MEDIA_FORMATS[format].contentType,
    bytes: row.bytes,
  }
}

/**
 * Stores an uploaded image: re-encoded without metadata, with its smaller sizes and WebP copies.
 * Content-addressed, so uploading the same photo again returns the stored one and writes nothing.
 */
export async function uploadMedia(deps: Deps, input: UploadInput): Promise<Media> {
  const image = await processImage(input.body, deps.limits.maxImagePixels)
  const db = mediaDb(deps)
  const { original } = image
  const row = {
    id: image.id,
    content_type: MEDIA_FORMATS[original.format].contentType,
    width: original.width,
    height: original.height,
    bytes: original.data.length,
  }
  const existing = await db.selectFrom('media').select('id').where('id', '=', image.id).executeTakeFirst()
  if (existing) return present(input.baseUrl, row)
  const variants = await image.variants()
  await db.transaction().execute(async (tx) => {
    // A concurrent upload of the same photo waits on this row, then inserts nothing.
    const inserted = await tx
      .insertInto('media')
      .values({ ...row, data: original.data, uploaded_by: input.uploader.keyId })
      .onConflict((oc) => oc.column('id').doNothing())
      .returning('id')
      .executeTakeFirst()
    if (!inserted || variants.length === 0) return
    await tx
      .insertInto('media_variants')
      .values(
        variants.map((variant) => ({
          media_id: image.id,
          name: variant.name,
          content_type: MEDIA_FORMATS[variant.format].contentType,
          width: variant.width,
          height: variant.height,
          bytes: variant.data.length,
          data: variant.data,
        })),
      )
      .execute()
  })
  return present(input.baseUrl, row)
}

export interface MediaFile {
  data: Uint8Array
  contentType: string
}

/** One stored file (`960.webp`) of a media item, or not_found. */
export async function getMediaFile(deps: Deps, id: string, name: string): Promise<MediaFile> {
  const notFound = new AppError('not_found', 'no such media file')
  const file = parseMediaFile(name)
  if (!isMediaId(id) || !file) throw notFound
  const db = mediaDb(deps)
  const variant = await db
    .selectFrom('media_variants')
    .select(['data', 'content_type'])
    .where('media_id', '=', id)
    .where('name', '=', name)
    .executeTakeFirst()
  if (variant) return { data: variant.data, contentType: variant.content_type }
  const original = await db
    .selectFrom('media')
    .select(['data', 'content_type'])
    .where('id', '=', id)
    .where('width', '=', file.width)
    .where('content_type', '=', MEDIA_FORMATS[file.format].contentType)
    .executeTakeFirst()
  if (!original || mediaFileName(file.width, file.format) !== name) throw notFound
  return { data: original.data, contentType: original.content_type }
}
