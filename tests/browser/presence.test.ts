/// <reference lib="dom" />
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Api, keyFor, makeStory, textUpdate } from '../helpers/api.js'
import { launchBrowser, pageErrors, screenshot } from '../helpers/browser.js'
import { startServer, type TestServer } from '../helpers/server.js'

let server: TestServer
let editor: Api
let browser: Browser
let cms: Server
let cmsUrl: string
const contexts: BrowserContext[] = []

// Counts are reported every 200 ms here instead of every 5 s, so a reader leaving shows quickly.
const PRESENCE_INTERVAL_MS = 200
const WAIT = { timeout: 10_000 }

/** A window of its own for each reader: a background tab would be throttled. */
async function newWindow(viewport = { width: 1024, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport })
  contexts.push(context)
  context.setDefaultTimeout(WAIT.timeout)
  return context.newPage()
}

const shown = (page: Page, text: string) => page.locator('.ll-presence', { hasText: text }).waitFor(WAIT)

beforeAll(async () => {
  ;[server, browser] = await Promise.all([
    startServer({ limits: { presenceIntervalMs: PRESENCE_INTERVAL_MS } }),
    launchBrowser(),
  ])
  editor = await keyFor(server.admin, 'editor', 'Presence Editor')
  // A host page on another origin ("localhost" vs "127.0.0.1") embedding the widget.
  cms = createServer((req, res) => {
    const slug = new URL(req.url ?? '/', 'http://x').searchParams.get('story') ?? ''
    res
      .writeHead(200, { 'Content-Type': 'text/html' })
      .end(
        `<!doctype html><html><body><h1>Host</h1><script src="${server.url}/embed.js" data-story="${slug}" async></script></body></html>`,
      )
  })
  await new Promise<void>((resolve) => cms.listen(0, '127.0.0.1', resolve))
  cmsUrl = `http://localhost:${(cms.address() as AddressInfo).port}`
})
afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => {})
  await browser?.close()
  if (cms) await new Promise((resolve) => cms.close(resolve))
  await server?.stop()
})

describe('live reader counts in the browser', () => {
  test('the reader page shows how many read, rises and falls as windows open and close', async () => {
    const story = await makeStory(editor, { status: 'live' })
    await editor.post(`/v1/stories/${story.slug}/updates`, textUpdate('First update'))
    // A phone-sized window, where a line that grows would wrap and push the updates down.
    const first = await newWindow({ width: 360, height: 740 })
    const errors = pageErrors(first)
    await first.goto(`${server.url}/s/${story.slug}`)
    await shown(first, '1 reading')
    // The first count is announced to screen readers (politely, from a region of its own).
    await first.locator('.ll-presence-live', { hasText: '1 reading' }).waitFor(WAIT)
    expect(await first.locator('.ll-presence-live').getAttribute('aria-live')).toBe('polite')

    const second = await newWindow()
    await second.goto(`${server.url}/s/${story.slug}`)
    await shown(second, '2 reading')
    await shown(first, '2 reading')
    // The visible count follows every change, but screen readers are not told every tick.
    expect(await first.locator('.ll-presence-live').textContent()).toBe('1 reading')
    await screenshot(first, 'reader-presence-phone')

    await second.context().close()
    await shown(first, '1 reading')

    // The count's space is kept before the first count: showing it moves nothing on the page.
    const layout = () =>
      first.evaluate(() => ({
        meta: document.querySelector('.ll-meta')!.getBoundingClientRect().height,
        updates: document.querySelector('.ll-updates')!.getBoundingClientRect().top,
      }))
    const withCount = await layout()
    await first.evaluate(() => {
      document.querySelector('.ll-presence')!.textContent = ''
    })
    expect(await layout()).toEqual(withCount)
    expect(errors).toEqual([])
  })

  test('a Turkish story says it in Turkish', async () => {
    const story = await makeStory(editor, { status: 'live', language: 'tr' })
    const page = await newWindow()
    await page.goto(`${server.url}/s/${story.slug}`)
    await shown(page, '1 kişi okuyor')
  })

  test('the widget and the desk show the count of the open story, and follow readers leaving', async () => {
    const title = `Presence desk ${Date.now()}`
    const story = await makeStory(editor, { status: 'live', title })
    const widget = await newWindow()
    await widget.goto(`${cmsUrl}/?story=${story.slug}`)
    const embedded = widget.locator('.liveline-embed .ll-presence')
    await embedded.filter({ hasText: '1 reading' }).waitFor(WAIT)

    const desk = await newWindow({ width: 1280, height: 900 })
    const errors = pageErrors(desk)
    await desk.goto(`${server.url}/desk`)
    expect(await desk.locator('#story-readers').textContent()).toBe('')
    await desk.fill('#key', editor.key!)
    await desk.click('#sign-in-form button')
    await desk.locator(`#story-list button:has-text("${title}")`).click()
    // The desk's own connection is a reader too.
    await desk.locator('#story-readers', { hasText: '2 reading' }).waitFor(WAIT)
    await embedded.filter({ hasText: '2 reading' }).waitFor(WAIT)

    const reader = await newWindow()
    await reader.goto(`${server.url}/s/${story.slug}`)
    await desk.locator('#story-readers', { hasText: '3 reading' }).waitFor(WAIT)
    await embedded.filter({ hasText: '3 reading' }).waitFor(WAIT)
    await screenshot(desk, 'desk-presence')

    await widget.context().close()
    await desk.locator('#story-readers', { hasText: '2 reading' }).waitFor(WAIT)
    await shown(reader, '2 reading')
    expect(errors).toEqual([])
  })
})
