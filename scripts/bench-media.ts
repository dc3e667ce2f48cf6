/**
 * Figures for docs/media.md: upload-to-URL time of a 5 MB photo (noise, so no encoder can cheat)
 * and the bytes each size saves against the original. Runs a real service on a throwaway database
 * of the Postgres at BENCH_DATABASE_URL (default: the local one).
 *   npx tsx scripts/bench-media.ts
 */
import { randomBytes } from 'node:crypto'
import { resolve } from 'node:path'
import pg from 'pg'
import { pino } from 'pino'
import sharp from 'sharp'
import { DEFAULT_LIMITS, DEFAULT_WEBHOOK_SETTINGS } from '../src/config.js'
import { listen } from '../src/listen.js'
import { srcsetWidths, webpWidths } from '../src/media/urls.js'
import { createService } from '../src/service.js'

const RUNS = 3
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const dbName = `liveline_bench_media_${randomBytes(3).toString('hex')}`
const adminKey = `ll_bench_${'x'.repeat(40)}`

async function onAdmin(statement: string) {
  const client = new pg.Client({ connectionString: serverUrl })
  await client.connect()
  await client.query(statement)
  await client.end()
}

/** A photo "of 5 MB": at most 5 MiB, and within 5 % of it. */
const PHOTO_BYTES = 5 * 1024 * 1024

/**
 * A camera-sized (3000 × 2000) JPEG of noise, just under `targetBytes`: the highest JPEG quality
 * whose file fits (binary search), so every run uploads about the same number of bytes.
 */
async function photoOf(targetBytes: number, seed: number): Promise<Buffer> {
  const [width, height] = [3000, 2000]
  const pixels = randomBytes(width * height * 3)
  pixels[0] = seed
  const encode = (quality: number) =>
    sharp(pixels, { raw: { width, height, channels: 3 } })
      .jpeg({ quality })
      .toBuffer()
  let [low, high] = [40, 100]
  let best = await encode(low)
  while (low < high) {
    const mid = Math.ceil((low + high) / 2)
    const jpeg = await encode(mid)
    if (jpeg.length <= targetBytes) {
      best = jpeg
      low = mid
    } else high = mid - 1
  }
  if (best.length < targetBytes * 0.95) throw new Error(`could not make a ${targetBytes}-byte photo`)
  return best
}

await onAdmin(`CREATE DATABASE ${dbName}`)
const url = new URL(serverUrl)
url.pathname = `/${dbName}`
const service = await createService(
  {
    port: 0,
    host: '127.0.0.1',
    databaseUrl: url.toString(),
    dataDir: 'memory://',
    redisUrl: undefined,
    busPrefix: 'bench-media:',
    adminKey,
    adminKeyGenerated: false,
    migrate: true,
    sqlDir: resolve('sql'),
    logLevel: 'silent',
    limits: { ...DEFAULT_LIMITS, uploadsPerKeyPerMinute: 1000 },
    webhooks: { ...DEFAULT_WEBHOOK_SETTINGS, workerEnabled: false },
  },
  { log: pino({ level: 'silent' }) },
)
try {
  const port = await listen(service, 0, '127.0.0.1')
  const base = `http://127.0.0.1:${port}`
  const times: number[] = []
  interface Uploaded {
    id: string
    url: string
    width: number
    bytes: number
  }
  let last: Uploaded | undefined
  let sent = 0
  for (let run = 0; run < RUNS; run++) {
    const photo = await photoOf(PHOTO_BYTES, run)
    sent = photo.length
    const started = performance.now()
    const res = await fetch(`${base}/v1/media`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'image/jpeg' },
      body: new Blob([new Uint8Array(photo)]),
    })
    last = (await res.json()) as Uploaded
    times.push(performance.now() - started)
    if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${JSON.stringify(last)}`)
  }
  if (!last) throw new Error('no upload')
  times.sort((a, b) => a - b)
  console.log(
    `upload-to-URL, ${(sent / 1e6).toFixed(2)} MB JPEG 3000x2000, ${RUNS} runs: median ${times[1]?.toFixed(0)} ms, min ${times[0]?.toFixed(0)} ms, max ${times[RUNS - 1]?.toFixed(0)} ms`,
  )
  console.log(`stored original: ${last.bytes} bytes (sent ${sent})`)
  const root = last.url.replace(/\/\d+\.jpg$/, '')
  for (const width of srcsetWidths(last.width)) {
    const exts = [width < last.width ? 'jpg' : '', webpWidths(last.width).includes(width) ? 'webp' : '']
    for (const ext of exts.filter(Boolean)) {
      const file = await fetch(`${root}/${width}.${ext}`)
      const bytes = (await file.arrayBuffer()).byteLength
      const saved = 1 - bytes / last.bytes
      console.log(`${width}.${ext}: ${bytes} bytes (${(saved * 100).toFixed(1)}% smaller than the original)`)
    }
  }
} finally {
  await service.close()
  await onAdmin(`DROP DATABASE ${dbName}`)
}
