/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Api, keyFor, makeStory } from '../helpers/api.js'
import { launchBrowser, pageErrors } from '../helpers/browser.js'
import { startServer, type TestServer } from '../helpers/server.js'

/** How far ahead the desk schedules an update in the test: time to post it and watch it wait. */
const SCHEDULE_LEAD_MS = 4000

let server: TestServer
let browser: Browser
let editor: Api
let contributorKey: string
const AVATAR = 'https://img.example.com/ali.jpg'

beforeAll(async () => {
  ;[server, browser] = await Promise.all([startServer(), launchBrowser()])
  editor = await keyFor(server.admin, 'editor', 'Desk Editor')
  const person = await server.admin.post('/v1/people', {
    name: 'Ali Stringer',
    title: 'Reporter',
    avatarUrl: AVATAR,
  })
  contributorKey = (
    await server.admin.post('/v1/keys', { name: 'field', role: 'contributor', personId: person.body.id })
  ).body.key
})
afterAll(async () => {
  await browser?.close()
  await server?.stop()
})

async function openDesk(key: string, title: string): Promise<Page> {
  const desk = await (await browser.newContext()).newPage()
  await desk.goto(`${server.url}/desk`)
  await desk.fill('#key', key)
  await desk.click('#sign-in-form button')
  await desk.locator('#desk').waitFor()
  await desk.locator('#story-list button', { hasText: title }).click()
  await desk.locator('#story-title', { hasText: title }).waitFor()
  return desk
}

async function openReader(slug: string): Promise<Page> {
  const reader = await (await browser.newContext()).newPage()
  await reader.goto(`${server.url}/s/${slug}`)
  await reader.locator('.ll-conn[data-state="live"]').waitFor()
  return reader
}

describe('the editorial workflow in the desk', () => {
  test('a contributor submits, an editor publishes, readers see the byline and avatar', async () => {
    const title = `Border crossing ${Date.now()}`
    const story = await makeStory(editor, { title })
    const reader = await openReader(story.slug)

    const stringer = await openDesk(contributorKey, title)
    const errors = pageErrors(stringer)
    await stringer.fill('#blocks textarea', 'Crowds at the gate since dawn.')
    await stringer.click('#post')
    await stringer.locator('#notice', { hasText: 'Submitted' }).waitFor()
    await stringer.locator('#queue-list li[data-status="submitted"]').waitFor()

    const desk = await openDesk(editor.key!, title)
    const waiting = desk.locator('#queue-list li', { hasText: 'Crowds at the gate' })
    await waiting.waitFor()
    expect(await waiting.locator('.meta').textContent()).toContain('submitted · Ali Stringer')
    expect(await reader.locator('.ll-update').count()).toBe(0)
    await waiting.getByRole('button', { name: 'Publish now' }).click()
    await desk.locator('#notice', { hasText: 'Published' }).waitFor()

    const article = reader.locator('.ll-update', { hasText: 'Crowds at the gate' })
    await article.waitFor()
    expect(await article.locator('.ll-author-name').textContent()).toBe('Ali Stringer')
    expect(await article.locator('.ll-author-title').textContent()).toBe(', Reporter')
    expect(await article.locator('img.ll-avatar').getAttribute('src')).toBe(AVATAR)
    expect(errors).toEqual([])
  })

  test('an update scheduled in the desk counts down and appears on an open reader page at its time', async () => {
    const title = `Talks ${Date.now()}`
    const story = await makeStory(editor, { title })
    const reader = await openReader(story.slug)
    const desk = await openDesk(editor.key!, title)
    const at = new Date(Date.now() + SCHEDULE_LEAD_MS)
    // The picker is in the editor's time zone, as datetime-local values are.
    const local = await desk.evaluate((iso) => {
      const d = new Date(iso)
      const pad = (n: number) => String(n).padStart(2, '0')
      return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
    }, at.toISOString())
    await desk.fill('#headline', 'Talks resume in Washington')
    await desk.fill('#blocks textarea', 'Delegations are back at the table.')
    await desk.fill('#publish-at', local)
    expect(await desk.locator('#publish-countdown').textContent()).toMatch(/^publishes in 0 min 0\d s$/)
    await desk.click('#post')
    await desk.locator('#notice', { hasText: 'Scheduled' }).waitFor()
    const waiting = desk.locator('#queue-list li[data-status="scheduled"]')
    await waiting.waitFor()
    expect(await waiting.locator('.countdown').textContent()).toMatch(/^in 0 min 0\d s$/)
    expect(await reader.locator('.ll-update').count()).toBe(0)

    await reader
      .locator('.ll-update', { hasText: 'Talks resume in Washington' })
      .waitFor({ timeout: SCHEDULE_LEAD_MS + 3000 })
    const published = (await editor.get(`/v1/stories/${story.id}/updates`)).body.items[0]
    expect(Date.parse(published.publishedAt) - Math.floor(at.getTime() / 1000) * 1000).toBeLessThan(1000)
  })

  test('an admin adds a person; an editor corrects an update and open pages show the correction at once', async () => {
    const title = `Meeting ${Date.now()}`
    const story = await makeStory(editor, { title })
    await editor.post(`/v1/stories/${story.id}/updates`, {
      blocks: [{ type: 'text', text: 'The meeting is on Monday.' }],
    })
    const reader = await openReader(story.slug)
    const desk = await openDesk(server.admin.key!, title)
    const errors = pageErrors(desk)

    // The people list is the whole newsroom's, shared with other test files: a name of its own.
    const name = `Selin Atay ${Date.now()}`
    await desk.click('#people-box summary')
    await desk.fill('#np-name', name)
    await desk.fill('#np-title', 'Editor')
    await desk.fill('#np-avatar', 'https://img.example.com/selin.jpg')
    await desk.click('#new-person button[type=submit]')
    await desk.locator('#people-list li', { hasText: `${name}, Editor` }).waitFor()
    const people = (await server.api().get('/v1/people')).body.items
    expect(people.map((p: { name: string }) => p.name)).toContain(name)

    const item = desk.locator('#update-list li', { hasText: 'Monday' })
    await item.getByRole('button', { name: 'Edit' }).click()
    expect(await desk.locator('#schedule-row').isHidden()).toBe(true)
    await desk.fill('#blocks textarea', 'The meeting is on Tuesday.')
    await desk.fill('#correction', 'An earlier version said Monday; the meeting is on Tuesday')
    await desk.click('#post')
    await desk.locator('#notice', { hasText: 'Correction published' }).waitFor()

    const correction = reader.locator('.ll-update .ll-correction')
    await correction.waitFor()
    // The time is shown in the reader's own format (live-view.js localizes every <time>).
    expect(await correction.textContent()).toMatch(
      /^Correction, .+: An earlier version said Monday; the meeting is on Tuesday$/,
    )
    expect(await correction.locator('time').getAttribute('datetime')).toMatch(/^\d{4}-.*Z$/)
    expect(await reader.locator('.ll-update .ll-body p').first().textContent()).toBe(
      'The meeting is on Tuesday.',
    )
    expect(errors).toEqual([])
  })
})
