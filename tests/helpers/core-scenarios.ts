import { expect, it } from 'vitest'
import { keyFor, makeStory, range, textUpdate } from './api.js'
import type { TestServer } from './server.js'
import { connectReader } from './ws-client.js'

/**
 * The core promises, written once and run against each store + bus pairing (real Postgres,
 * embedded PGlite): posting, live delivery, resume with since, gapless seq under concurrency.
 */
export function coreScenarios(getServer: () => TestServer) {
  it('posts an update and pushes it to a live reader', async () => {
    const server = getServer()
    const editor = await keyFor(server.admin, 'editor')
    const story = await makeStory(editor)
    const r = await connectReader(server.wsUrl)
    await r.subscribe(story.slug)
    const posted = await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('hello'))
    expect(posted.status).toBe(201)
    await r.waitFor((x) => x.events(story.id).length === 1)
    expect(r.events(story.id)[0]).toMatchObject({ seq: 1, type: 'update.created', update: posted.body })
    r.close()
  })

  it('resumes a reader with since: exactly what it missed, then live', async () => {
    const server = getServer()
    const editor = await keyFor(server.admin, 'editor')
    const story = await makeStory(editor)
    for (let i = 1; i <= 4; i++) await editor.post(`/v1/stories/${story.id}/updates`, textUpdate(`u${i}`))
    const r = await connectReader(server.wsUrl)
    await r.subscribe(story.id, 1)
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('u5'))
    await r.waitFor((x) => x.events(story.id).length === 4)
    expect(r.seqs(story.id)).toEqual(range(2, 5))
    r.close()
  })

  it('keeps seq gapless with 20 concurrent posters', async () => {
    const server = getServer()
    const editor = await keyFor(server.admin, 'editor')
    const story = await makeStory(editor)
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        editor.post(`/v1/stories/${story.id}/updates`, textUpdate(`c${i}`)),
      ),
    )
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201))
    expect(results.map((r) => r.body.seq).sort((a, b) => a - b)).toEqual(range(1, 20))
    const log = (await server.api().get(`/v1/stories/${story.id}/events`)).body
    expect(log.events.map((e: { seq: number }) => e.seq)).toEqual(range(1, 20))
  })

  it('delivers 10 updates to 20 readers exactly once each, in order', async () => {
    const server = getServer()
    const editor = await keyFor(server.admin, 'editor')
    const story = await makeStory(editor)
    const crowd = await Promise.all(Array.from({ length: 20 }, () => connectReader(server.wsUrl)))
    await Promise.all(crowd.map((r) => r.subscribe(story.id)))
    for (let i = 1; i <= 10; i++) await editor.post(`/v1/stories/${story.id}/updates`, textUpdate(`u${i}`))
    await Promise.all(crowd.map((r) => r.waitFor((x) => x.events(story.id).length >= 10)))
    // One more: events of a story arrive in order, so a duplicate of the first 10 would land before it.
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('marker'))
    await Promise.all(crowd.map((r) => r.waitFor((x) => x.seqs(story.id).includes(11), 5000, 'seq 11')))
    for (const r of crowd) {
      expect(r.seqs(story.id)).toEqual(range(1, 11))
      r.close()
    }
  })
}
