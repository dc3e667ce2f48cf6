import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { Hono } from 'hono'
import type { AppEnv } from './env.js'
import { describe } from './openapi.js'
import { type StaticFile, serveStaticFile, staticFile } from './static-file.js'

/** Where /docs loads the reference UI from: this server, never a CDN (newsrooms' networks may block them). */
export const API_REFERENCE_SCRIPT_PATH = '/docs/api-reference.js'

/** Scalar's self-contained browser build, as installed with the package. */
const BUNDLE_MODULE = '@scalar/api-reference/browser/standalone.js'

/**
 * The page and everything it loads come from this origin. Scalar injects its stylesheet and sets
 * style attributes from script, which only 'unsafe-inline' in style-src allows; no script runs inline.
 */
const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'self'",
].join('; ')

/** Scalar's options: no web fonts from its CDN, no telemetry, no AI agent (a hosted service), no developer toolbar. */
const SCALAR_CONFIGURATION = {
  url: '/openapi.json',
  withDefaultFonts: false,
  telemetry: false,
  showDeveloperTools: 'never',
  showOperationId: true,
  agent: { disabled: true },
}

// Configured through data attributes on a JSON block (not executed), so the page needs no inline script.
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Liveline API</title>
</head>
<body>
<script id="api-reference" type="application/json" data-configuration="${JSON.stringify(SCALAR_CONFIGURATION).replaceAll('"', '&quot;')}"></script>
<script src="${API_REFERENCE_SCRIPT_PATH}"></script>
</body>
</html>
`

/** `/docs`: an interactive API reference for `/openapi.json`, served entirely from this server. */
const BUNDLE_BROTLI_QUALITY = 9

export function apiReferenceRoutes() {
  const app = new Hono<AppEnv>()
  // Read on first use: most instances never serve /docs, and the bundle is a few megabytes.
  let bundle: Promise<StaticFile> | null = null
  const loadBundle = async (): Promise<StaticFile> => {
    const body = await readFile(createRequire(import.meta.url).resolve(BUNDLE_MODULE), 'utf8')
    // Compressed once (brotli at 9: its best quality would take seconds on this size).
    return staticFile(body, 'text/javascript; charset=utf-8', BUNDLE_BROTLI_QUALITY)
  }

  app.get(
    '/docs',
    describe({
      operationId: 'getApiReference',
      tag: 'Operations',
      access: 'public',
      summary: 'Interactive API reference (Scalar) for this document, served from this server',
      responses: { 200: { description: 'HTML page', contentType: 'text/html' } },
    }),
    (c) => {
      c.header('Content-Security-Policy', DOCS_CSP)
      c.header('X-Content-Type-Options', 'nosniff')
      c.header('Referrer-Policy', 'no-referrer')
      return c.html(PAGE)
    },
  )

  app.get(
    API_REFERENCE_SCRIPT_PATH,
    describe({
      operationId: 'getApiReferenceScript',
      tag: 'Operations',
      access: 'public',
      summary: 'The script of the API reference page (Scalar\u2019s standalone build)',
      responses: {
        200: { description: 'JavaScript', contentType: 'text/javascript' },
        304: { description: 'Not modified: `If-None-Match` matched the ETag (no body)' },
      },
    }),
    async (c) => {
      bundle ??= loadBundle()
      const file = await bundle.catch((err: unknown) => {
        bundle = null
        throw err
      })
      return serveStaticFile(c, file, 'no-cache')
    },
  )

  return app
}
