import { randomBytes } from 'node:crypto'
import { request } from 'node:http'
import pg from 'pg'
import { provided } from './provided.js'
import type { TestServer } from './server.js'

/**
 * A database of the feeds tests' own on the shared Postgres: the all-live-stories feed covers
 * every live story, so it needs a database no other test file posts to at the same time.
 */
export async function privateDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const shared = new URL(provided('databaseUrl'))
  const name = `liveline_feeds_${provided('runId')}_${randomBytes(3).toString('hex')}`
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: shared.toString() })
    await client.connect()
    try {
      await client.query(sql)
    } finally {
      await client.end()
    }
  }
  await admin(`CREATE DATABASE ${name}`)
  const url = new URL(shared)
  url.pathname = `/${name}`
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) }
}

/**
 * The app's clock for these tests: one millisecond further on each reading (so every change
 * has its own time), and jumps when a test needs a second to pass.
 */
export class SteppingClock {
  #now: number

  constructor(start = Date.UTC(2026, 10, 24, 13, 0, 0, 100)) {
    this.#now = start
  }

  readonly clock = (): Date => new Date(++this.#now)

  advance(ms: number): void {
    this.#now += ms
  }
}

/** A counter's value from /metrics (0 when it has no sample yet). */
export async function metricValue(server: TestServer, name: string, labels = ''): Promise<number> {
  const text = (await server.api().get('/metrics')).body as string
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `))
  return line ? Number(line.split(' ')[1]) : 0
}

/** A GET with a Host header of our choosing (fetch may not set Host), as a proxy would forward it. */
export function getWithHost(url: string, host: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Host: host } }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        text += chunk
      })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }))
    })
    req.on('error', reject)
    req.end()
  })
}
