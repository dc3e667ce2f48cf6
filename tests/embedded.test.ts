import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Store } from '../src/store/db.js'
import { createStore } from '../src/store/db.js'
import { ALL_MIGRATIONS, keyFor, makeStory } from './helpers/api.js'
import { coreScenarios } from './helpers/core-scenarios.js'
import { startServer, type TestServer } from './helpers/server.js'

// One PGlite per file: a fresh one takes seconds to boot.
describe('embedded mode: PGlite and the in-process bus', () => {
  let store: Store
  let server: TestServer
  beforeAll(async () => {
    store = await createStore({ dataDir: 'memory://' })
    server = await startServer({ databaseUrl: '', migrate: true, overrides: { store } })
  }, 120_000)
  afterAll(async () => {
    await server?.stop()
    await store?.close()
  })

  it('stores uploaded images in the embedded database too', async () => {
    const png = await sharp({ create: { width: 600, height: 400, channels: 3, background: '#c33' } })
      .png()
      .toBuffer()
    const res = await fetch(`${server.url}/v1/media`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.admin.key}`, 'Content-Type': 'image/png' },
      body: new Blob([new Uint8Array(png)]),
    })
    expect(res.status).toBe(201)
    const media = (await res.json()) as { url: string }
    const small = await fetch(media.url.replace(/600\.png$/, '480.webp'))
    expect(small.status).toBe(200)
    const meta = await sharp(Buffer.from(await small.arrayBuffer())).metadata()
    expect(meta).toMatchObject({ format: 'webp', width: 480, height: 320 })
  })

  it('runs the same sql/ migrations and says what it uses', async () => {
    expect(server.app.migrated).toEqual(ALL_MIGRATIONS)
    expect(server.app.store.kind).toBe('pglite')
    expect(server.app.bus.kind).toBe('memory')
    expect((await server.api().get('/readyz')).body).toEqual({ status: 'ready', database: 'ok', bus: 'ok' })
  })

  it('takes a reader comment and publishes it on an open story', async () => {
    const editor = await keyFor(server.admin, 'editor')
    const story = await makeStory(editor)
    await editor.patch(`/v1/stories/${story.id}`, { comments: 'open' })
    await server.app.comments.rules.ready()
    const posted = await server.api().post(`/v1/stories/${story.id}/comments`, {
      name: 'Deniz',
      text: 'Thanks for keeping us informed tonight.',
    })
    expect(posted.body).toMatchObject({ status: 'published', reasons: [] })
    const events = (await server.api().get(`/v1/stories/${story.id}/events?since=${story.seq + 1}`)).body
      .events
    expect(events.map((e: { type: string }) => e.type)).toEqual(['comment.published'])
    expect((await server.api().get(`/v1/stories/${story.id}/comments`)).body.items).toEqual([posted.body])
  })

  coreScenarios(() => server)
})

describe('the same core scenarios on Postgres and Redis', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startServer({ redis: true })
  })
  afterAll(() => server.stop())
  coreScenarios(() => server)
})
