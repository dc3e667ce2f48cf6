/**
 * The baseline for `npm run bench`: the least a websocket fan-out over Redis can do. One Redis
 * subscription; per message the frame is built once and the same Buffer is sent to every
 * subscribed socket. No auth, no backpressure checks, no pings, no persistence.
 *
 * Env: PORT, HOST (loopback), REDIS_URL, BARE_CHANNEL. Prints one JSON line `{"ready":true}` when
 * it listens and its Redis subscription is active.
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Redis } from 'ioredis'
import { type WebSocket, WebSocketServer } from 'ws'

const TEXT = { binary: false, compress: false }
const port = Number(process.env.PORT ?? 0)
const host = process.env.HOST ?? '127.0.0.1'
const channel = process.env.BARE_CHANNEL ?? 'bench-bare:story'
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

const readers = new Set<WebSocket>()
let head = 0

const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"status":"ok"}')
    return
  }
  res.writeHead(404)
  res.end()
})
const wss = new WebSocketServer({
  server,
  path: '/v1/live',
  perMessageDeflate: false,
  clientTracking: false,
  maxPayload: 16 * 1024,
})

wss.on('connection', (ws) => {
  ws.on('error', () => {})
  ws.on('message', (data, isBinary) => {
    if (isBinary) return
    let frame: { type?: unknown; story?: unknown }
    try {
      frame = JSON.parse(data.toString()) as typeof frame
    } catch {
      return
    }
    if (frame.type !== 'subscribe' || typeof frame.story !== 'string') return
    readers.add(ws)
    ws.send(JSON.stringify({ type: 'subscribed', story: frame.story, seq: head }))
  })
  ws.on('close', () => readers.delete(ws))
})

const sub = new Redis(redisUrl, { maxRetriesPerRequest: null })
sub.on('error', () => {})
sub.on('message', (_channel: string, message: string) => {
  // Once per message (not per reader), like Liveline: learn the seq for `subscribed`.
  head = (JSON.parse(message) as { seq: number }).seq
  const frame = Buffer.from(`{"type":"event","event":${message}}`)
  for (const ws of readers) ws.send(frame, TEXT)
})

await sub.subscribe(channel)
await new Promise<void>((resolve, reject) => {
  server.once('error', reject)
  server.listen(port, host, () => resolve())
})
process.stdout.write(`${JSON.stringify({ ready: true, port: (server.address() as AddressInfo).port })}\n`)

const stop = () => {
  sub.disconnect()
  for (const ws of readers) ws.terminate()
  server.close()
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
