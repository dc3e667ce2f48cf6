/// <reference lib="dom" />
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Api, keyFor, makeStory, textUpdate } from '../helpers/api.js'
import { launchBrowser, pageErrors, screenshot } from '../helpers/browser.js'
import { startServer, type TestServer } from '../helpers/server.js'
import { TcpProxy } from '../helpers/tcp-proxy.js'

let server: TestServer
let editor: Api
let browser: Browser

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
  editor = await keyFor(server.admin, 'editor', 'Ada Editor')
})
afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

async function openReader(slug: string, options: { base?: string; context?: BrowserContext } = {}) {
  const context = options.context ?? (await browser.newContext())
  const page = await context.newPage()
  const errors = pageErrors(page)
  await page.goto(`${options.base ?? server.url}/s/${slug}`)
  await page.locator('.ll-conn[data-state="live"]').waitFor()
  // Set once: if the page ever reloads, this marker is gone.
  await page.evaluate(() => {
    ;(window as any).__sameDocument = true
  })
  return { page, errors, context }
}

const notReloaded = (page: Page) => page.evaluate(() => (window as any).__sameDocument === true)

async function post(slug: string, text: string, extra: Record<string, unknown> = {}) {
  const res = await editor.post(`/v1/stories/${slug}/updates`, textUpdate(text, extra))
  expect(res.status).toBe(201)
  return res.body as { id: string; seq: number }
}

describe('reader page in a real browser', () => {
  test('shows an update posted through the API within a second, at the top, without reload', async () => {
    const story = await makeStory(editor, { summary: 'Everything as it happens', section: 'World' })
    await post(story.slug, 'First update, already there')
    const { page, errors, context } = await openReader(story.slug)
    expect(await page.locator('.ll-update').count()).toBe(1)

    const started = Date.now()
    const update = await post(story.slug, 'Second update, posted live')
    await page.locator(`#u-${update.id}`).waitFor({ timeout: 1000 })
    const elapsed = Date.now() - started
    expect(elapsed).toBeLessThan(1000)
    expect(await page.locator('.ll-updates > article').first().getAttribute('id')).toBe(`u-${update.id}`)
    expect(await page.locator(`#u-${update.id} .ll-body`).textContent()).toContain(
      'Second update, posted live',
    )
    expect(await page.locator('.ll-stamp').textContent()).toMatch(/^Last update: .*(now|second|minute)/)
    expect(await notReloaded(page)).toBe(true)
    await screenshot(page, 'reader-desktop')
    expect(errors).toEqual([])
    console.log(`live update visible ${elapsed} ms after the POST answered`)
    await context.close()
  })

  test('applies an edit and a delete in place', async () => {
    const story = await makeStory(editor)
    const keep = await post(story.slug, 'Stays')
    const target = await post(story.slug, 'Original wording')
    const { page, errors, context } = await openReader(story.slug)

    const edit = await editor.patch(`/v1/stories/${story.slug}/updates/${target.id}`, {
      blocks: [{ type: 'text', text: 'Corrected wording' }],
      keyEvent: true,
    })
    expect(edit.status).toBe(200)
    const article = page.locator(`#u-${target.id}`)
    await expect.poll(() => article.locator('.ll-body').textContent()).toContain('Corrected wording')
    expect(await article.locator('.ll-edited').count()).toBe(1)
    // Still in the same place (second of two), now listed among the key events.
    expect(await page.locator('.ll-updates > article').nth(0).getAttribute('id')).toBe(`u-${target.id}`)
    await expect.poll(() => page.locator('.ll-keys a').count()).toBe(1)
    expect(await page.locator('.ll-keys a').getAttribute('href')).toBe(`#u-${target.id}`)

    expect((await editor.delete(`/v1/stories/${story.slug}/updates/${target.id}`)).status).toBe(204)
    await article.waitFor({ state: 'detached', timeout: 1000 })
    expect(await page.locator('.ll-updates > article').count()).toBe(1)
    expect(await page.locator(`#u-${keep.id}`).count()).toBe(1)
    expect(await page.locator('.ll-keys').isHidden()).toBe(true)
    expect(await notReloaded(page)).toBe(true)
    expect(errors).toEqual([])
    await context.close()
  })

  test('shows a pinned update on top and follows pinning live', async () => {
    const story = await makeStory(editor)
    const first = await post(story.slug, 'The update worth pinning')
    await post(story.slug, 'A later update')
    const { page, context } = await openReader(story.slug)
    expect(await page.locator('.ll-pinned').isHidden()).toBe(true)
    expect((await editor.patch(`/v1/stories/${story.slug}`, { pinnedUpdateId: first.id })).status).toBe(200)
    await page
      .locator('.ll-pinned .ll-body', { hasText: 'The update worth pinning' })
      .waitFor({ timeout: 1000 })
    expect((await editor.patch(`/v1/stories/${story.slug}`, { pinnedUpdateId: null })).status).toBe(200)
    await page.locator('.ll-pinned').waitFor({ state: 'hidden', timeout: 1000 })
    await context.close()
  })

  test('after its connection is cut and restored, the reader shows each update posted meanwhile once', async () => {
    const proxy = new TcpProxy('127.0.0.1', server.port)
    await proxy.start()
    try {
      const story = await makeStory(editor)
      await post(story.slug, 'Before the cut')
      const { page, errors, context } = await openReader(story.slug, {
        base: `http://127.0.0.1:${proxy.port}`,
      })
      await proxy.cut()
      await page.locator('.ll-conn[data-state="reconnecting"]').waitFor({ timeout: 2000 })
      const meanwhile = []
      for (const n of [1, 2, 3]) meanwhile.push(await post(story.slug, `Posted while cut off ${n}`))
      await proxy.restore()
      await page.locator('.ll-conn[data-state="live"]').waitFor({ timeout: 15_000 })
      for (const u of meanwhile) await page.locator(`#u-${u.id}`).waitFor({ timeout: 2000 })
      const texts = await page.locator('.ll-updates > article .ll-body').allTextContents()
      expect(texts.map((t) => t.trim())).toEqual([
        'Posted while cut off 3',
        'Posted while cut off 2',
        'Posted while cut off 1',
        'Before the cut',
      ])
      expect(await notReloaded(page)).toBe(true)
      // The failed reconnects show up as console errors (net::ERR_CONNECTION_REFUSED); nothing else may.
      expect(errors.filter((e) => !/ERR_CONNECTION|WebSocket/.test(e))).toEqual([])
      await context.close()
    } finally {
      await proxy.cut()
    }
  })

  test('text with HTML in it shows as text, on the server-rendered page and live', async () => {
    const evil = '<img src=x onerror="window.__pwned=1"><b>bold</b>'
    const story = await makeStory(editor, { title: `Title ${evil}`, summary: `Summary ${evil}` })
    await post(story.slug, `Rendered ${evil}`, { headline: `Headline ${evil}` })
    const { page, errors, context } = await openReader(story.slug)
    await post(story.slug, `Live ${evil}`, { headline: `Live headline ${evil}` })
    await page.locator('.ll-update', { hasText: 'Live headline' }).waitFor({ timeout: 1000 })
    expect(await page.locator('.ll-title').textContent()).toBe(`Title ${evil}`)
    expect(await page.locator('.ll-summary').textContent()).toBe(`Summary ${evil}`)
    const bodies = await page.locator('.ll-updates .ll-body').allTextContents()
    expect(bodies.join('\n')).toContain(`Live ${evil}`)
    expect(bodies.join('\n')).toContain(`Rendered ${evil}`)
    expect(await page.locator('.liveline b, .liveline img').count()).toBe(0)
    expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined()
    expect(await page.title()).toBe(`Title ${evil} (live)`)
    expect(errors).toEqual([])
    await context.close()
  })

  test('while the reader is scrolled down, new updates wait behind an "N new updates" button', async () => {
    const story = await makeStory(editor)
    for (let i = 1; i <= 12; i++)
      await post(story.slug, `Earlier update ${i}\n\n${'Lorem ipsum dolor sit amet. '.repeat(20)}`)
    const context = await browser.newContext({ viewport: { width: 390, height: 700 }, locale: 'en-US' })
    const { page } = await openReader(story.slug, { context })
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight))
    const lastArticle = page.locator('.ll-updates > article').last()
    const before = (await lastArticle.boundingBox())!.y
    const a = await post(story.slug, 'Breaking while you read, one')
    const b = await post(story.slug, 'Breaking while you read, two')
    const button = page.locator('.ll-new')
    await expect.poll(() => button.textContent(), { timeout: 2000 }).toBe('2 new updates')
    expect(await page.locator(`#u-${a.id}`).count()).toBe(0)
    // What the reader is looking at has not moved.
    expect(Math.abs((await lastArticle.boundingBox())!.y - before)).toBeLessThan(2)
    await button.focus()
    await page.keyboard.press('Enter')
    await page.locator(`#u-${b.id}`).waitFor()
    expect(await page.locator('.ll-updates > article').first().getAttribute('id')).toBe(`u-${b.id}`)
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(`u-${b.id}`)
    expect(await button.isHidden()).toBe(true)
    await context.close()
  })

  test("the stamp ticks in the reader's language; absolute times show in the reader's time zone", async () => {
    const story = await makeStory(editor)
    await post(story.slug, 'Something happened')
    const context = await browser.newContext({ locale: 'de-DE', timezoneId: 'Asia/Tokyo' })
    const { page } = await openReader(story.slug, { context })
    const stamp = page.locator('.ll-stamp time')
    expect(await stamp.textContent()).toMatch(/^vor \d+ Sekunden$|^jetzt$/)
    expect(await stamp.getAttribute('title')).toMatch(/GMT\+9|Japanische Normalzeit/)
    // Pretend the page has been open for three minutes: the stamp keeps counting.
    const sevenMinutesAgo = new Date(Date.now() - 7 * 60_000).toISOString()
    await page.evaluate((iso) => {
      document.querySelector('.ll-stamp time')?.setAttribute('datetime', iso)
    }, sevenMinutesAgo)
    await expect.poll(() => stamp.textContent(), { timeout: 3000 }).toBe('vor 7 Minuten')
    await context.close()
  })

  test('renders on a phone, and without JavaScript', async () => {
    const story = await makeStory(editor, { summary: 'Readable on a small screen', section: 'Weather' })
    await post(story.slug, 'Key moment', { headline: 'The storm made landfall', keyEvent: true })
    await editor.post(`/v1/stories/${story.slug}/updates`, {
      headline: 'Quote of the day',
      blocks: [{ type: 'quote', text: 'We are ready.', attribution: 'The mayor' }],
    })
    const phone = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true })
    const { page } = await openReader(story.slug, { context: phone })
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375)
    await screenshot(page, 'reader-phone')
    await phone.close()

    const noJs = await browser.newContext({ javaScriptEnabled: false })
    const plain = await noJs.newPage()
    await plain.goto(`${server.url}/s/${story.slug}`)
    expect(await plain.locator('.ll-update').count()).toBe(2)
    expect(await plain.locator('.ll-keys a').textContent()).toContain('The storm made landfall')
    expect(await plain.locator('.ll-stamp').textContent()).toMatch(
      /Last update: \d{4}-\d\d-\d\d \d\d:\d\d UTC/,
    )
    await noJs.close()
  })
})
