/// <reference lib="dom" />
import { randomBytes } from 'node:crypto'
import type { Browser, Page } from 'playwright-core'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Api, keyFor, makeStory } from '../helpers/api.js'
import { launchBrowser, pageErrors } from '../helpers/browser.js'
import { ADMIN_KEY, startServer, type TestServer } from '../helpers/server.js'

/**
 * The desk with the keyboard only: every step is Tab, Shift+Tab, Enter, Space or typing, never a
 * click. `tabTo` presses Tab until the focus is on the element wanted, so each step also proves the
 * element is in the tab order (and how to reach it).
 */

/** Tab presses tried before an element counts as unreachable. */
const MAX_TABS = 150

let server: TestServer
let browser: Browser
let editor: Api
let contributorKey: string

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
  editor = await keyFor(server.admin, 'editor', 'Keyboard Editor')
  contributorKey = (await keyFor(server.admin, 'contributor', 'Keyboard Stringer')).key as string
})
afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

/** What has the focus: its tag, id, text and accessible label, for matching and for failure messages. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null
    if (!el || el === document.body) return null
    const labelled = el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      text: (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 120),
      label: el.getAttribute('aria-label') ?? labelled ?? (el as HTMLInputElement).name ?? '',
      inside: el.closest('li')?.textContent?.replace(/\s+/g, ' ').slice(0, 200) ?? '',
    }
  })

type Focused = NonNullable<Awaited<ReturnType<typeof focused>>>

/** Presses Tab until `wanted` accepts the focused element; fails when it is not reachable. */
async function tabTo(page: Page, what: string, wanted: (f: Focused) => boolean): Promise<void> {
  const seen: string[] = []
  for (let i = 0; i < MAX_TABS; i++) {
    await page.keyboard.press('Tab')
    const f = await focused(page)
    if (f && wanted(f)) return
    seen.push(f ? `${f.tag}#${f.id}:${f.text.slice(0, 30)}` : 'body')
  }
  throw new Error(`${what}: not reachable with Tab; the focus went through ${seen.slice(0, 60).join(' | ')}`)
}

/** Presses each key of `keys` in turn (a date picker's segments take key presses, not inserted text). */
async function pressEach(page: Page, keys: string): Promise<void> {
  for (const key of keys) await page.keyboard.press(key)
}

const button = (text: string, inside?: string) => (f: Focused) =>
  f.tag === 'button' && f.text === text && (inside === undefined || f.inside.includes(inside))
const byId = (id: string) => (f: Focused) => f.id === id

async function signInWithKeyboard(key: string, storyTitle: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage()
  await page.goto(`${server.url}/desk`)
  await tabTo(page, 'the key field', byId('key'))
  await page.keyboard.type(key)
  await page.keyboard.press('Enter')
  await page.locator('#desk').waitFor()
  await tabTo(page, 'the story in the list', (f) => f.tag === 'button' && f.text.startsWith(storyTitle))
  await page.keyboard.press('Enter')
  await page.locator('#story-title', { hasText: storyTitle }).waitFor()
  return page
}

// Each test walks the desk with many key presses; on a busy machine that takes a while.
describe('the desk with the keyboard only', { timeout: 120_000 }, () => {
  test('an admin adds a person and removes one (two presses to confirm)', async () => {
    const title = `Keyboard people ${Date.now()}`
    await makeStory(editor, { title })
    const desk = await signInWithKeyboard(ADMIN_KEY, title)
    const errors = pageErrors(desk)
    const name = `Deniz Keyboard ${randomBytes(3).toString('hex')}`

    await tabTo(desk, 'the People summary', (f) => f.tag === 'summary' && f.text.startsWith('People'))
    await desk.keyboard.press('Enter')
    await desk.locator('#people-box[open]').waitFor()
    await tabTo(desk, 'the name field', byId('np-name'))
    await desk.keyboard.type(name)
    await desk.keyboard.press('Tab')
    await desk.keyboard.type('Correspondent')
    await desk.keyboard.press('Enter')
    await desk.locator('#notice', { hasText: `${name} added.` }).waitFor()
    await desk.locator('#people-list li', { hasText: name }).waitFor()

    // Remove asks for a second press: the focus must stay on the button between the two.
    await desk.keyboard.press('Shift+Tab')
    await tabTo(desk, 'the Remove button of the new person', button('Remove', name))
    await desk.keyboard.press('Enter')
    await desk
      .locator('#people-list li', { hasText: name })
      .getByRole('button', { name: /^Confirm/ })
      .waitFor()
    expect((await focused(desk))?.text).toBe(`Confirm removing ${name}`)
    await desk.keyboard.press('Enter')
    await desk.locator('#notice', { hasText: `${name} removed` }).waitFor()
    expect(await desk.locator('#people-list li', { hasText: name }).count()).toBe(0)
    // The focus stays in the list (its first button), not back at the top of the page.
    expect(await desk.evaluate(() => document.activeElement?.closest('#people-list') !== null)).toBe(true)
    expect(errors).toEqual([])
  })

  test('a contributor submits, and an editor publishes it from the queue', async () => {
    const title = `Keyboard queue ${Date.now()}`
    const story = await makeStory(editor, { title })
    const stringer = await signInWithKeyboard(contributorKey, title)
    await tabTo(stringer, 'the first text block', (f) => f.tag === 'textarea' && /^b\d+-text$/.test(f.id))
    await stringer.keyboard.type('Crowds at the gate since dawn, typed without a mouse.')
    await tabTo(stringer, 'the post button', byId('post'))
    await stringer.keyboard.press('Enter')
    await stringer.locator('#notice', { hasText: 'Submitted' }).waitFor()

    const desk = await signInWithKeyboard(editor.key as string, title)
    const errors = pageErrors(desk)
    await desk.locator('#queue-list li', { hasText: 'typed without a mouse' }).waitFor()
    await tabTo(desk, 'Publish now in the queue', button('Publish now', 'typed without a mouse'))
    await desk.keyboard.press('Enter')
    await desk.locator('#notice', { hasText: 'Published' }).waitFor()
    // The update left the queue with its button: the focus stays with the queue, not the page.
    expect(await desk.evaluate(() => document.activeElement?.closest('#queue-list') !== null)).toBe(true)
    const published = (await editor.get(`/v1/stories/${story.id}/updates`)).body.items
    expect(published.map((u: { status: string }) => u.status)).toEqual(['published'])
    expect(errors).toEqual([])
  })

  test('an editor schedules an update by typing into the picker, then corrects a published one', async () => {
    const title = `Keyboard schedule ${Date.now()}`
    const story = await makeStory(editor, { title })
    const posted = await editor.post(`/v1/stories/${story.id}/updates`, {
      blocks: [{ type: 'text', text: 'The meeting is on Monday' }],
    })
    const desk = await signInWithKeyboard(editor.key as string, title)
    const errors = pageErrors(desk)

    await tabTo(desk, 'the headline', byId('headline'))
    await desk.keyboard.type('Talks resume in Washington')
    await desk.keyboard.press('Tab')
    await desk.keyboard.type('Delegations are back at the table.')
    // The picker, typed segment by segment in the desk's (en-US) format: a day ahead, 14:00:00.
    await tabTo(desk, 'the publish-at picker', byId('publish-at'))
    const tomorrow = new Date(Date.now() + 24 * 3600_000)
    const mm = String(tomorrow.getMonth() + 1).padStart(2, '0')
    const dd = String(tomorrow.getDate()).padStart(2, '0')
    // The year takes up to six digits: ArrowRight moves on to the hour.
    await pressEach(desk, `${mm}${dd}${tomorrow.getFullYear()}`)
    await desk.keyboard.press('ArrowRight')
    await pressEach(desk, '020000P')
    expect(await desk.locator('#publish-at').inputValue()).toMatch(
      new RegExp(`^${tomorrow.getFullYear()}-${mm}-${dd}T14:00(:00)?$`),
    )
    expect(await desk.locator('#publish-countdown').textContent()).toMatch(
      /^publishes in \d+ h \d+ min \d\d s$/,
    )
    await tabTo(desk, 'the post button', byId('post'))
    await desk.keyboard.press('Enter')
    await desk.locator('#notice', { hasText: 'Scheduled for' }).waitFor()
    const scheduled = (await editor.get(`/v1/stories/${story.id}/updates?status=scheduled`)).body.items
    expect(scheduled).toHaveLength(1)
    const expected = await desk.evaluate(
      (local) => new Date(local).toISOString(),
      `${tomorrow.getFullYear()}-${mm}-${dd}T14:00:00`,
    )
    expect(scheduled[0].publishAt).toBe(expected)

    // Correct the published update: Edit, then the correction note, then Enter.
    await tabTo(desk, 'Edit on the published update', button('Edit', 'The meeting is on Monday'))
    await desk.keyboard.press('Enter')
    await desk.locator('#correction-row:not([hidden])').waitFor()
    expect((await focused(desk))?.id).toBe('headline')
    await tabTo(desk, 'the correction note', byId('correction'))
    await desk.keyboard.type('An earlier version said Monday; the meeting is on Tuesday')
    await desk.keyboard.press('Enter')
    await desk.locator('#notice', { hasText: 'Correction published' }).waitFor()
    const corrected = (await editor.get(`/v1/stories/${story.id}/updates/${posted.body.id}`)).body
    expect(corrected.corrections.map((c: { note: string }) => c.note)).toEqual([
      'An earlier version said Monday; the meeting is on Tuesday',
    ])
    expect(errors).toEqual([])
  })

  test('an editor uploads a photo through the file picker with the keyboard', async () => {
    const title = `Keyboard upload ${Date.now()}`
    await makeStory(editor, { title })
    const desk = await signInWithKeyboard(editor.key as string, title)
    const errors = pageErrors(desk)
    const photo = await sharp(randomBytes(640 * 480 * 3), { raw: { width: 640, height: 480, channels: 3 } })
      .jpeg()
      .toBuffer()
    await tabTo(desk, 'Upload photo', byId('upload-photo'))
    const chooser = desk.waitForEvent('filechooser')
    // Playwright turns file-chooser interception on when the listener is added, asynchronously: a
    // round trip to the page first, or the Enter may open the (headless, unseen) native dialog.
    await desk.evaluate(() => undefined)
    await desk.keyboard.press('Enter')
    await (await chooser).setFiles({ name: 'square.jpg', mimeType: 'image/jpeg', buffer: photo })
    await desk.locator('#notice', { hasText: 'Uploaded square.jpg (640 × 480)' }).waitFor()
    // The focus lands in the new image block's caption: type it, Tab to the credit, type it.
    expect(await desk.evaluate(() => (document.activeElement as HTMLInputElement).name)).toBe('caption')
    await desk.keyboard.type('The square at noon')
    await tabTo(desk, 'the credit field', (f) => f.label === 'credit' || /credit/i.test(f.label))
    await desk.keyboard.type('Keyboard Editor')
    await tabTo(desk, 'the post button', byId('post'))
    await desk.keyboard.press('Enter')
    await desk.locator('#notice', { hasText: 'Update posted' }).waitFor()
    const story = (await editor.get(`/v1/stories?limit=20`)).body.items.find(
      (s: { title: string }) => s.title === title,
    )
    const [update] = (await editor.get(`/v1/stories/${story.id}/updates`)).body.items
    expect(update.blocks).toEqual([
      expect.objectContaining({ type: 'image', caption: 'The square at noon', credit: 'Keyboard Editor' }),
    ])
    expect(update.blocks[0].url).toMatch(/\/media\/[0-9a-f]{64}\/640\.jpg$/)
    expect(errors).toEqual([])
  })
})
