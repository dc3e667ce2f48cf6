/// <reference lib="dom" />
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Api, keyFor, makeStory } from '../helpers/api.js'
import { launchBrowser, pageErrors, screenshot } from '../helpers/browser.js'
import { startServer, type TestServer } from '../helpers/server.js'

let server: TestServer
let editor: Api
let browser: Browser

beforeAll(async () => {
  ;[server, browser] = await Promise.all([
    startServer({ comments: { perStory: 100, perAddress: 1000 } }),
    launchBrowser(),
  ])
  editor = await keyFor(server.admin, 'editor', 'Comment Editor')
  await server.app.comments.rules.ready()
}, 60_000)
afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

describe('reader comments in the browser', () => {
  test('a reader comments on the page, an editor approves it in the desk, another reader sees it live', async () => {
    const title = `Comment story ${Date.now()}`
    const story = await makeStory(editor, { title })

    // Two readers in their own windows, and an editor at the desk.
    const [writerContext, watcherContext, deskContext] = await Promise.all([
      browser.newContext(),
      browser.newContext(),
      browser.newContext(),
    ])
    const writer = await writerContext.newPage()
    const watcher = await watcherContext.newPage()
    const desk = await deskContext.newPage()
    const errors = [...pageErrors(writer), ...pageErrors(watcher), ...pageErrors(desk)]
    for (const page of [writer, watcher]) {
      await page.goto(`${server.url}/s/${story.slug}`)
      await page.locator('.ll-conn[data-state="live"]').waitFor()
      expect(await page.locator('.ll-comments').isHidden()).toBe(true)
    }

    // The editor turns comments on in the desk; the open pages show the form without a reload.
    await desk.goto(`${server.url}/desk`)
    await desk.fill('#key', editor.key!)
    await desk.click('#sign-in-form button')
    await desk.locator('#story-list button', { hasText: title }).click()
    await desk.locator('#story-title', { hasText: title }).waitFor()
    await desk.selectOption('#comments-setting', 'moderated')
    await desk.locator('#notice', { hasText: 'Comments: moderated' }).waitFor()
    await writer.locator('.ll-comment-form').waitFor()
    expect(await writer.locator('.ll-policy').textContent()).toMatch(/^Comments that contain insults/)

    // Markup in a comment stays text everywhere.
    const text = 'Great work </script><b>team</b> on this story'
    await writer.fill('.ll-comment-form input[name="name"]', 'Jane <i>Reader</i>')
    await writer.fill('.ll-comment-form textarea[name="text"]', text)
    await writer.click('.ll-comment-form button')
    await writer.locator('.ll-comment-status', { hasText: 'awaits review' }).waitFor()
    expect(await writer.locator('.ll-comment').count()).toBe(0)

    // The queue fills without a reload; A approves the selected comment.
    const queued = desk.locator('#comment-queue li', { hasText: 'team' })
    await queued.waitFor({ timeout: 10_000 })
    expect(await queued.locator('.comment-text').textContent()).toBe(text)
    await screenshot(desk, 'desk-comment-queue')
    await queued.focus()
    await desk.keyboard.press('a')
    await desk.locator('#notice', { hasText: 'Comment approved' }).waitFor()

    const shown = watcher.locator('.ll-comment', { hasText: 'team' })
    await shown.waitFor({ timeout: 5000 })
    expect(await shown.locator('.ll-comment-text').textContent()).toBe(text)
    expect(await shown.locator('.ll-comment-name').textContent()).toBe('Jane <i>Reader</i>')
    expect(await watcher.locator('.ll-comment b, .ll-comment i').count()).toBe(0)
    await screenshot(watcher, 'reader-comment')

    // Removing it in the desk takes it off the reader's page.
    await desk.locator('#comment-published li button', { hasText: 'Remove' }).click()
    await desk.locator('#comment-published li button', { hasText: 'Confirm remove' }).click()
    await desk.locator('#notice', { hasText: 'Comment removed' }).waitFor()
    await shown.waitFor({ state: 'detached', timeout: 5000 })
    expect(errors).toEqual([])
    await Promise.all([writerContext.close(), watcherContext.close(), deskContext.close()])
    // Three windows and a desk on a shared two-core machine: more than the default 30 s.
  }, 90_000)

  test("the widget's form works on another origin", async () => {
    const story = await makeStory(editor)
    await editor.patch(`/v1/stories/${story.id}`, { comments: 'open' })
    // A host page on another origin ("localhost" vs "127.0.0.1") embedding the widget.
    const host = createServer((_req, res) => {
      res
        .writeHead(200, { 'Content-Type': 'text/html' })
        .end(
          `<!doctype html><html><body><h1>Host</h1><script src="${server.url}/embed.js" data-story="${story.slug}" async></script></body></html>`,
        )
    })
    await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve))
    try {
      const page = await browser.newPage()
      const errors = pageErrors(page)
      await page.goto(`http://localhost:${(host.address() as AddressInfo).port}/`)
      const widget = page.locator('.liveline-embed')
      await widget.locator('.ll-conn[data-state="live"]').waitFor()
      await widget.locator('.ll-comment-form input[name="name"]').fill('Host reader')
      await widget
        .locator('.ll-comment-form textarea[name="text"]')
        .fill('Thank you for the live coverage tonight.')
      await widget.locator('.ll-comment-form button').click()
      await widget.locator('.ll-comment-status[data-state="published"]').waitFor()
      await widget.locator('.ll-comment', { hasText: 'Thank you for the live coverage' }).waitFor()
      const listed = await editor.get(`/v1/stories/${story.id}/comments`)
      expect(listed.body.items.map((c: { name: string }) => c.name)).toEqual(['Host reader'])
      expect(errors).toEqual([])
      await page.close()
    } finally {
      await new Promise((resolve) => host.close(resolve))
    }
  })

  test('a rejected comment shows its reason, in the story language', async () => {
    const story = await makeStory(editor, { language: 'tr' })
    await editor.patch(`/v1/stories/${story.id}`, { comments: 'open' })
    const page = await browser.newPage()
    const errors = pageErrors(page)
    await page.goto(`${server.url}/s/${story.slug}`)
    await page.locator('.ll-comment-form').waitFor()
    await page.fill('.ll-comment-form input[name="name"]', 'Okur')
    await page.fill('.ll-comment-form textarea[name="text"]', 'BU HABER ÇOK KÖTÜ YAZILMIŞ BENCE')
    await page.click('.ll-comment-form button')
    await page
      .locator('.ll-comment-status[data-state="rejected"]', { hasText: 'büyük harflerle yazılmış' })
      .waitFor()
    expect(await page.locator('.ll-comment-status').textContent()).toBe(
      'Yorumunuz onaylanmadı: büyük harflerle yazılmış',
    )
    await screenshot(page, 'reader-comment-rejected')
    expect(errors).toEqual([])
    await page.close()
  })
})
