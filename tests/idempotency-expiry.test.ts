import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, keyFor, makeStory, textUpdate } from './helpers/api.js'
import { startServer, type TestServer } from './helpers/server.js'

const HOUR = 3600_000
/** Keys one DELETE removes in this test: small, so a run takes several batches. */
const BATCH = 3

/** The servers' clock runs this far behind real time, so keys can be made "long ago". */
let clockOffsetMs = 0
const clock = () => new Date(Date.now() - clockOffsetMs)

let servers: TestServer[]
let editor: Api
beforeAll(async () => {
  const start = () => startServer({ limits: { idempotencyPruneBatch: BATCH }, overrides: { clock } })
  servers = [await start(), await start()]
  editor = await keyFor(servers[0]!.admin, 'editor')
})
afterAll(async () => {
  for (const s of servers) await s.stop()
})

async function keysLike(prefix: string): Promise<string[]> {
  const rows = await servers[0]!.app.deps.db
    .selectFrom('idempotency_keys')
    .select('key')
    .where('key', 'like', `${prefix}%`)
    .orderBy('key')
    .execute()
  return rows.map((r) => r.key)
}

describe('Idempotency-Key expiry', () => {
  it('replays within 24 h; after that the same key and body post again (a new update)', async () => {
    const story = await makeStory(editor)
    const key = `exp-${randomBytes(6).toString('hex')}`
    const post = () =>
      editor.post(`/v1/stories/${story.id}/updates`, textUpdate('once'), { 'Idempotency-Key': key })
    clockOffsetMs = 24 * HOUR + 60_000
    const first = await post()
    expect(first.status).toBe(201)
    clockOffsetMs = 23 * HOUR
    const replay = await post()
    expect(replay.headers.get('idempotent-replayed')).toBe('true')
    expect(replay.body.id).toBe(first.body.id)
    clockOffsetMs = 0
    const again = await post()
    expect(again.status).toBe(201)
    expect(again.headers.get('idempotent-replayed')).toBeNull()
    expect(again.body.id).not.toBe(first.body.id)
    // And the key now names the new update.
    const replayOfNew = await post()
    expect(replayOfNew.body.id).toBe(again.body.id)
  })

  it('deletes expired keys in bounded batches, on two instances at once, and keeps the rest', async () => {
    const story = await makeStory(editor)
    const prefix = `prune-${randomBytes(6).toString('hex')}-`
    const postWith = (key: string) =>
      editor.post(`/v1/stories/${story.id}/updates`, textUpdate(key), { 'Idempotency-Key': key })
    clockOffsetMs = 25 * HOUR
    const old = Array.from({ length: 4 * BATCH + 1 }, (_, i) => `${prefix}old-${String(i).padStart(2, '0')}`)
    for (const key of old) expect((await postWith(key)).status).toBe(201)
    clockOffsetMs = HOUR
    const recent = [`${prefix}recent-1`, `${prefix}recent-2`]
    for (const key of recent) expect((await postWith(key)).status).toBe(201)
    clockOffsetMs = 0
    expect(await keysLike(prefix)).toHaveLength(old.length + recent.length)

    // Both instances prune at the same moment: together they delete each expired key once.
    const counts = await Promise.all(servers.map((s) => s.app.idempotencyPruner.pruneNow()))
    expect(counts[0]! + counts[1]!).toBeGreaterThanOrEqual(old.length)
    expect(await keysLike(prefix)).toEqual(recent)
    // The updates themselves stay.
    const updates = await editor.get(`/v1/stories/${story.id}/updates?limit=100`)
    expect(updates.status).toBe(200)
  })
})
