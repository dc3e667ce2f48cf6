import { type Context, Hono } from 'hono'
import * as v from 'valibot'
import { AppError } from '../errors.js'
import { publicBaseUrl } from '../http/base-url.js'
import { CACHE_CONTROL, sendConditional } from '../http/conditional.js'
import type { AppEnv } from '../http/env.js'
import { describe, type OperationDoc } from '../http/openapi.js'
import { serveStaticFile } from '../http/static-file.js'
import { CursorParam } from '../lib/page-query.js'
import { EMBED_FRAME_ORIGINS } from '../updates/embeds.js'
import { type Asset, loadAssets } from './assets.js'
import { renderDeskPage } from './desk-page.js'
import { renderNotFoundPage, renderStoryPage, renderStoryRoot } from './story-page.js'
import { loadStoryView } from './story-view.js'

// No inline script or style anywhere: everything comes from /assets. The JSON-LD block is data,
// which CSP does not treat as script. Images in updates may come from any http(s) host. Frames:
// only the players a clicked embed card loads (src/updates/embeds.ts).
const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  'img-src http: https: data:',
  "connect-src 'self'",
  `frame-src ${EMBED_FRAME_ORIGINS.join(' ')}`,
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
  // The widget imports these modules from pages on other origins.
  c.header('Access-Control-Allow-Origin', '*')
  return serveStaticFile(c, asset, ASSET_CACHE)
}

/** Media types as the OpenAPI document names them. */
const HTML_MEDIA = 'text/html'
const JAVASCRIPT = 'text/javascript'

/** A page or script: public, GET, documented by what it is and the statuses it answers. */
function page(
  operationId: string,
  summary: string,
  contentType: string,
  responses: OperationDoc['responses'] = {},
) {
  return describe({
    operationId,
    tag: 'Browser',
    access: 'public',
    summary,
    responses: { 200: { description: summary, contentType }, ...responses },
  })
}

const NOT_MODIFIED = { 304: { description: 'Not modified: `If-None-Match` matched the ETag (no body)' } }

const isNotFound = (err: unknown) => err instanceof AppError && err.code === 'not_found'

/**
 * Liveline in the browser: the reader page, the widget's fragment and scripts, the client module
 * and the editors' desk. Everything here reads through the domain verbs as a public reader.
 */
export function webRoutes(): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const assets = loadAssets()
  const asset = (name: string) => assets.get(name) as Asset

  app.get(
    '/s/:slug',
    page(
      'getStoryPage',
      'Reader page of a live or ended story: server-rendered HTML, then live',
      HTML_MEDIA,
      {
        302: { description: 'A bad `cursor`: the story from the top' },
        404: {
          description: 'No live or ended story at this address (an HTML page)',
          contentType: HTML_MEDIA,
        },
      },
    ),
    async (c) => {
      pageHeaders(c)
      // The not-found page and redirects: always revalidate (the story may appear at any moment).
      c.header('Cache-Control', 'no-cache')
      const cursorText = c.req.query('cursor')
      const cursor = cursorText === undefined ? undefined : v.safeParse(CursorParam, cursorText)
      // A bad ?cursor is the reader's (or a crawler's) link: show the story from the top instead.
      if (cursor && !cursor.success) return c.redirect(`/s/${encodeURIComponent(c.req.param('slug'))}`, 302)
      try {
        const slug = c.req.param('slug')
        const base = publicBaseUrl(c)
        // The page reads as the public reader, whoever asks: the same page for everyone.
        const render = async (story: string) =>
          renderStoryPage(await loadStoryView(c.var.deps, story, cursor?.output), base)
        if (!cursor) {
          const cached = await c.var.deps.publicReads.answer(slug, `page|${base}`, HTML, render)
          if (cached) return serveStaticFile(c, cached.file, CACHE_CONTROL.public, cached.isCurrent)
        }
        return sendConditional(c, await render(slug), HTML, 'public')
      } catch (err) {
        if (isNotFound(err)) return c.html(renderNotFoundPage('There is no live story at this address.'), 404)
        throw err
      }
    },
  )

  // The widget's first render: the same server-rendered markup as the page, fetched cross-origin.
  app.get(
    '/s/:slug/fragment',
    page(
      'getStoryFragment',
      "The story's HTML without the page around it (the widget's first render)",
      HTML_MEDIA,
      {
        404: {
          description: 'No live or ended story at this address (an HTML fragment)',
          contentType: HTML_MEDIA,
        },
      },
    ),
    async (c) => {
      c.header('Access-Control-Allow-Origin', '*')
      c.header('Cache-Control', 'no-cache')
      c.header('X-Content-Type-Options', 'nosniff')
      try {
        const base = publicBaseUrl(c)
        const render = async (story: string) =>
          renderStoryRoot(await loadStoryView(c.var.deps, story), { tag: 'div', base }).value
        const cached = await c.var.deps.publicReads.answer(
          c.req.param('slug'),
          `fragment|${base}`,
          HTML,
          render,
        )
        if (cached) return serveStaticFile(c, cached.file, CACHE_CONTROL.public, cached.isCurrent)
        return sendConditional(c, await render(c.req.param('slug')), HTML, 'public')
      } catch (err) {
        if (isNotFound(err)) return c.html('<p>This live story does not exist.</p>', 404)
        throw err
      }
    },
  )

  app.get(
    '/desk',
    page('getDesk', "Editors' desk: post, edit and delete updates from a browser", HTML_MEDIA),
    (c) => {
      pageHeaders(c)
      c.header('Cache-Control', 'no-cache')
      return c.html(renderDeskPage())
    },
  )

  app.get(
    '/client.js',
    page(
      'getClientModule',
      'Browser client (ES module): subscribe(story, {since, onEvent, onState})',
      JAVASCRIPT,
      NOT_MODIFIED,
    ),
    (c) => serveAsset(c, asset('client.js')),
  )
  app.get(
    '/embed.js',
    page(
      'getEmbedScript',
      'Embeddable widget: a script element loading `embed.js`, with `data-story` naming the story',
      JAVASCRIPT,
      NOT_MODIFIED,
    ),
    (c) => serveAsset(c, asset('embed.js')),
  )
  app.get(
    '/assets/:name',
    page('getAsset', 'Scripts and styles of the reader page, widget and desk', JAVASCRIPT, {
      ...NOT_MODIFIED,
      404: { description: 'No such asset (`not_found`)' },
    }),
    async (c, next) => {
      const found = assets.get(c.req.param('name'))
      return found ? serveAsset(c, found) : next()
    },
  )

  return app
}
