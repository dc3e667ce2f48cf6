import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ADMIN_KEY, startServer, type TestServer } from './helpers/server.js'

/** Each body is streamed in pieces this big, as a client uploading a file would. */
const CHUNK_BYTES = 64 * 1024
const MB = 1024 * 1024
/** How many times each size is sent: the failure this guards against came and went with timing. */
const ROUNDS = 4
/** Rounds with fetch, which is slower to push a big body. */
const FETCH_ROUNDS = 2

interface Answer {
  status: number
  body: string
}

/**
 * POSTs `size` bytes of filler with node:http, writing as fast as the socket takes it and reading
 * the answer only once the upload is over, as curl and many HTTP libraries do. Resolves with the
 * answer if one arrives, whatever happens to the upload; rejects when none came (a reset or EPIPE
 * the client cannot read the answer through).
 */
function postStreaming(url: string, size: number, chunked: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${ADMIN_KEY}`,
      'Content-Type': 'application/json',
    }
    if (!chunked) headers['Content-Length'] = String(size)
    const req = request(`${url}/v1/stories`, { method: 'POST', headers })
    let answered = false
    // Not reading while sending: a server that resets the connection early loses its answer.
    req.on('socket', (socket) => socket.pause())
    const readAnswer = () => req.socket?.resume()
    req.on('response', (res) => {
      answered = true
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => {
        body += d
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      res.on('error', (err) => reject(new Error(`answer cut short: ${err.message}`)))
    })
    req.on('error', (err) => {
      if (answered) return
      // Whatever the upload met, the answer may still be waiting in the socket.
      readAnswer()
      setImmediate(() => {
        if (!answered) reject(new Error(`no answer: ${err.message}`))
      })
    })
    const chunk = Buffer.alloc(CHUNK_BYTES, 0x20)
    let sent = 0
    const pump = () => {
      while (sent < size && !req.destroyed) {
        const n = Math.min(CHUNK_BYTES, size - sent)
        sent += n
        if (!req.write(n === CHUNK_BYTES ? chunk : chunk.subarray(0, n))) return void req.once('drain', pump)
      }
      if (!req.destroyed) req.end(readAnswer)
    }
    pump()
  })
}

let server: TestServer
beforeAll(async () => {
  server = await startServer()
})
afterAll(() => server.stop())

describe('an oversize body', () => {
  for (const size of [2 * MB, 8 * MB, 64 * MB]) {
    it(`of ${size / MB} MB always gets a readable 413 in the error shape, with and without Content-Length`, async () => {
      for (let round = 0; round < ROUNDS; round++) {
        for (const chunked of [false, true]) {
          const answer = await postStreaming(server.url, size, chunked)
          expect(answer.status, `round ${round}, chunked ${chunked}`).toBe(413)
          expect(JSON.parse(answer.body)).toEqual({
            error: { code: 'payload_too_large', message: expect.stringContaining('bytes') },
          })
        }
      }
      // fetch (undici) too: it gives up on an upload the server closes under it.
      for (let round = 0; round < FETCH_ROUNDS; round++) {
        const res = await fetch(`${server.url}/v1/stories`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' },
          body: Buffer.alloc(size, 0x20),
        })
        expect(res.status).toBe(413)
        expect((await res.json()).error.code).toBe('payload_too_large')
      }
      // The server is still fine afterwards.
      const health = await fetch(`${server.url}/v1/stories`, {
        headers: { Authorization: `Bearer ${ADMIN_KEY}` },
      })
      expect(health.status).toBe(200)
    }, 60_000)
  }
})
