import { createHash } from 'node:crypto'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import type { Context } from 'hono'
import { etagMatches } from '../lib/etag.js'
import { encodedEtag, negotiateEncoding } from './compress.js'
import type { AppEnv } from './env.js'
import { markReady } from './ready-answers.js'

/** A file held in memory with its validator, compressed once so no request pays for it. */
export interface StaticFile {
  body: string
  br: Buffer
  gzip: Buffer
  contentType: string
  etag: string
}

/**
 * Builds a StaticFile. Brotli at its best quality is slow but done once; a multi-megabyte file
 * (the API reference bundle) may ask for less.
 * @example staticFile(readFileSync('client.js', 'utf8'), 'text/javascript; charset=utf-8')
 */
export function staticFile(
  body: string,
  contentType: string,
  brotliQuality: number = constants.BROTLI_MAX_QUALITY,
): StaticFile {
  return {
    body,
    contentType,
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    br: brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: brotliQuality } }),
    gzip: gzipSync(body, { level: constants.Z_BEST_COMPRESSION }),
  }
}

/**
 * Answers with the file (304 on a matching ETag), in the encoding the client accepts. With
 * `isCurrent`, the answer may be kept ready and sent again without the router while it holds
 * (see ready-answers.ts).
 */
export function serveStaticFile(
  c: Context<AppEnv>,
  file: StaticFile,
  cacheControl: string,
  isCurrent?: () => boolean,
): Response {
  c.header('ETag', file.etag)
  c.header('Cache-Control', cacheControl)
  c.header('X-Content-Type-Options', 'nosniff')
  c.header('Vary', 'Accept-Encoding')
  const coding = negotiateEncoding(c.req.header('Accept-Encoding'))
  if (coding) c.header('ETag', encodedEtag(file.etag, coding))
  const body = etagMatches(c.req.header('If-None-Match'), file.etag)
    ? null
    : coding
      ? file[coding]
      : file.body
  if (isCurrent) markReady(c, { isCurrent, body, coding })
  if (body === null) return c.body(null, 304)
  c.header('Content-Type', file.contentType)
  if (!coding) return c.body(file.body)
  // The compress middleware leaves an encoded body alone. The bytes are sent as they are, not copied.
  c.header('Content-Encoding', coding)
  return c.body(body as Uint8Array<ArrayBuffer>)
}
