import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { resolve } from 'node:path'
import pg from 'pg'
import { afterAll, afterEach, beforeAll } from 'vitest'
import { createStore } from '../../src/store/db.js'
import { migrateToLatest } from '../../src/store/migrate.js'
import { provided } from './provided.js'
import { startServer, type TestServer, type TestServerOptions } from './server.js'
import { waitFor } from './wait-for.js'

/** One request the receiver got. */
export interface Received {
  path: string
  id: string
  timestamp: string
  signature: string
  headers: IncomingHttpHeaders
  body: string
  /** What the receiver answered. */
  status: number
}

export type Responder = (
  req: Received,
  receivedBefore: Received[],
) => { status: number; headers?: Record<string, string>; delayMs?: number }

/** A real HTTP endpoint in the test process that records every request and answers as told. */
export interface Receiver {
  url: string
  requests: Received[]
  /** The requests answered 2xx: what the partner accepted. */
  accepted(): Received[]
  respond(responder: Responder): void
  waitFor(predicate: (r: Receiver) => boolean, timeoutMs?: number, what?: string): Promise<void>
  close(): Promise<void>
}

export async function startReceiver(responder: Responder = () => ({ status: 204 })): Promise<Receiver> {
  let respond = responder
  const requests: Received[] = []
  const waiters: Array<() => void> = []
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const received: Received = {
        path: req.url ?? '',
        id: String(req.headers['webhook-id'] ?? ''),
        timestamp: String(req.headers['webhook-timestamp'] ?? ''),
        signature: String(req.headers['webhook-signature'] ?? ''),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        status: 0,
      }
      const answer = respond(received, requests.slice())
      received.status = answer.status
      const send = () => {
        requests.push(received)
        res.writeHead(answer.status, answer.headers).end()
        for (const wake of waiters.splice(0)) wake()
      }
      if (answer.delayMs) setTimeout(send, answer.delayMs)
      else send()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const receiver: Receiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    accepted: () => requests.filter((r) => r.status >= 200 && r.status < 300),
    respond(next) {
      respond = next
    },
    waitFor(predicate, timeoutMs = 15_000, what = 'the receiver\u2019s condition') {
      return waitFor(what, () => predicate(receiver), {
        timeoutMs,
        changed: () => new Promise((resolve) => waiters.push(resolve)),
        state: () => `${requests.length} requests`,
      })
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
  return receiver
}

/** Standard Webhooks verification, written from the spec with node:crypto alone (not our signer). */
export function verifySignature(secret: string, req: Received): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64')
  const expected = createHmac('sha256', key).update(`${req.id}.${req.timestamp}.${req.body}`).digest()
  return req.signature.split(' ').some((part) => {
    const [version, sig] = part.split(',')
    const given = Buffer.from(sig ?? '', 'base64')
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected)
  })
}

/**
 * A database of this test file's own, migrated: every server with a worker claims deliveries from
 * its whole database, so webhook tests keep their queues away from other files' servers.
 */
export async function createPrivateDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const shared = new URL(provided('databaseUrl'))
  const name = `${shared.pathname.slice(1)}_wh_${randomBytes(3).toString('hex')}`
  const admin = new pg.Client({ connectionString: shared.toString() })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  const url = new URL(shared)
  url.pathname = `/${name}`
  const store = await createStore({ databaseUrl: url.toString(), dataDir: 'unused' })
  await migrateToLatest(store.db, resolve('sql'))
  await store.close()
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: shared.toString() })
      await client.connect()
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      await client.end()
    },
  }
}

/** Per story, the seqs in the order the receiver accepted them. */
export function acceptedSeqsByStory(receiver: Receiver): Map<string, number[]> {
  const byStory = new Map<string, number[]>()
  for (const r of receiver.accepted()) {
    const event = JSON.parse(r.body) as { story: string; seq: number }
    byStory.set(event.story, [...(byStory.get(event.story) ?? []), event.seq])
  }
  return byStory
}

/**
 * For a describe block of delivery tests: a private database, servers on it that are stopped after
 * each test (every worker on the database claims its deliveries, so each test runs only its own
 * instances), and receivers closed with the database at the end.
 */
export function useWebhookTestBed() {
  let db: Awaited<ReturnType<typeof createPrivateDatabase>> | undefined
  const servers: TestServer[] = []
  const receivers: Receiver[] = []
  beforeAll(async () => {
    db = await createPrivateDatabase()
  })
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop()
  })
  afterAll(async () => {
    for (const r of receivers) await r.close()
    await db?.drop()
  })
  return {
    async start(options: TestServerOptions = {}): Promise<TestServer> {
      const s = await startServer({ databaseUrl: db?.url, ...options })
      servers.push(s)
      return s
    },
    async receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
      const r = await startReceiver(...args)
      receivers.push(r)
      return r
    },
  }
}
