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

  test('the desk uploads a picked or dropped photo and fills an image block with its URL', async () => {
    const title = `Desk photo story ${Date.now()}`
    const story = await makeStory(editor, { title })
    const context = await browser.newContext()
    await context.addInitScript((k) => sessionStorage.setItem('liveline.deskKey', k), editor.key as string)
    const desk = await context.newPage()
    desk.setDefaultTimeout(8000)
    const errors = pageErrors(desk)
    await desk.goto(`${server.url}/desk`)
    await desk.locator('#story-list button', { hasText: title }).click()
    await desk.locator('#story-title', { hasText: title }).waitFor()

    // Picked with the keyboard-reachable button's file input.
    const photo = await sharp(randomBytes(1000 * 700 * 3), { raw: { width: 1000, height: 700, channels: 3 } })
      .jpeg()
      .toBuffer()
    await desk
      .locator('#photo-file')
      .setInputFiles({ name: 'square.jpg', mimeType: 'image/jpeg', buffer: photo })
    const block = desk.locator('.block[data-type="image"]').first()
    // The URL is set as the input's value (a property, which attribute selectors do not see).
    const imageUrls = () =>
      desk.evaluate(() =>
        [...document.querySelectorAll<HTMLInputElement>('.block[data-type="image"] input[name="url"]')].map(
          (input) => input.value,
        ),
      )
    await desk.waitForFunction(() =>
      [...document.querySelectorAll<HTMLInputElement>('.block[data-type="image"] input[name="url"]')].some(
        (i) => i.value.includes('/media/'),
      ),
    )
    const url = await block.locator('input[name="url"]').inputValue()
    expect(url).toMatch(new RegExp(`^${server.url}/media/[0-9a-f]{64}/1000\\.jpg$`))
    // The caption field has the focus: the editor types caption and credit, then posts.
    await desk.keyboard.type('The square at noon')
    await block.locator('input[name="credit"]').fill('Ada Editor')
    await desk.locator('#blocks textarea').first().fill('Crowds filled the square.')
    await desk.click('#post')
    await desk.locator('#notice', { hasText: /posted/i }).waitFor()
    const list = await editor.get(`/v1/stories/${story.slug}/updates`)
    const posted = list.body.items[0]
    expect(posted.blocks).toContainEqual({
      type: 'image',
      url,
      caption: 'The square at noon',
      credit: 'Ada Editor',
    })
    expect(posted.html).toContain('srcset=')

    // Dropped onto the composer: another block, another photo.
    const dropped = await sharp(randomBytes(300 * 200 * 3), { raw: { width: 300, height: 200, channels: 3 } })
      .png()
      .toBuffer()
    const transfer = await desk.evaluateHandle(
      (bytes) => {
        const dt = new DataTransfer()
        dt.items.add(new File([new Uint8Array(bytes)], 'drop.png', { type: 'image/png' }))
        return dt
      },
      [...dropped],
    )
    await desk.dispatchEvent('#composer', 'drop', { dataTransfer: transfer })
    await desk.waitForFunction(() =>
      [...document.querySelectorAll<HTMLInputElement>('.block[data-type="image"] input[name="url"]')].some(
        (i) => i.value.endsWith('/300.png'),
      ),
    )
    expect(await imageUrls()).toEqual([expect.stringMatching(/\/300\.png$/)])
    expect(errors).toEqual([])
    await context.close()
  })
})
