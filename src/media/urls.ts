/**
 * The media URL scheme, shared by the upload (which hands out URLs) and the update renderer (which
 * turns them into srcset). No I/O: every variant's URL follows from the original's.
 *
 *   /media/<id>/<width>.<ext>   id: sha256 (hex) of the re-encoded original
 *
 * The original is served at its own width in its own format (`/media/<id>/2400.jpg`); each smaller
 * width in MEDIA_WIDTHS has the original's format and WebP (`/media/<id>/960.webp`), and the
 * original's width has WebP too unless it is wider than the largest size (webpWidths).
 */

/** Widths of the smaller sizes, phone to desktop; never above the original's (no upscaling). */
export const MEDIA_WIDTHS: readonly number[] = [480, 960, 1600]

/** The formats we accept and serve, by sharp's name for them. */
export const MEDIA_FORMATS = {
  jpeg: { ext: 'jpg', contentType: 'image/jpeg' },
  png: { ext: 'png', contentType: 'image/png' },
  webp: { ext: 'webp', contentType: 'image/webp' },
  gif: { ext: 'gif', contentType: 'image/gif' },
} as const
export type MediaFormat = keyof typeof MEDIA_FORMATS

export const MEDIA_CONTENT_TYPES = Object.values(MEDIA_FORMATS).map((f) => f.contentType)

const BY_EXT = new Map<string, MediaFormat>(
  Object.entries(MEDIA_FORMATS).map(([format, f]) => [f.ext, format as MediaFormat]),
)

export const isMediaFormat = (format: string | undefined): format is MediaFormat =>
  format !== undefined && Object.hasOwn(MEDIA_FORMATS, format)

const MEDIA_ID = /^[0-9a-f]{64}$/
const MEDIA_FILE = /^([1-9][0-9]{0,5})\.(jpg|png|webp|gif)$/

/** A media file name (`960.webp`) as width and format, or null. */
export function parseMediaFile(name: string): { width: number; format: MediaFormat } | null {
  const match = MEDIA_FILE.exec(name)
  const format = match && BY_EXT.get(match[2] as string)
  return match && format ? { width: Number(match[1]), format } : null
}

export const isMediaId = (id: string) => MEDIA_ID.test(id)

export const mediaFileName = (width: number, format: MediaFormat) => `${width}.${MEDIA_FORMATS[format].ext}`

export const mediaPath = (id: string, width: number, format: MediaFormat) =>
  `/media/${id}/${mediaFileName(width, format)}`

/** The widths srcset offers for an original `width` wide, smallest first, ending with the original's. */
export function srcsetWidths(width: number): number[] {
  return [...MEDIA_WIDTHS.filter((w) => w < width), width]
}

/**
 * The widths offered in WebP: the same, except that an original wider than the largest size gets
 * no full-width WebP copy. Encoding one is the slowest part of an upload (seconds for a camera
 * photo) and the largest size already covers any screen the column is shown on.
 */
export function webpWidths(width: number): number[] {
  const largest = Math.max(...MEDIA_WIDTHS)
  return srcsetWidths(width).filter((w) => w < width || width <= largest)
}

export interface MediaUrl {
  /** Scheme and host the URL names: the variants are served from the same place. */
  origin: string
  id: string
  width: number
  format: MediaFormat
}

/** Our media URL (any origin, since the public origin may change) as its parts, or null for any other URL. */
export function parseMediaUrl(url: string): MediaUrl | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  if (parsed.search || parsed.hash) return null
  const [, root, id, file, ...rest] = parsed.pathname.split('/')
  if (root !== 'media' || !id || !isMediaId(id) || !file || rest.length > 0) return null
  const parts = parseMediaFile(file)
  return parts && { origin: parsed.origin, id, ...parts }
}
