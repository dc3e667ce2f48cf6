import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Api, keyFor, makeStory } from './helpers/api.js'
import { startServer, type TestServer } from './helpers/server.js'
import { connectReader } from './helpers/ws-client.js'

let server: TestServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(() => server.stop())

describe('API keys', () => {
  it('creates a key shown once, lists keys without secrets, and the key works', async () => {
    const created = await server.admin.post('/v1/keys', { name: 'Desk tool', role: 'editor' })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ name: 'Desk tool', role: 'editor' })
    expect(created.body.key).toMatch(/^ll_[A-Za-z0-9_-]{43}$/)
    expect(created.body.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)

    const list = await server.admin.get('/v1/keys')
    expect(list.status).toBe(200)
    const item = list.body.items.find((k: { id: string }) => k.id === created.body.id)
    expect(item).toEqual({
      id: created.body.id,
      name: 'Desk tool',
      role: 'editor',
      personId: null,
      createdAt: created.body.createdAt,
      revokedAt: null,
    })
    expect(JSON.stringify(list.body)).not.toContain(created.body.key)

    const story = await server.api(created.body.key).post('/v1/stories', { title: 'Made with a new key' })
    expect(story.status).toBe(201)
  })

  it('answers 401 without a key and 403 for a role that may not manage keys', async () => {
    const anonymous = await server.api().post('/v1/keys', { name: 'x', role: 'editor' })
    expect(anonymous.status).toBe(401)
    expect(anonymous.body.error.code).toBe('unauthorized')
    const editor = await keyFor(server.admin, 'editor')
    const forbidden = await editor.get('/v1/keys')
    expect(forbidden.status).toBe(403)
    expect(forbidden.body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } })
  })

  it('answers 401 for an unknown key and a malformed Authorization header', async () => {
    expect((await server.api('ll_not-a-real-key').get('/v1/stories')).status).toBe(401)
    const res = await server.api().get('/v1/stories', { Authorization: 'Basic abc' })
    expect(res.status).toBe(401)
    expect(res.body.error.code).toBe('unauthorized')
  })

  it('rejects an unknown role with invalid_request naming the field', async () => {
    const res = await server.admin.post('/v1/keys', { name: 'x', role: 'superuser' })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('invalid_request')
    expect(Object.keys(res.body.error.details)).toEqual(['role'])
  })

  it('revokes a key at once: requests get 401 and its open websocket is closed', async () => {
    const created = await server.admin.post('/v1/keys', { name: 'partner feed', role: 'partner' })
    const partner = new Api(server.url, created.body.key)
    expect((await partner.get('/v1/stories')).status).toBe(200)
    const reader = await connectReader(server.wsUrl, { key: created.body.key })
    const editor = await keyFor(server.admin, 'editor')
    const story = await makeStory(editor)
    expect((await reader.subscribe(story.id)).type).toBe('subscribed')

    const revoked = await server.admin.delete(`/v1/keys/${created.body.id}`)
    expect(revoked.status).toBe(204)
    expect((await partner.get('/v1/stories')).status).toBe(401)
    expect(await reader.waitForClose()).toBe(1008)
    const list = await server.admin.get('/v1/keys')
    expect(list.body.items.find((k: { id: string }) => k.id === created.body.id).revokedAt).toEqual(
      expect.any(String),
    )
  })

  it('answers 404 when revoking a key that does not exist', async () => {
    const res = await server.admin.delete('/v1/keys/nope')
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('not_found')
  })
})
