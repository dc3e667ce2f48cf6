import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Store } from '../src/store/db.js'
import { createStore } from '../src/store/db.js'
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

  it('runs the same sql/ migrations and says what it uses', async () => {
    expect(server.app.migrated).toEqual([
      '001_init',
      '002_webhooks',
      '003_webhook_retention',
      '005_people_workflow',
    ])
    expect(server.app.store.kind).toBe('pglite')
    expect(server.app.bus.kind).toBe('memory')
    expect((await server.api().get('/readyz')).body).toEqual({ status: 'ready', database: 'ok', bus: 'ok' })
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
