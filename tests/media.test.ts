import { randomBytes } from 'node:crypto'
import { crc32 } from 'node:zlib'
import { sql } from 'kysely'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, keyFor } from './helpers/api.js'
import { startServer, type TestServer } from './helpers/server.js'

const UPLOAD_LIMIT = 2 * 1024 * 1024
const PIXEL_LIMIT = 30_000_000

let server: TestServer
let editor: Api
beforeAll(async () => {
  server = await startServer({
    limits: { maxUploadBytes: UPLOAD_LIMIT, maxImagePixels: PIXEL_LIMIT, uploadsPerKeyPerMinute: 1000 },
  })
  editor = await keyFor(server.admin, 'editor')
})
afterAll(() => server.stop())

/** A photo-like image: noise, so encoders cannot shrink it to nothing. */
function noise(width: number, height: number) {
  return sharp(randomBytes(width * height * 3), { raw: { width, height, channels: 3 } })
}

async function upload(data: Uint8Array | string, contentType: string, key = editor.key) {
  const body = typeof data === 'string' ? data : new Blob([new Uint8Array(data)])
  const res = await fetch(`${server.url}/v1/media`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': contentType },
    body,
  })
  return { status: res.status, headers: res.headers, body: (await res.json()) as any }
}

async function fetchFile(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers })
  return { status: res.status, headers: res.headers, data: Buffer.from(await res.arrayBuffer()) }
}

async function mediaCount(): Promise<number> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM media`.execute(server.app.deps.db)
  return rows[0]?.n ?? 0
}

describe('POST /v1/media', () => {
  it('removes GPS and camera metadata from a JPEG and turns it upright', async () => {
    // 300 × 200 stored with orientation 6 (rotate 90° clockwise to view): the upright photo is 200 × 300.
    const photo = await noise(300, 200)
      .jpeg({ quality: 90 })
      .withMetadata({ orientation: 6 })
      .withExif({
        IFD0: { Make: 'Nikon', Model: 'D850' },
        IFD3: {
          GPSLatitudeRef: 'N',
          GPSLatitude: '41/1 0/1 0/1',
          GPSLongitudeRef: 'E',
          GPSLongitude: '29/1 0/1 0/1',
        },
      })
      .toBuffer()
    const sent = await sharp(photo).metadata()
    expect(sent.orientation).toBe(6)
    expect(sent.exif?.toString('latin1')).toContain('Nikon')
    // The GPS IFD pointer (tag 0x8825, little-endian in this file).
    expect(sent.exif?.includes(Buffer.from([0x25, 0x88]))).toBe(true)

    const res = await upload(photo, 'image/jpeg')
    expect(res.status).toBe(201)
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{64}$/),
      url: `${server.url}/media/${res.body.id}/200.jpg`,
      width: 200,
      height: 300,
      contentType: 'image/jpeg',
      bytes: expect.any(Number),
    })
    const served = await fetchFile(res.body.url)
    expect(served.status).toBe(200)
    expect(served.headers.get('content-type')).toBe('image/jpeg')
    expect(served.data.length).toBe(res.body.bytes)
    const stored = await sharp(served.data).metadata()
    expect(stored).toMatchObject({ format: 'jpeg', width: 200, height: 300 })
    expect(stored.exif).toBeUndefined()
    expect(stored.orientation).toBeUndefined()
    expect(served.data.includes('Nikon')).toBe(false)
  })

  it('stores a PNG sent as image/jpeg as a PNG', async () => {
    const png = await noise(64, 48).png().toBuffer()
    const res = await upload(png, 'image/jpeg')
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ contentType: 'image/png', width: 64, height: 48 })
    expect(res.body.url).toMatch(/\/64\.png$/)
    const served = await fetchFile(res.body.url)
    expect(served.headers.get('content-type')).toBe('image/png')
    expect((await sharp(served.data).metadata()).format).toBe('png')
  })

  it('refuses a text file posing as an image and stores nothing', async () => {
    const before = await mediaCount()
    const res = await upload('GIF89a, not really: just some text', 'image/gif')
    expect(res.status).toBe(415)
    expect(res.body.error).toMatchObject({ code: 'unsupported_media_type', message: expect.any(String) })
    expect(await mediaCount()).toBe(before)
  })

  it('refuses a body that is not sent as an image type', async () => {
    const png = await noise(8, 8).png().toBuffer()
    const res = await upload(png, 'application/octet-stream')
    expect(res.status).toBe(415)
    expect(res.body.error.details).toEqual({ 'Content-Type': expect.any(String) })
  })

  it('refuses a decompression bomb: a tiny PNG that decodes to a huge image', async () => {
    // A real 1 × 1 PNG whose header then claims 100000 × 100000: 30 GB if anything tried to decode it.
    const bomb = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#fff' } })
      .png()
      .toBuffer()
    const header = bomb.subarray(12, 29) // 'IHDR' and its 13 bytes of data
    header.writeUInt32BE(100_000, 4)
    header.writeUInt32BE(100_000, 8)
    bomb.writeUInt32BE(crc32(header), 29)
    expect((await sharp(bomb, { limitInputPixels: false }).metadata()).width).toBe(100_000)
    expect(bomb.length).toBeLessThan(UPLOAD_LIMIT)
    const before = await mediaCount()
    const res = await upload(bomb, 'image/png')
    expect(res.status).toBe(400)
    expect(res.body.error).toMatchObject({ code: 'invalid_request', details: { body: expect.any(String) } })
    expect(await mediaCount()).toBe(before)
  }, 60_000)

  it('answers an upload over the size limit with a readable 413', async () => {
    const res = await upload(new Uint8Array(UPLOAD_LIMIT + 1), 'image/jpeg')
    expect(res.status).toBe(413)
    expect(res.body.error.code).toBe('payload_too_large')
  })

  it('lets an upload past the JSON body limit (256 KiB) through to its own limit', async () => {
    const big = await noise(400, 300).png().toBuffer()
    expect(big.length).toBeGreaterThan(server.app.deps.limits.maxBodyBytes)
    const res = await upload(big, 'image/png')
    expect(res.status).toBe(201)
  })

  it('stores the same photo uploaded twice once', async () => {
    const photo = await noise(500, 400).jpeg().toBuffer()
    const first = await upload(photo, 'image/jpeg')
    const count = await mediaCount()
    const second = await upload(photo, 'image/jpeg')
    expect(second.status).toBe(201)
    expect(second.body).toEqual(first.body)
    expect(await mediaCount()).toBe(count)
  })

  it('serves smaller sizes in the original format and WebP, immutable, never upscaled', async () => {
    const photo = await noise(1200, 800).jpeg().toBuffer()
    const { body } = await upload(photo, 'image/jpeg')
    const base = body.url.replace(/\/1200\.jpg$/, '')
    const expected: Array<[string, string, number, number]> = [
      ['480.jpg', 'jpeg', 480, 320],
      ['480.webp', 'webp', 480, 320],
      ['960.jpg', 'jpeg', 960, 640],
      ['960.webp', 'webp', 960, 640],
      ['1200.webp', 'webp', 1200, 800],
    ]
    for (const [name, format, width, height] of expected) {
      const file = await fetchFile(`${base}/${name}`)
      expect(file.status, name).toBe(200)
      expect(file.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
      expect(await sharp(file.data).metadata(), name).toMatchObject({ format, width, height })
      const etag = file.headers.get('etag') as string
      expect(etag).toMatch(/^"[^"]+"$/)
      expect((await fetchFile(`${base}/${name}`, { 'If-None-Match': etag })).status).toBe(304)
    }
    // 1600 would be larger than the photo: not made.
    expect((await fetchFile(`${base}/1600.jpg`)).status).toBe(404)
    expect((await fetchFile(`${base}/1600.webp`)).status).toBe(404)
  })

  it('is for editors and admins: a partner is refused, an anonymous caller is unauthorized', async () => {
    const png = await noise(8, 8).png().toBuffer()
    const partner = await keyFor(server.admin, 'partner')
    expect((await upload(png, 'image/png', partner.key)).status).toBe(403)
    const res = await fetch(`${server.url}/v1/media`, {
      method: 'POST',
      headers: { 'Content-Type': 'image/png' },
      body: png,
    })
    expect(res.status).toBe(401)
  })
})

describe.each([
  ['in process, on one instance', false],
  ['in Redis, across two instances', true],
])('the per-key upload rate counted %s', (_name, shared) => {
  let a: TestServer
  let b: TestServer
  beforeAll(async () => {
    const options = { limits: { uploadsPerKeyPerMinute: 2 } }
    if (!shared) {
      a = await startServer(options)
      b = a
      return
    }
    // Same Redis and key prefix: the two instances of one deployment.
    const busPrefix = `liveline-test:upload-rate:${randomBytes(6).toString('hex')}:`
    a = await startServer({ ...options, redis: true, busPrefix })
    b = await startServer({ ...options, redis: true, busPrefix })
  })
  afterAll(async () => {
    await a.stop()
    if (b !== a) await b.stop()
  })

  it('refuses a key over its uploads per minute with 429 and Retry-After, other keys unaffected', async () => {
    const [first, second] = [await keyFor(a.admin, 'editor'), await keyFor(a.admin, 'editor')]
    const png = await noise(16, 16).png().toBuffer()
    const send = (server: TestServer, key: string | undefined) =>
      fetch(`${server.url}/v1/media`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'image/png' },
        body: new Blob([new Uint8Array(png)]),
      })
    expect((await send(a, first.key)).status).toBe(201)
    expect((await send(b, first.key)).status).toBe(201)
    // The third upload of the minute is refused wherever it lands.
    for (const server of new Set([a, b])) {
      const refused = await send(server, first.key)
      expect(refused.status).toBe(429)
      const retryAfter = Number(refused.headers.get('retry-after'))
      expect(retryAfter).toBeGreaterThan(0)
      expect(retryAfter).toBeLessThanOrEqual(60)
      expect(((await refused.json()) as any).error).toMatchObject({
        code: 'rate_limited',
        details: { retryAfterSeconds: retryAfter },
      })
    }
    expect((await send(b, second.key)).status).toBe(201)
    expect((await send(a, second.key)).status).toBe(201)
  })
})
