import { type ChildProcess, spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { Redis } from 'ioredis'
import { waitFor } from './wait-for.js'

/** How often to try connecting while redis-server starts. */
const START_POLL_MS = 50

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

/**
 * A redis-server of our own on another port, so a test can stop and restart it without touching
 * the shared one on 6379.
 */
export class PrivateRedis {
  readonly port: number
  #proc: ChildProcess | null = null

  constructor(port: number) {
    this.port = port
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  async start(): Promise<void> {
    this.#proc = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    )
    await waitFor(
      `redis-server on ${this.port} to answer`,
      async () => {
        const client = new Redis(this.url, {
          lazyConnect: true,
          retryStrategy: () => null,
          maxRetriesPerRequest: 0,
        })
        client.on('error', () => {})
        try {
          await client.connect()
          await client.ping()
        } finally {
          client.disconnect()
        }
      },
      { intervalMs: START_POLL_MS },
    )
  }

  /** Freezes the server (SIGSTOP): connections stay open, nothing is answered. */
  pause(): void {
    this.#proc?.kill('SIGSTOP')
  }

  /** Thaws a paused server (SIGCONT). */
  resume(): void {
    this.#proc?.kill('SIGCONT')
  }

  async stop(): Promise<void> {
    const proc = this.#proc
    if (!proc || proc.exitCode !== null) return
    this.#proc = null
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve())
      proc.kill('SIGKILL')
    })
  }
}
