import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

/** A static file held in memory with its validator, and compressed once so no request pays for it. */
export interface Asset {
  body: string
  /** Brotli at its best quality: slow, but done once at start. */
  br: Buffer
  gzip: Buffer
  contentType: string
  etag: string
}

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
}

/**
 * The browser files: plain modern JS and CSS served as they are, so `npm start` needs no build.
 * They sit next to this module (src/web/assets under tsx; `npm run build` copies them to
 * dist/web/assets).
 */
export const ASSET_FILES = [
  'client.js',
  'live-view.js',
  'reader.js',
  'embed.js',
  'desk.js',
  'live.css',
  'desk.css',
]

export function assetsDir(): URL {
  return new URL('./assets/', import.meta.url)
}

/** Reads every asset once; called when the HTTP app is built, never at import time. */
export function loadAssets(dir: URL = assetsDir()): Map<string, Asset> {
  const assets = new Map<string, Asset>()
  for (const name of ASSET_FILES) {
    const body = readFileSync(new URL(name, dir), 'utf8')
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`
    const br = brotliCompressSync(body, {
      params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY },
    })
    const gzip = gzipSync(body, { level: constants.Z_BEST_COMPRESSION })
    const contentType = TYPES[name.split('.').pop() ?? ''] ?? 'text/plain'
    assets.set(name, { body, br, gzip, etag, contentType })
  }
  return assets
}
