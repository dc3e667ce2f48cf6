import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { httpAppWithoutServices } from '../scripts/openapi-document.js'
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
      'POST /v1/media',
      'GET /v1/keys',
      'PATCH /v1/keys/{id}',
      'DELETE /v1/keys/{id}',
      'POST /v1/people',
      'GET /v1/people',
      'GET /v1/people/{id}',
      'PATCH /v1/people/{id}',
      'DELETE /v1/people/{id}',
      'POST /v1/stories',
      'GET /v1/stories',
      'GET /v1/stories/{story}',
      'PATCH /v1/stories/{story}',
      'POST /v1/stories/{story}/updates',
      'GET /v1/stories/{story}/updates',
      'GET /v1/stories/{story}/updates/{id}',
      'PATCH /v1/stories/{story}/updates/{id}',
      'DELETE /v1/stories/{story}/updates/{id}',
      'POST /v1/stories/{story}/comments',
      'GET /v1/stories/{story}/comments',
      'PATCH /v1/stories/{story}/comments/{id}',
      'DELETE /v1/stories/{story}/comments/{id}',
      'GET /v1/stories/{story}/events',
      'GET /v1/stories/{story}/presence',
      'GET /v1/stories/{story}/stream',
      ...['atom', 'json', 'rss'].flatMap((f) => [`GET /v1/stories/{story}/feed.${f}`, `GET /v1/feed.${f}`]),
      'POST /v1/webhooks',
      'GET /v1/webhooks',
      'GET /v1/webhooks/{id}',
      'PATCH /v1/webhooks/{id}',
      'DELETE /v1/webhooks/{id}',
      'GET /v1/webhooks/{id}/deliveries',
      'POST /v1/webhooks/{id}/deliveries/{deliveryId}/retry',
      'POST /v1/webhooks/{id}/secret',
      'GET /v1/live',
      'GET /healthz',
      'GET /media/{id}/{file}',
      'GET /readyz',
      'GET /metrics',
      'GET /openapi.json',
      'GET /docs',
      'GET /docs/api-reference.js',
      'GET /s/{slug}',
      'GET /s/{slug}/fragment',
      'GET /desk',
      'GET /client.js',
      'GET /embed.js',
      'GET /assets/{name}',
    ]
    expect([...documented].sort()).toEqual(expected.sort())
  })

  it('documents every route Hono answers, so a route cannot exist without its documentation', async () => {
    const app = httpAppWithoutServices()
    const doc = await (await app.request('/openapi.json')).json()
    // app.use() middleware registers as ALL; every route proper has a method.
    const routes = app.routes.filter((r) => r.method !== 'ALL')
    expect(routes.length).toBeGreaterThan(40)
    const undocumented = routes
      .map((r) => ({ method: r.method.toLowerCase(), path: r.path.replace(/:(\w+)/g, '{$1}') }))
      .filter(({ method, path }) => !doc.paths[path]?.[method])
      .map(({ method, path }) => `${method.toUpperCase()} ${path}`)
    expect(undocumented).toEqual([])
  })

  it('names every operation with a unique camelCase operationId and documents a response for it', async () => {
    const doc = (await server.api().get('/openapi.json')).body
    const ids: string[] = []
    for (const ops of Object.values(doc.paths as Record<string, Record<string, any>>)) {
      for (const op of Object.values(ops)) {
        ids.push(op.operationId)
        expect(op.summary, op.operationId).toBeTruthy()
        expect(Object.keys(op.responses).length, op.operationId).toBeGreaterThan(0)
      }
    }
    expect(ids.every((id) => /^[a-z][a-zA-Z]+$/.test(id))).toBe(true)
    expect(new Set(ids).size).toBe(ids.length)
    expect(doc.paths['/v1/stories/{story}/updates'].post.operationId).toBe('createUpdate')
    expect(doc.info.license).toEqual({ name: 'MIT', identifier: 'MIT' })
    expect(doc.servers).toEqual([{ url: '/', description: 'This Liveline' }])
  })

  it('documents validation failures in the contract error shape', async () => {
    const doc = (await server.api().get('/openapi.json')).body
    const bad = doc.paths['/v1/stories'].post.responses['400']
    expect(bad.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' })
    expect(doc.components.schemas.Error.required).toEqual(['error'])
    const query = doc.paths['/v1/stories'].get.parameters.map((p: any) => p.name)
    expect(query).toEqual(expect.arrayContaining(['limit', 'cursor', 'status']))
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

  it('serves the interactive API reference at /docs from this server alone', async () => {
    const res = await fetch(`${server.url}/docs`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('text/html')
    const html = await res.text()
    expect(html).toContain('/openapi.json')
    // Nothing loads from another host: no absolute or protocol-relative URL, and CSP allows only this origin.
    expect(html).not.toMatch(/(https?:)?\/\/[a-z0-9.-]+/i)
    const csp = res.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("script-src 'self';")
    expect(csp).toContain("connect-src 'self';")
    expect(csp).not.toMatch(/https?:|\*|\bdata:.*script/)
    const scripts = [...html.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((m) => m[1])
    expect(scripts).toEqual(['/docs/api-reference.js'])
    const bundle = await fetch(`${server.url}${scripts[0]}`)
    expect(bundle.status).toBe(200)
    expect(bundle.headers.get('content-type')).toContain('text/javascript')
    expect(await bundle.text()).toContain('@scalar/api-reference')
    const again = await fetch(`${server.url}${scripts[0]}`, {
      headers: { 'If-None-Match': bundle.headers.get('etag') ?? '' },
    })
    expect(again.status).toBe(304)
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
