/// <reference lib="dom" />
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Api, keyFor, makeStory, textUpdate } from '../helpers/api.js'
import { launchBrowser, pageErrors, screenshot } from '../helpers/browser.js'
import { startServer, type TestServer } from '../helpers/server.js'

let server: TestServer
let editor: Api
let browser: Browser
let cms: Server
let cmsUrl: string
let editorKey: string

// A 1x1 PNG, so the update's image really loads.
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
)

/** A plain "CMS" page on another origin, with loud styles of its own, embedding the widget. */
function cmsPage(slug: string): string {
  return `<!doctype html><html><head><title>Host page</title>
<style>body { font-family: serif; color: rgb(255, 0, 0); } p { color: rgb(255, 0, 0); font-size: 40px; }</style></head>
<body><h1>The Daily Example</h1><p>Our reporters are on the ground.</p>
<script src="${server.url}/embed.js" data-story="${slug}" async></script>
<p>Article footer</p></body></html>`
}

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
  editor = await keyFor(server.admin, 'editor', 'Desk Editor')
  editorKey = editor.key!
  cms = createServer((req, res) => {
    if (req.url === '/square.png') return res.writeHead(200, { 'Content-Type': 'image/png' }).end(PNG)
    const slug = new URL(req.url ?? '/', 'http://x').searchParams.get('story') ?? ''
    res.writeHead(200, { 'Content-Type': 'text/html' }).end(cmsPage(slug))
  })
  await new Promise<void>((resolve) => cms.listen(0, '127.0.0.1', resolve))
  // "localhost" vs "127.0.0.1": a different origin from the Liveline server.
  cmsUrl = `http://localhost:${(cms.address() as AddressInfo).port}`
})
afterAll(async () => {
  await browser?.close()
  await new Promise((resolve) => cms?.close(resolve))
  await server?.stop()
})

describe('embeddable widget', () => {
  test('renders the live story inside a plain host page on another origin, styles isolated', async () => {
    const story = await makeStory(editor, { summary: 'Follow along' })
    await editor.post(`/v1/stories/${story.slug}/updates`, textUpdate('Already posted'))
    const page = await browser.newPage()
    const errors = pageErrors(page)
    await page.goto(`${cmsUrl}/?story=${story.slug}`)
    const widget = page.locator('.liveline-embed')
    await widget.locator('.ll-conn[data-state="live"]').waitFor({ timeout: 5000 })
    // In the page flow where the script tag was, between the host's paragraphs.
    expect(
      await page.evaluate(() => document.querySelector('.liveline-embed')?.previousElementSibling?.tagName),
    ).toBe('SCRIPT')
    expect(await widget.locator('.ll-body').first().textContent()).toContain('Already posted')
    expect(await page.evaluate(() => document.querySelector('.liveline-embed')?.shadowRoot !== null)).toBe(
      true,
    )
    const summary = widget.locator('.ll-summary')
    expect(await summary.evaluate((el) => getComputedStyle(el).color)).not.toBe('rgb(255, 0, 0)')
    expect(await summary.evaluate((el) => getComputedStyle(el).fontSize)).not.toBe('40px')

    const res = await editor.post(`/v1/stories/${story.slug}/updates`, textUpdate('Posted while embedded'))
    await widget.locator(`#u-${res.body.id}`).waitFor({ timeout: 1000 })
    await editor.delete(`/v1/stories/${story.slug}/updates/${res.body.id}`)
    await widget.locator(`#u-${res.body.id}`).waitFor({ state: 'detached', timeout: 1000 })
    await screenshot(page, 'widget')
    expect(errors).toEqual([])
    await page.close()
  })

  test('says so when the story does not exist', async () => {
    const page = await browser.newPage()
    await page.goto(`${cmsUrl}/?story=no-such-story`)
    await page.locator('.liveline-embed .ll-note', { hasText: 'does not exist' }).waitFor({ timeout: 5000 })
    await page.close()
  })
})

describe("editors' desk", () => {
  test('from sign-in to a posted, edited and deleted update, with a reader watching', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } })
    context.setDefaultTimeout(5000)
    const desk = await context.newPage()
    const errors = pageErrors(desk)
    await desk.goto(`${server.url}/desk`)

    // A wrong key gets a clear message and no access.
    await desk.fill('#key', 'll_not_a_real_key')
    await desk.click('#sign-in-form button')
    await desk.locator('#alert', { hasText: 'not accepted' }).waitFor()
    expect(await desk.locator('#desk').isHidden()).toBe(true)

    await desk.fill('#key', editorKey)
    await desk.click('#sign-in-form button')
    await desk.locator('#desk').waitFor()
    expect(await desk.evaluate(() => sessionStorage.getItem('liveline.deskKey'))).toBe(editorKey)
    expect(desk.url()).not.toContain(editorKey)

    // Create a story, live at once.
    const slug = `desk-story-${Date.now()}`
    await desk.click('#new-story-box summary')
    await desk.fill('#ns-title', 'Desk-made story')
    await desk.fill('#ns-slug', slug)
    await desk.fill('#ns-summary', 'Made in a browser')
    await desk.selectOption('#ns-status', 'live')
    await desk.click('#new-story button[type=submit]')
    await desk.locator('#story-title', { hasText: 'Desk-made story' }).waitFor()

    // A reader follows the story in another window (a background tab would be throttled).
    const readerContext = await browser.newContext()
    const reader = await readerContext.newPage()
    await reader.goto(`${server.url}/s/${slug}`)
    await reader.locator('.ll-conn[data-state="live"]').waitFor()

    // Compose: headline, text, quote, image; the preview shows it, markup as text.
    await desk.fill('#headline', 'Crowds gather <b>downtown</b>')
    await desk.fill('#blocks textarea', 'Thousands filled the square.\n\nMore soon.')
    await desk.click('[data-add="quote"]')
    await desk.locator('.block[data-type="quote"] textarea').fill('We will stay.')
    await desk.locator('.block[data-type="quote"] input[name="attribution"]').fill('A protester')
    await desk.click('[data-add="image"]')
    const image = desk.locator('.block[data-type="image"]')
    await image.locator('input[name="url"]').fill('javascript:alert(1)')
    await desk.click('#post')
    // The API refuses the URL and the desk says which field is wrong.
    await desk.locator('#alert', { hasText: 'blocks.2.url' }).waitFor()
    await image.locator('input[name="url"]').fill(`${cmsUrl}/square.png`)
    await image.locator('input[name="caption"]').fill('The square at noon')
    await image.locator('input[name="credit"]').fill('Photo: A. Person')
    expect(await desk.locator('#preview h2').textContent()).toBe('Crowds gather <b>downtown</b>')
    expect(await desk.locator('#preview blockquote footer').textContent()).toBe('A protester')
    expect(await desk.locator('#preview figcaption').textContent()).toBe(
      'The square at noon Photo: A. Person',
    )
    await screenshot(desk, 'desk-compose')

    // A double click posts once.
    await desk.dblclick('#post')
    await desk.locator('#notice', { hasText: 'Update posted' }).waitFor()
    await desk.locator('#update-list li').first().waitFor()
    const listed = await editor.get(`/v1/stories/${slug}/updates`)
    expect(listed.body.items).toHaveLength(1)
    const id = listed.body.items[0].id
    expect(await desk.locator('#update-list li').count()).toBe(1)
    await reader.locator(`#u-${id}`, { hasText: 'Thousands filled the square.' }).waitFor({ timeout: 2000 })

    // Edit it.
    await desk.click('#update-list li button:text("Edit")')
    await desk.fill('#headline', 'Crowds fill downtown')
    await desk.click('#post')
    await desk.locator('#notice', { hasText: 'Update saved' }).waitFor()
    await reader.locator(`#u-${id} h2`, { hasText: 'Crowds fill downtown' }).waitFor({ timeout: 2000 })

    // Mark it a key event and pin it.
    await desk.click('#update-list li button:text("Key event")')
    await desk.locator('#update-list li button[aria-pressed="true"]').waitFor()
    await desk.click('#update-list li button:text("Pin")')
    await desk.locator('#notice', { hasText: 'Pinned.' }).waitFor()
    await reader.locator('.ll-pinned h2', { hasText: 'Crowds fill downtown' }).waitFor({ timeout: 2000 })
    await reader.locator('.ll-keys a', { hasText: 'Crowds fill downtown' }).waitFor({ timeout: 2000 })
    await screenshot(desk, 'desk')

    // Delete it: the first click only asks for confirmation.
    await desk.click('#update-list li button:text("Delete")')
    await desk.click('#update-list li button:text("Confirm delete")')
    await desk.locator('#notice', { hasText: 'Update deleted' }).waitFor()
    expect(await desk.locator('#update-list li').count()).toBe(0)
    await reader.locator(`#u-${id}`).waitFor({ state: 'detached', timeout: 2000 })
    expect(await reader.locator('.ll-pinned').isHidden()).toBe(true)

    // End the story: no more posting.
    await desk.click('#end-story')
    await desk.click('#end-story:text("Confirm: end the story")')
    await desk.locator('#notice', { hasText: 'The story has ended' }).waitFor()
    expect(await desk.locator('#post').isDisabled()).toBe(true)
    await reader.locator('.ll-ended').waitFor({ timeout: 2000 })
    expect((await editor.get(`/v1/stories/${slug}`)).body.status).toBe('ended')
    expect(errors.filter((e) => !/status of 400|status of 401/.test(e))).toEqual([])
    await Promise.all([context.close(), readerContext.close()])
  })
})
