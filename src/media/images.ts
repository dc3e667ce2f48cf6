import { createHash } from 'node:crypto'
import sharp, { type Metadata, type Sharp } from 'sharp'
import { AppError } from '../errors.js'
import {
  isMediaFormat,
  MEDIA_FORMATS,
  type MediaFormat,
  mediaFileName,
  srcsetWidths,
  webpWidths,
} from './urls.js'

/** One encoded file: the original or one of its variants. */
export interface EncodedImage {
  name: string
  format: MediaFormat
  width: number
  height: number
  data: Buffer
}

export interface ProcessedImage {
  /** sha256 (hex) of the re-encoded original: the media id. */
  id: string
  original: EncodedImage
  /** Computes the smaller sizes and WebP copies (skipped when the original is already stored). */
  variants(): Promise<EncodedImage[]>
}

// Quality settings: visually clean for news photos, well below a camera's own file size.
const ENCODERS: Record<MediaFormat, (image: Sharp) => Sharp> = {
  jpeg: (image) => image.jpeg({ quality: 82, progressive: true }),
  png: (image) => image.png({ compressionLevel: 8 }),
  // effort 2 (of 0-6, default 4): less than half the time for files a few per cent larger.
  webp: (image) => image.webp({ quality: 78, effort: 2 }),
  gif: (image) => image.gif(),
}

const notAnImage = () =>
  new AppError('unsupported_media_type', 'the body is not a JPEG, PNG, WebP or GIF image', {
    body: `expected one of ${Object.values(MEDIA_FORMATS)
      .map((f) => f.contentType)
      .join(', ')}`,
  })

/**
 * Decodes an upload and re-encodes it in its real format (read from the bytes, never from the
 * Content-Type), turned upright (EXIF orientation) and without any metadata: sharp writes none
 * unless asked (`withMetadata`), so GPS position, camera and author tags are gone. Images over
 * `maxPixels` are refused before they are decoded (decompression bombs).
 */
export async function processImage(input: Buffer, maxPixels: number): Promise<ProcessedImage> {
  let meta: Metadata
  try {
    // Reads the header only, cheap even for a bomb; the pixel limit is checked below with a clear error.
    meta = await sharp(input, { animated: true, limitInputPixels: false }).metadata()
  } catch {
    throw notAnImage()
  }
  const format = meta.format
  if (!isMediaFormat(format) || !meta.width || !meta.height) throw notAnImage()
  if (meta.width * meta.height > maxPixels)
    throw new AppError('invalid_request', `the image is over ${maxPixels} pixels`, {
      body: `${meta.width} × ${meta.height} pixels; at most ${maxPixels}`,
    })
  // Only GIF and WebP can be animated; keep every frame of those.
  const animated = (meta.pages ?? 1) > 1
  const open = () => sharp(input, { animated, limitInputPixels: maxPixels }).rotate()
  const encode = async (image: Sharp, as: MediaFormat, width?: number): Promise<EncodedImage> => {
    const sized = width ? image.resize({ width, withoutEnlargement: true }) : image
    try {
      const { data, info } = await ENCODERS[as](sized).toBuffer({ resolveWithObject: true })
      const height = animated ? (info.pageHeight ?? info.height) : info.height
      return { name: mediaFileName(info.width, as), format: as, width: info.width, height, data }
    } catch {
      // The header was fine but the pixels are not (truncated or corrupt file).
      throw notAnImage()
    }
  }

  const original = await encode(open(), format)
  const id = createHash('sha256').update(original.data).digest('hex')
  return {
    id,
    original,
    async variants() {
      const jobs: Array<Promise<EncodedImage>> = []
      const smaller = (width: number) => (width < original.width ? width : undefined)
      for (const width of srcsetWidths(original.width))
        if (width < original.width) jobs.push(encode(open(), format, width))
      if (format !== 'webp')
        for (const width of webpWidths(original.width)) jobs.push(encode(open(), 'webp', smaller(width)))
      return Promise.all(jobs)
    },
  }
}
