import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Store } from '../src/store/db.js'
import { createStore } from '../src/store/db.js'
import { keyFor, makeStory, range, textUpdate } from './helpers/api.js'
import { startServer, type TestServer } from './helpers/server.js'
import {
  acceptedSeqsByStory,
  type Receiver,
  startReceiver,
  verifySignature,
} from './helpers/webhook-receiver.js'

// Embedded Postgres is one connection: the worker must share it without starving requests.
describe('webhooks in embedded mode (PGlite)', () => {
  let store: Store
  let server: TestServer
  let r: Receiver
  beforeAll(async () => {
    store = await createStore({ dataDir: 'memory://' })
    server = await startServer({ databaseUrl: '', migrate: true, overrides: { store } })
    r = await startReceiver(() => ({ status: 200, delayMs: 5 }))
  }, 120_000)
  afterAll(async () => {
    await r?.close()
    await server?.stop()
    await store?.close()
  })

  it('delivers signed events in order while the API keeps answering', async () => {
    const editor = await keyFor(server.admin, 'editor')
    const partner = await keyFor(server.admin, 'partner')
    const story = await makeStory(editor)
    const hook = await partner.post('/v1/webhooks', { url: r.url, stories: ['*'] })
    expect(hook.status).toBe(201)
    for (let i = 0; i < 10; i++) {
      const started = performance.now()
      expect((await editor.post(`/v1/stories/${story.id}/updates`, textUpdate(`u${i}`))).status).toBe(201)
      expect(performance.now() - started).toBeLessThan(2000)
    }
    await r.waitFor((x) => x.accepted().length === 10)
    expect(acceptedSeqsByStory(r).get(story.id)).toEqual(range(1, 10))
    expect(r.accepted().every((q) => verifySignature(hook.body.secret, q))).toBe(true)
  })
})
