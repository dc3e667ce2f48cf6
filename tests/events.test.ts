import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, keyFor, makeStory, textUpdate } from './helpers/api.js'
import { startServer, type TestServer } from './helpers/server.js'

let server: TestServer
let editor: Api
beforeAll(async () => {
  server = await startServer()
  editor = await keyFor(server.admin, 'editor')
})
afterAll(() => server.stop())

describe('the events log', () => {
  it('returns events after since, ascending, limited, with the head', async () => {
    const story = await makeStory(editor)
    for (let i = 0; i < 5; i++) await editor.post(`/v1/stories/${story.id}/updates`, textUpdate(`u${i}`))
    const res = await server.api().get(`/v1/stories/${story.slug}/events?since=1&limit=2`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('application/json')
    expect(res.body.head).toBe(5)
    expect(res.body.events.map((e: { seq: number }) => e.seq)).toEqual([2, 3])
    const event = res.body.events[0]
    expect(Object.keys(event)).toEqual(['story', 'seq', 'type', 'at', 'lastUpdateAt', 'update'])
    expect(event).toMatchObject({ story: story.id, type: 'update.created', update: { seq: 2 } })
  })

  it('rejects a negative or non-numeric since', async () => {
    const story = await makeStory(editor)
    const res = await server.api().get(`/v1/stories/${story.id}/events?since=-1&limit=abc`)
    expect(res.status).toBe(400)
    expect(Object.keys(res.body.error.details).sort()).toEqual(['limit', 'since'])
  })

  it('keeps seq gapless and each update once when 20 editors post at once', async () => {
    const story = await makeStory(editor)
    const editors = await Promise.all(
      Array.from({ length: 20 }, (_, i) => keyFor(server.admin, 'editor', `editor ${i}`)),
    )
    const results = await Promise.all(
      editors.flatMap((e, i) =>
        Array.from({ length: 5 }, (_, j) =>
          e.post(`/v1/stories/${story.id}/updates`, textUpdate(`e${i} u${j}`)),
        ),
      ),
    )
    expect(results.every((r) => r.status === 201)).toBe(true)
    const seqs = results.map((r) => r.body.seq as number).sort((a, b) => a - b)
    expect(seqs).toEqual(Array.from({ length: 100 }, (_, i) => i + 1))
    const log = (await server.api().get(`/v1/stories/${story.id}/events?limit=1000`)).body
    expect(log.head).toBe(100)
    expect(log.events.map((e: { seq: number }) => e.seq)).toEqual(seqs)
    expect(new Set(log.events.map((e: { update: { id: string } }) => e.update.id)).size).toBe(100)
    expect((await server.api().get(`/v1/stories/${story.id}`)).body.updateCount).toBe(100)
  })
})
