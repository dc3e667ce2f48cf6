import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { API_TYPES_FILE, generateApiTypes } from '../scripts/openapi-types.js'
import { createLivelineClient } from '../src/api/index.js'
import { keyFor } from './helpers/api.js'
import { startServer, type TestServer } from './helpers/server.js'

let server: TestServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(() => server.stop())

describe('typed API client (liveline/api)', () => {
  it('ships types generated from the document the server serves', async () => {
    const served = (await server.api().get('/openapi.json')).body
    expect(readFileSync(API_TYPES_FILE, 'utf8'), 'stale: run `npm run api:types`').toBe(
      await generateApiTypes(served),
    )
  })

  it('creates a story and posts an update to it on a running server', async () => {
    const editor = await keyFor(server.admin, 'editor', 'Desk tool')
    const liveline = createLivelineClient(server.url, editor.key)

    const story = await liveline.POST('/v1/stories', {
      body: { title: 'Typed client story', status: 'live' },
    })
    expect(story.response.status).toBe(201)
    if (!story.data) throw new Error(JSON.stringify(story.error))
    const posted = await liveline.POST('/v1/stories/{story}/updates', {
      params: { path: { story: story.data.slug }, header: { 'Idempotency-Key': 'typed-client-1' } },
      body: { blocks: [{ type: 'text', text: 'Posted with liveline/api.' }] },
    })
    expect(posted.response.status).toBe(201)
    expect(posted.data).toMatchObject({
      storyId: story.data.id,
      author: { name: 'Desk tool' },
      blocks: [{ type: 'text', text: 'Posted with liveline/api.' }],
    })

    // A reader without a key sees the update; a bad body comes back as the typed error shape.
    const reader = createLivelineClient(server.url)
    const list = await reader.GET('/v1/stories/{story}/updates', {
      params: { path: { story: story.data.id }, query: { limit: '10' } },
    })
    expect(list.data?.items.map((u) => u.id)).toEqual([posted.data?.id])
    const refused = await liveline.POST('/v1/stories/{story}/updates', {
      params: { path: { story: story.data.id } },
      body: { blocks: [] },
    })
    expect(refused.response.status).toBe(400)
    expect(refused.error?.error.code).toBe('invalid_request')
  })
})
