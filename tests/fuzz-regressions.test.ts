import { Agent, request as httpRequest } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keyFor, makeStory, textUpdate } from './helpers/api.js'
import { ADMIN_KEY, startServer, type TestServer } from './helpers/server.js'

/**
 * What `npm run fuzz` (tests/fuzz/) found, each kept as a plain case so it stays fixed whatever
 * the fuzzer's seed draws next time.
 */
let server: TestServer
let storyId: string
let updateId: string
let webhookId: string

beforeAll(async () => {
  server = await startServer()
  const editor = await keyFor(server.admin, 'editor')
  storyId = (await makeStory(editor)).id
  updateId = (await editor.post(`/v1/stories/${storyId}/updates`, textUpdate('fuzz regression'))).body.id
  webhookId = (await server.admin.post('/v1/webhooks', { url: 'http://127.0.0.1:9/hook', stories: ['*'] }))
    .body.id
})
afterAll(() => server.stop())

/** What the refused requests could have touched: the story's log and update, the webhook. */
async function snapshot(): Promise<unknown> {
  const { db } = server.app.deps
  const story = await db
    .selectFrom('stories')
    .select('seq')
    .where('id', '=', storyId)
    .executeTakeFirstOrThrow()
  const events = await db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('story_id', '=', storyId)
    .executeTakeFirstOrThrow()
  const update = await db
    .selectFrom('updates')
    .selectAll()
    .where('id', '=', updateId)
    .executeTakeFirstOrThrow()
  const webhook = await db
    .selectFrom('webhooks')
    .selectAll()
    .where('id', '=', webhookId)
    .executeTakeFirstOrThrow()
  return { seq: Number(story.seq), events: Number(events.n), update, webhook }
}

describe('ids with a NUL byte in the path (Postgres text cannot hold one)', () => {
  const cases = (): Array<[string, string, unknown?]> => [
    ['GET', '/v1/keys/a%00b'],
    ['DELETE', '/v1/keys/%00'],
    ['PATCH', '/v1/keys/%00', { personId: null }],
    ['GET', '/v1/webhooks/%00'],
    ['PATCH', '/v1/webhooks/x%00', { url: 'http://127.0.0.1:9/other' }],
    ['DELETE', '/v1/webhooks/%00'],
    ['POST', '/v1/webhooks/%00/secret', { overlapSeconds: 60 }],
    ['GET', '/v1/webhooks/%00/deliveries'],
    ['POST', `/v1/webhooks/${webhookId}/deliveries/%00/retry`, {}],
    ['GET', `/v1/stories/${storyId}/updates/%00`],
    ['PATCH', `/v1/stories/${storyId}/updates/${updateId}%00`, { headline: 'x' }],
    ['DELETE', `/v1/stories/${storyId}/updates/%00`],
    ['GET', '/v1/people/%00'],
    ['PATCH', `/v1/stories/${storyId}/comments/%00`, { status: 'published' }],
    ['GET', '/media/%00/x.webp'],
  ]

  it('are answered 404 in the error shape, and change nothing', async () => {
    const before = await snapshot()
    for (const [method, path, body] of cases()) {
      const res = await server.admin.request(method, path, body)
      expect(res.status, `${method} ${path}`).toBe(404)
      expect(res.body.error.code, `${method} ${path}`).toBe('not_found')
    }
    expect(await snapshot()).toEqual(before)
  })
})

it('a NUL in a query string is a 400 in the error shape, not a 500', async () => {
  for (const path of [`/v1/stories/${storyId}/updates?cursor=%00`, '/v1/stories?cursor=a%00']) {
    const res = await server.admin.get(path)
    expect(res.status, path).toBeLessThan(500)
    expect(typeof res.body.error?.code, path).toBe('string')
  }
})

/**
 * The fuzzer's "other side closed": a 401 went out before a slow upload had arrived; the Node
 * adapter gives up draining after half a second and closed the connection once the body ended,
 * although the 401 had promised keep-alive. The client's next request on it then failed.
 */
it('a connection answered early without Connection: close still serves the next request', async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  try {
    const send = (
      method: string,
      path: string,
      headers: Record<string, string>,
      body?: () => Promise<Buffer[]>,
    ) =>
      new Promise<{ status: number; connection: string | undefined; port: number | undefined }>(
        (resolve, reject) => {
          const req = httpRequest(`${server.url}${path}`, { method, headers, agent }, (res) => {
            res.resume()
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                connection: res.headers.connection,
                port: req.socket?.localPort,
              }),
            )
          })
          req.on('error', reject)
          if (!body) return void req.end()
          void body().then(async (chunks) => {
            for (const chunk of chunks) {
              req.write(chunk)
              // Slower than the adapter's half-second drain, as a client on a slow link is.
              await new Promise((r) => setTimeout(r, 400))
            }
            req.end()
          })
        },
      )
    const size = 3 * 16 * 1024
    const early = await send(
      'POST',
      '/v1/stories',
      {
        Authorization: 'Bearer ll_not_a_key',
        'Content-Type': 'application/json',
        'Content-Length': String(size),
      },
      async () => [0, 1, 2].map(() => Buffer.alloc(16 * 1024, 0x20)),
    )
    expect(early.status).toBe(401)
    expect(early.connection).not.toBe('close')
    const next = await send('GET', '/v1/stories', { Authorization: `Bearer ${ADMIN_KEY}` })
    expect(next.status).toBe(200)
    expect(next.port).toBe(early.port) // the same, kept-alive connection
  } finally {
    agent.destroy()
  }
})
