import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { keyFor, makeStory, textUpdate } from './helpers/api.js'
import { startServer, type TestServer } from './helpers/server.js'
import { connectReader } from './helpers/ws-client.js'

let server: TestServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(() => server.stop())

describe('operations endpoints', () => {
  it('serves an OpenAPI 3.1 document that covers every HTTP route the app answers', async () => {
    const res = await server.api().get('/openapi.json')
    expect(res.status).toBe(200)
    expect(res.body.openapi).toBe('3.1.0')
    const documented = new Set<string>()
    for (const [path, ops] of Object.entries(res.body.paths as Record<string, object>)) {
      for (const method of Object.keys(ops)) documented.add(`${method.toUpperCase()} ${path}`)
    }
    const expected = [
      'POST /v1/keys',
      'GET /v1/keys',
      'DELETE /v1/keys/{id}',
      'POST /v1/stories',
      'GET /v1/stories',
      'GET /v1/stories/{story}',
      'PATCH /v1/stories/{story}',
      'POST /v1/stories/{story}/updates',
      'GET /v1/stories/{story}/updates',
      'GET /v1/stories/{story}/updates/{id}',
      'PATCH /v1/stories/{story}/updates/{id}',
      'DELETE /v1/stories/{story}/updates/{id}',
      'GET /v1/stories/{story}/events',
      'GET /v1/stories/{story}/stream',
      ...['atom', 'json', 'rss'].flatMap((f) => [`GET /v1/stories/{story}/feed.${f}`, `GET /v1/feed.${f}`]),
      'POST /v1/webhooks',
      'GET /v1/webhooks',
      'GET /v1/webhooks/{id}',
      'PATCH /v1/webhooks/{id}',
      'DELETE /v1/webhooks/{id}',
      'GET /v1/webhooks/{id}/deliveries',
      'POST /v1/webhooks/{id}/deliveries/{deliveryId}/retry',
      'GET /v1/live',
      'GET /healthz',
      'GET /readyz',
      'GET /metrics',
      'GET /openapi.json',
      'GET /docs',
      'GET /s/{slug}',
      'GET /s/{slug}/fragment',
      'GET /desk',
      'GET /client.js',
      'GET /embed.js',
      'GET /assets/{name}',
    ]
    expect([...documented].sort()).toEqual(expected.sort())
  })

  it('documents request bodies from the same schemas that validate them', async () => {
    const doc = (await server.api().get('/openapi.json')).body
    const body = doc.paths['/v1/stories/{story}/updates'].post.requestBody.content['application/json'].schema
    expect(body.required).toEqual(['blocks'])
    const blockTypes = body.properties.blocks.items.oneOf.map(
      (b: { properties: { type: { const: string } } }) => b.properties.type.const,
    )
    expect(blockTypes).toEqual(['text', 'quote', 'image', 'embed'])
    expect(body.properties.blocks.maxItems).toBe(50)
  })

  it('serves interactive API docs at /docs', async () => {
    const res = await server.api().get('/docs')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/html')
    expect(res.body).toContain('/openapi.json')
  })

  it('exposes Prometheus metrics for connections, subscriptions, events and frames', async () => {
    const editor = await keyFor(server.admin, 'editor')
    const story = await makeStory(editor)
    const r = await connectReader(server.wsUrl)
    await r.subscribe(story.id)
    await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('count me'))
    await r.waitFor((x) => x.events(story.id).length === 1)
    const res = await server.api().get('/metrics')
    expect(res.headers.get('content-type')).toContain('text/plain')
    const text = res.body as string
    expect(text).toMatch(/^liveline_ws_connections 1$/m)
    expect(text).toMatch(/^liveline_ws_subscriptions 1$/m)
    expect(text).toMatch(/^liveline_events_published_total 1$/m)
    expect(text).toMatch(/^liveline_frames_delivered_total 1$/m)
    expect(text).toMatch(/^liveline_bus_reconnects_total 0$/m)
    expect(text).toMatch(/^liveline_gap_backfills_total \d+$/m)
    expect(text).toMatch(
      /liveline_http_request_duration_seconds_count\{method="POST",route="\/v1\/stories\/:story\/updates",status="201"\} 1/,
    )
    r.close()
  })

  it('answers CORS preflights so browser pages on other origins can call the API', async () => {
    const res = await fetch(`${server.url}/v1/stories`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'https://news.example.com',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type, idempotency-key',
      },
    })
    expect(res.status).toBe(204)
    expect(res.headers.get('access-control-allow-origin')).toBe('*')
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('idempotency-key')
  })

  it('answers a plain HTTP GET of the websocket endpoint with 426', async () => {
    const res = await server.api().get('/v1/live')
    expect(res.status).toBe(426)
    expect(res.headers.get('upgrade')).toBe('websocket')
    expect(res.body.error.code).toBe('upgrade_required')
  })

  it('echoes a request id, or makes one', async () => {
    const given = await server.api().get('/healthz', { 'X-Request-Id': 'abc-123' })
    expect(given.headers.get('x-request-id')).toBe('abc-123')
    const made = await server.api().get('/healthz')
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
  })
})
