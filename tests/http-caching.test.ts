import { request } from 'node:http'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { type Api, keyFor, makeStory, textUpdate } from './helpers/api.js'
import { startServer, type TestServer } from './helpers/server.js'

let server: TestServer
let editor: Api

beforeAll(async () => {
  server = await startServer()
  editor = await keyFor(server.admin, 'editor', 'Caching editor')
})
afterAll(() => server?.stop())

interface RawResponse {
  status: number
  headers: Record<string, string | undefined>
  body: Buffer
}

/** A GET that keeps the bytes as sent (fetch would decompress them behind our back). */
function rawGet(baseUrl: string, path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(baseUrl + path, { headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers as Record<string, string | undefined>,
          body: Buffer.concat(chunks),
        }),
      )
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end()
  })
}

const get = (path: string, headers?: Record<string, string>) => rawGet(server.url, path, headers)

/** A live story with enough updates that every read of it is well over the compression threshold. */
async function storyWithUpdates(count = 6) {
  // A long summary: the story's own JSON is then over the threshold too.
  const story = await makeStory(editor, { summary: `Long enough to compress. ${'And more. '.repeat(120)}` })
  for (let i = 0; i < count; i++) {
    const res = await editor.post(
      `/v1/stories/${story.slug}/updates`,
      textUpdate(`Update number ${i}: ${'the count goes on and on. '.repeat(8)}`),
    )
    expect(res.status).toBe(201)
  }
  return story
}

describe('compression', () => {
  test('br and gzip bodies decompress to exactly the identity bytes, with Vary and distinct ETags', async () => {
    const story = await storyWithUpdates()
    const paths = [
      `/s/${story.slug}`,
      `/s/${story.slug}/fragment`,
      `/v1/stories/${story.slug}`,
      `/v1/stories/${story.slug}/updates`,
      `/v1/stories/${story.slug}/feed.atom`,
      `/v1/stories/${story.slug}/feed.json`,
      '/assets/live-view.js',
      '/assets/live.css',
    ]
    for (const path of paths) {
      const identity = await get(path, { 'Accept-Encoding': 'identity' })
      expect(identity.status, path).toBe(200)
      expect(identity.headers['content-encoding'], path).toBeUndefined()
      expect(identity.headers.vary, path).toMatch(/accept-encoding/i)
      expect(identity.body.length, path).toBeGreaterThan(1024)
      const etag = identity.headers.etag!
      expect(etag, path).toMatch(/^"[^"]+"$/)

      const br = await get(path, { 'Accept-Encoding': 'gzip, deflate, br' })
      expect(br.headers['content-encoding'], path).toBe('br')
      expect(br.headers.vary, path).toMatch(/accept-encoding/i)
      expect(br.body.length, path).toBeLessThan(identity.body.length)
      expect(brotliDecompressSync(br.body).equals(identity.body), path).toBe(true)
      expect(br.headers.etag, path).toBe(etag.replace(/"$/, '-br"'))

      const gzip = await get(path, { 'Accept-Encoding': 'gzip, br;q=0' })
      expect(gzip.headers['content-encoding'], path).toBe('gzip')
      expect(gunzipSync(gzip.body).equals(identity.body), path).toBe(true)
      expect(gzip.headers.etag, path).toBe(etag.replace(/"$/, '-gz"'))
    }
  })

  test('a coding refused with q=0 is never used, and small bodies go out as they are', async () => {
    const story = await storyWithUpdates(2)
    const refused = await get(`/v1/stories/${story.slug}/updates`, { 'Accept-Encoding': 'br;q=0, gzip;q=0' })
    expect(refused.headers['content-encoding']).toBeUndefined()
    JSON.parse(refused.body.toString('utf8'))

    const small = await get('/healthz', { 'Accept-Encoding': 'br, gzip' })
    expect(small.body.length).toBeLessThan(1024)
    expect(small.headers['content-encoding']).toBeUndefined()
    expect(small.headers['content-length']).toBe(String(small.body.length))
  })

  test('JSON answers behind a key declare their length, and large ones are compressed all the same', async () => {
    await storyWithUpdates(1)
    const auth = { Authorization: `Bearer ${editor.key}` }
    const identity = await get('/v1/stories?limit=100', auth)
    expect(identity.status).toBe(200)
    expect(identity.headers['content-length']).toBe(String(identity.body.length))
    expect(identity.body.length).toBeGreaterThan(1024)
    const br = await get('/v1/stories?limit=100', { ...auth, 'Accept-Encoding': 'br' })
    expect(br.headers['content-encoding']).toBe('br')
    expect(br.headers['content-length']).toBe(String(br.body.length))
    expect(JSON.parse(brotliDecompressSync(br.body).toString('utf8'))).toEqual(
      JSON.parse(identity.body.toString('utf8')),
    )
    // An error answer is JSON too, in the contract's shape.
    const missing = await get('/v1/stories/no-such-story', { 'Accept-Encoding': 'gzip' })
    expect(missing.status).toBe(404)
    expect(missing.headers['content-length']).toBe(String(missing.body.length))
    expect(JSON.parse(missing.body.toString('utf8')).error.code).toBe('not_found')
  })

  test('server-sent events are never compressed: the first event arrives while the stream stays open', async () => {
    const story = await storyWithUpdates(1)
    const controller = new AbortController()
    const res = await fetch(`${server.url}/v1/stories/${story.slug}/stream?since=0`, {
      headers: { 'Accept-Encoding': 'br, gzip' },
      signal: controller.signal,
    })
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(res.headers.get('content-encoding')).toBeNull()
    const reader = res.body!.getReader()
    let text = ''
    while (!text.includes('update.created')) {
      const { value, done } = await reader.read()
      expect(done).toBe(false)
      text += new TextDecoder().decode(value)
    }
    controller.abort()
  })
})

describe('ETag, 304 and Cache-Control on public reads', () => {
  test('a matching If-None-Match answers 304, whichever coding the client holds', async () => {
    const story = await storyWithUpdates(3)
    for (const path of [
      `/s/${story.slug}`,
      `/s/${story.slug}/fragment`,
      `/v1/stories/${story.slug}`,
      `/v1/stories/${story.slug}/updates`,
    ]) {
      const identity = await get(path, { 'Accept-Encoding': 'identity' })
      const etag = identity.headers.etag!
      expect(identity.headers['cache-control'], path).toBe(
        'public, max-age=0, s-maxage=5, stale-while-revalidate=30',
      )

      const same = await get(path, { 'Accept-Encoding': 'identity', 'If-None-Match': etag })
      expect(same.status, path).toBe(304)
      expect(same.body.length, path).toBe(0)
      expect(same.headers.etag, path).toBe(etag)

      const br = await get(path, { 'Accept-Encoding': 'br' })
      const brSame = await get(path, { 'Accept-Encoding': 'br', 'If-None-Match': br.headers.etag! })
      expect(brSame.status, path).toBe(304)
      expect(brSame.headers.etag, path).toBe(br.headers.etag)
      expect(brSame.headers.vary, path).toMatch(/accept-encoding/i)

      const stale = await get(path, { 'Accept-Encoding': 'identity', 'If-None-Match': '"not-this-one"' })
      expect(stale.status, path).toBe(200)
    }
    const asset = await get('/client.js', { 'Accept-Encoding': 'gzip' })
    const assetSame = await get('/client.js', {
      'Accept-Encoding': 'gzip',
      'If-None-Match': asset.headers.etag!,
    })
    expect(assetSame.status).toBe(304)
  })

  test('the page keeps its security headers', async () => {
    const story = await storyWithUpdates(1)
    const res = await get(`/s/${story.slug}`, { 'Accept-Encoding': 'br' })
    expect(res.headers['content-security-policy']).toContain("script-src 'self'")
    expect(res.headers['x-content-type-options']).toBe('nosniff')
  })

  test('the ETag changes after a post, and two instances on one database answer the same one', async () => {
    // Pages hold absolute links: both instances answer for one public origin, as behind a load balancer.
    const publicUrl = 'https://live.example.org'
    const [one, other] = await Promise.all([startServer({ publicUrl }), startServer({ publicUrl })])
    try {
      const story = await storyWithUpdates(2)
      for (const path of [
        `/s/${story.slug}`,
        `/v1/stories/${story.slug}/updates`,
        `/v1/stories/${story.slug}`,
      ]) {
        const [a, b] = await Promise.all([rawGet(one.url, path), rawGet(other.url, path)])
        expect(a.status, path).toBe(200)
        expect(b.headers.etag, path).toBe(a.headers.etag)
      }
      const paths = [`/s/${story.slug}`, `/s/${story.slug}/fragment`, `/v1/stories/${story.slug}/updates`]
      const before = await Promise.all(paths.map((path) => get(path)))
      await editor.post(`/v1/stories/${story.slug}/updates`, textUpdate('Something new'))
      for (const [i, path] of paths.entries()) {
        const after = await get(path, { 'If-None-Match': before[i]!.headers.etag! })
        expect(after.status, path).toBe(200)
        expect(after.headers.etag, path).not.toBe(before[i]!.headers.etag)
        expect(after.body.toString('utf8'), path).toContain('Something new')
      }
    } finally {
      await Promise.all([one.stop(), other.stop()])
    }
  })

  test('a request with a key is private, drafts included', async () => {
    const live = await storyWithUpdates(1)
    const draft = await makeStory(editor, { status: 'draft' })
    const auth = { Authorization: `Bearer ${editor.key}` }
    for (const path of [
      `/v1/stories/${live.slug}`,
      `/v1/stories/${live.slug}/updates`,
      `/v1/stories/${draft.slug}`,
    ]) {
      const res = await get(path, auth)
      expect(res.status, path).toBe(200)
      expect(res.headers['cache-control'], path).toBe('private, no-cache')
      expect(res.headers.etag, path).toMatch(/^"/)
    }
    const anonymousDraft = await get(`/v1/stories/${draft.slug}`)
    expect(anonymousDraft.status).toBe(404)
    expect(anonymousDraft.headers['cache-control'] ?? '').not.toMatch(/public/)
  })
})
