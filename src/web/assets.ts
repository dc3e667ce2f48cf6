import { readFileSync } from 'node:fs'
import { type StaticFile, staticFile } from '../http/static-file.js'

export type Asset = StaticFile

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
  'comments-view.js',
  'reader.js',
  'embed.js',
  'desk.js',
  'embed-card.js',
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
    assets.set(name, staticFile(body, TYPES[name.split('.').pop() ?? ''] ?? 'text/plain'))
  }
  return assets
}
