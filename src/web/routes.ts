import { type Context, Hono } from 'hono'
import * as v from 'valibot'
import { AppError } from '../errors.js'
import { publicBaseUrl } from '../http/base-url.js'
import { encodedEtag, negotiateEncoding } from '../http/compress.js'
import { sendConditional } from '../http/conditional.js'
import type { AppEnv } from '../http/env.js'
import type { OpenApiRegistry } from '../http/openapi.js'
import { etagMatches } from '../lib/etag.js'
import { CursorParam } from '../lib/page-query.js'
import { type Asset, loadAssets } from './assets.js'
import { renderDeskPage } from './desk-page.js'
import { renderNotFoundPage, renderStoryPage, renderStoryRoot } from './story-page.js'
import { loadStoryView } from './story-view.js'

// No inline script or style anywhere: everything comes from /assets. The JSON-LD block is data,
// which CSP does not treat as script. Images in updates may come from any http(s) host.
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  'img-src http: https: data:',
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ')

const HTML = 'text/html; charset=UTF-8'

/** Unversioned URLs (embed.js is pasted into other sites): cache briefly, revalidate with the ETag. */
const ASSET_CACHE = 'public, max-age=300, must-revalidate'

function pageHeaders(c: Context<AppEnv>): void {
  c.header('Content-Security-Policy', PAGE_CSP)
  c.header('X-Content-Type-Options', 'nosniff')
  c.header('Referrer-Policy', 'strict-origin-when-cross-origin')
}

function serveAsset(c: Context<AppEnv>, asset: Asset): Response {
  c.header('ETag', asset.etag)
  c.header('Cache-Control', ASSET_CACHE)
  c.header('X-Content-Type-Options', 'nosniff')
  // The widget imports these modules from pages on other origins.
  c.header('Access-Control-Allow-Origin', '*')
  c.header('Vary', 'Accept-Encoding')
  if (etagMatches(c.req.header('If-None-Match'), asset.etag)) return c.body(null, 304)
  c.header('Content-Type', asset.contentType)
  const coding = negotiateEncoding(c.req.header('Accept-Encoding'))
  if (!coding) return c.body(asset.body)
  // Precompressed at start; the compress middleware leaves an encoded body alone.
  c.header('ETag', encodedEtag(asset.etag, coding))
  c.header('Content-Encoding', coding)
  return c.body(new Uint8Array(asset[coding]))
}

const isNotFound = (err: unknown) => err instanceof AppError && err.code === 'not_found'

/**
 * Liveline in the browser: the reader page, the widget's fragment and scripts, the client module
 * and the editors' desk. Everything here reads through the domain verbs as a public reader.
 */
export function webRoutes(docs: OpenApiRegistry): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const assets = loadAssets()
  const asset = (name: string) => assets.get(name) as Asset

  app.get('/s/:slug', async (c) => {
    pageHeaders(c)
    // The not-found page and redirects: always revalidate (the story may appear at any moment).
    c.header('Cache-Control', 'no-cache')
    const cursorText = c.req.query('cursor')
    const cursor = cursorText === undefined ? undefined : v.safeParse(CursorParam, cursorText)
    // A bad ?cursor is the reader's (or a crawler's) link: show the story from the top instead.
    if (cursor && !cursor.success) return c.redirect(`/s/${encodeURIComponent(c.req.param('slug'))}`, 302)
    try {
      const view = await loadStoryView(c.var.deps, c.req.param('slug'), cursor?.output)
      // Read as the public reader: the same page for everyone, so shared caches may keep it.
      return sendConditional(c, renderStoryPage(view, publicBaseUrl(c)), HTML, 'public')
    } catch (err) {
      if (isNotFound(err)) return c.html(renderNotFoundPage('There is no live story at this address.'), 404)
      throw err
    }
  })

  // The widget's first render: the same server-rendered markup as the page, fetched cross-origin.
  app.get('/s/:slug/fragment', async (c) => {
    c.header('Access-Control-Allow-Origin', '*')
    c.header('Cache-Control', 'no-cache')
    c.header('X-Content-Type-Options', 'nosniff')
    try {
      const view = await loadStoryView(c.var.deps, c.req.param('slug'))
      const html = renderStoryRoot(view, { tag: 'div', base: publicBaseUrl(c) }).value
      return sendConditional(c, html, HTML, 'public')
    } catch (err) {
      if (isNotFound(err)) return c.html('<p>This live story does not exist.</p>', 404)
      throw err
    }
  })

  app.get('/desk', (c) => {
    pageHeaders(c)
    c.header('Cache-Control', 'no-cache')
    return c.html(renderDeskPage())
  })

  app.get('/client.js', (c) => serveAsset(c, asset('client.js')))
  app.get('/embed.js', (c) => serveAsset(c, asset('embed.js')))
  app.get('/assets/:name', async (c, next) => {
    const found = assets.get(c.req.param('name'))
    return found ? serveAsset(c, found) : next()
  })

  const page = (path: string, summary: string, contentType = 'text/html') =>
    docs.add({
      method: 'get',
      path,
      tag: 'Browser',
      access: 'public',
      summary,
      responses: { 200: { description: summary, contentType } },
    })
  page('/s/:slug', 'Reader page of a live or ended story: server-rendered HTML, then live')
  page('/s/:slug/fragment', "The story's HTML without the page around it (the widget's first render)")
  page('/desk', "Editors' desk: post, edit and delete updates from a browser")
  page(
    '/client.js',
    'Browser client (ES module): subscribe(story, {since, onEvent, onState})',
    'text/javascript',
  )
  page(
    '/embed.js',
    'Embeddable widget: <script src=".../embed.js" data-story="<slug>" async>',
    'text/javascript',
  )
  page('/assets/:name', 'Scripts and styles of the reader page, widget and desk', 'text/javascript')
  return app
}
