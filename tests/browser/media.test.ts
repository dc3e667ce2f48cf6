/// <reference lib="dom" />
import { randomBytes } from 'node:crypto'
import type { Browser, Request } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Api, keyFor, makeStory } from '../helpers/api.js'
import { launchBrowser, pageErrors, screenshot } from '../helpers/browser.js'
import { startServer, type TestServer } from '../helpers/server.js'

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

async function uploadPhoto(width: number, height: number): Promise<{ url: string; id: string }> {
  const photo = await sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
    .jpeg()
    .toBuffer()
  const res = await fetch(`${server.url}/v1/media`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${editor.key}`, 'Content-Type': 'image/jpeg' },
    body: new Blob([new Uint8Array(photo)]),
  })
  expect(res.status).toBe(201)
  return (await res.json()) as { url: string; id: string }
}

async function postBlocks(slug: string, blocks: unknown[]) {
  const res = await editor.post(`/v1/stories/${slug}/updates`, { blocks })
  expect(res.status).toBe(201)
  return res.body as { id: string }
}

describe('uploaded photos and embeds on the reader page', () => {
  test('an uploaded photo shows through srcset: WebP at the size the screen needs', async () => {
    const story = await makeStory(editor)
    const media = await uploadPhoto(1200, 800)
    const update = await postBlocks(story.slug, [
      { type: 'image', url: media.url, caption: 'Crowds at the square', credit: 'Ada Editor' },
    ])
    // A phone (400 CSS px, 1x) and a desktop (1280 px, 1x): each gets the smallest size that covers it.
    for (const [viewport, expected] of [
      [{ width: 400, height: 800 }, '480.webp'],
      [{ width: 1280, height: 900 }, '960.webp'],
    ] as const) {
      const context = await browser.newContext({ viewport, deviceScaleFactor: 1 })
      const page = await context.newPage()
      const errors = pageErrors(page)
      await page.goto(`${server.url}/s/${story.slug}`)
      const img = page.locator(`#u-${update.id} figure img`)
      await img.scrollIntoViewIfNeeded()
      await page.waitForFunction((id) => {
        const el = document.querySelector<HTMLImageElement>(`#u-${id} figure img`)
        return el?.complete && el.naturalWidth > 0
      }, update.id)
      expect(await img.getAttribute('srcset')).toContain(`${media.id}/480.jpg 480w`)
      // The candidate the browser chose and loaded (`complete` with pixels, above).
      const shown = await img.evaluate((el: HTMLImageElement) => el.currentSrc)
      expect(shown).toBe(media.url.replace(/1200\.jpg$/, expected))
      expect(await page.locator(`#u-${update.id} figcaption`).textContent()).toBe(
        'Crowds at the square Ada Editor',
      )
      expect(errors).toEqual([])
      if (viewport.width === 400) await screenshot(page, 'media-phone')
      await context.close()
    }
  })

  test('a YouTube embed requests nothing from YouTube until the reader clicks, then loads its player', async () => {
    const story = await makeStory(editor)
    const update = await postBlocks(story.slug, [
      { type: 'embed', url: 'https://www.youtube.com/watch?v=dQw4w9WgXcQ' },
    ])
    const context = await browser.newContext()
    // No internet here: answer the player's request ourselves (the browser still checks it against the CSP).
    await context.route(/youtube/, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<p>player</p>' }),
    )
    const page = await context.newPage()
    const errors = pageErrors(page)
    const thirdParty: string[] = []
    page.on('request', (request: Request) => {
      if (!request.url().startsWith(server.url)) thirdParty.push(request.url())
    })
    await page.goto(`${server.url}/s/${story.slug}`, { waitUntil: 'networkidle' })
    await page.locator('.ll-conn[data-state="live"]').waitFor()
    const card = page.locator(`#u-${update.id} .embed-card`)
    expect(await card.locator('.embed-card-provider').textContent()).toBe('YouTube')
    expect(await page.locator('iframe').count()).toBe(0)
    expect(thirdParty).toEqual([])

    const player = page.waitForRequest(/youtube-nocookie\.com\/embed\/dQw4w9WgXcQ/)
    await card.locator('a').click()
    await player
    const frame = page.locator(`#u-${update.id} iframe.embed-frame`)
    expect(await frame.getAttribute('src')).toBe(
      'https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=1',
    )
    await page.frameLocator(`#u-${update.id} iframe.embed-frame`).locator('text=player').waitFor()
    // Only the privacy-enhanced player, never youtube.com itself; the page stayed (the link was not followed).
    expect(thirdParty.every((url) => url.startsWith('https://www.youtube-nocookie.com/'))).toBe(true)
    expect(page.url()).toBe(`${server.url}/s/${story.slug}`)
    expect(errors).toEqual([])
    await context.close()
  })
})
