import { promisify } from 'node:util'
import { brotliCompress, constants, gzip } from 'node:zlib'
import type { MiddlewareHandler } from 'hono'

export type ContentCoding = 'br' | 'gzip'

/** Bodies smaller than this go out as they are: framing and CPU would cost more than the bytes saved. */
export const COMPRESS_MIN_BYTES = 1024
/** Brotli quality for bodies made per request: 4 compresses better than gzip at a similar speed. */
export const DYNAMIC_BROTLI_QUALITY = 4
/** gzip level for bodies made per request (zlib's default trade-off). */
export const DYNAMIC_GZIP_LEVEL = 6

const brotliAsync = promisify(brotliCompress)
const gzipAsync = promisify(gzip)

/** The suffix a compressed representation's ETag carries inside its quotes. */
const ETAG_SUFFIX: Record<ContentCoding, string> = { br: '-br', gzip: '-gz' }

const COMPRESSIBLE =
  /^(text\/(html|css|javascript|plain|xml)|application\/(json|[\w.+-]+\+json|xml|[\w.+-]+\+xml|javascript))\b/i

/** True for text answers worth compressing; never server-sent events, which must stream. */
export function isCompressible(contentType: string | null): boolean {
  return contentType !== null && COMPRESSIBLE.test(contentType.trim())
}

/** Accept-Encoding values remembered with the coding each picks: a crowd sends a handful of them. */
export const ACCEPT_ENCODINGS_KEPT = 64

const codingsSeen = new Map<string, ContentCoding | null>()

/**
 * The coding to answer with for an `Accept-Encoding` header: br preferred, then gzip; a coding
 * listed with q=0 (or excluded by `*;q=0`) is refused. Null: send identity.
 * @example negotiateEncoding('gzip, br;q=0') // 'gzip'
 */
export function negotiateEncoding(acceptEncoding: string | undefined | null): ContentCoding | null {
  if (!acceptEncoding) return null
  let coding = codingsSeen.get(acceptEncoding)
  if (coding === undefined) {
    coding = codingFor(acceptEncoding)
    if (codingsSeen.size < ACCEPT_ENCODINGS_KEPT) codingsSeen.set(acceptEncoding, coding)
  }
  return coding
}

function codingFor(acceptEncoding: string): ContentCoding | null {
  const q = new Map<string, number>()
  for (const part of acceptEncoding.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';')
    if (!name) continue
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='))
    const value = qParam ? Number.parseFloat(qParam.slice(2)) : 1
    q.set(name.trim(), Number.isNaN(value) ? 0 : value)
  }
  const weight = (coding: string) => q.get(coding) ?? q.get('*') ?? 0
  const br = weight('br')
  const gz = Math.max(weight('gzip'), q.get('x-gzip') ?? 0)
  if (br > 0 && br >= gz) return 'br'
  if (gz > 0) return 'gzip'
  return null
}

/**
 * The ETag of a compressed representation: a different strong validator, as RFC 9110 asks,
 * recognisable by `etagMatches` as the same content.
 * @example encodedEtag('"abc"', 'br') // '"abc-br"'
 */
export function encodedEtag(etag: string, coding: ContentCoding): string {
  return etag.replace(/"$/, `${ETAG_SUFFIX[coding]}"`)
}

/** Adds `Accept-Encoding` to Vary once. */
export function varyOnEncoding(headers: Headers): void {
  const vary = headers.get('Vary')
  if (!vary) headers.set('Vary', 'Accept-Encoding')
  else if (!/(^|,)\s*(accept-encoding|\*)\s*(,|$)/i.test(vary))
    headers.set('Vary', `${vary}, Accept-Encoding`)
}

export function compressBytes(bytes: Uint8Array, coding: ContentCoding): Promise<Buffer> {
  return coding === 'br'
    ? brotliAsync(bytes, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: DYNAMIC_BROTLI_QUALITY,
          [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength,
        },
      })
    : gzipAsync(bytes, { level: DYNAMIC_GZIP_LEVEL })
}

/**
 * Compresses text answers per `Accept-Encoding`. Leaves alone: server-sent events (they stream),
 * bodies under `minBytes`, answers already encoded (precompressed assets), `no-transform`. HEAD is
 * compressed like GET (Hono drops the body afterwards) so both carry the same validators.
 * A 304 gets the ETag of the representation the client holds, so caches update the right variant.
 */
export function compress(options: { minBytes?: number } = {}): MiddlewareHandler {
  const minBytes = options.minBytes ?? COMPRESS_MIN_BYTES
  return async (c, next) => {
    await next()
    const res = c.res
    const coding = negotiateEncoding(c.req.header('Accept-Encoding'))
    if (res.status === 304) {
      const etag = res.headers.get('ETag')
      if (!etag) return
      varyOnEncoding(res.headers)
      const held = coding && encodedEtag(etag, coding)
      if (held && c.req.header('If-None-Match')?.includes(held)) res.headers.set('ETag', held)
      return
    }
    if (!isCompressible(res.headers.get('Content-Type'))) return
    varyOnEncoding(res.headers)
    if (!coding || res.status === 204 || res.status === 206) return
    // Headers before the body: asking for `res.body` turns the adapter's lightweight answer into a
    // web stream, which costs more than sending a small answer (see json-answer.ts).
    if (res.headers.has('Content-Encoding') || /no-transform/i.test(res.headers.get('Cache-Control') ?? ''))
      return
    const declared = Number(res.headers.get('Content-Length') ?? Number.NaN)
    if (declared < minBytes) return
    if (!res.body) return
    const bytes = new Uint8Array(await res.arrayBuffer())
    const headers = new Headers(res.headers)
    let body: BodyInit = bytes
    if (bytes.byteLength >= minBytes) {
      body = new Uint8Array(await compressBytes(bytes, coding))
      headers.set('Content-Encoding', coding)
      headers.delete('Content-Length')
      const etag = headers.get('ETag')
      if (etag) headers.set('ETag', encodedEtag(etag, coding))
    }
    // Unset first: Hono's setter would copy the old answer's headers (ETag, Content-Length) back.
    c.res = undefined
    c.res = new Response(body, { status: res.status, statusText: res.statusText, headers })
  }
}
