import { connect, createServer, type Server, type Socket } from 'node:net'

/**
 * A TCP proxy in front of a real server that a test can cut and restore, to see how the service
 * behaves when its database or bus goes away (without touching the shared Postgres or Redis),
 * or that holds back chosen client data for a while (a command slow to reach the server).
 */
export class TcpProxy {
  #server: Server | null = null
  readonly #sockets = new Set<Socket>()
  #hold: { match: RegExp; ms: number; onHeld?: () => void } | null = null
  port = 0

  constructor(
    readonly targetHost: string,
    readonly targetPort: number,
  ) {}

  async start(port = 0): Promise<number> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost)
      for (const s of [client, upstream]) {
        this.#sockets.add(s)
        s.on('close', () => this.#sockets.delete(s))
        s.on('error', () => {
          client.destroy()
          upstream.destroy()
        })
      }
      client.on('data', (chunk: Buffer) => {
        const hold = this.#hold
        if (hold?.match.test(chunk.toString('latin1'))) {
          // Held in order: nothing else this client sends overtakes it.
          client.pause()
          hold.onHeld?.()
          setTimeout(() => {
            upstream.write(chunk)
            client.resume()
          }, hold.ms)
        } else if (!upstream.write(chunk)) {
          client.pause()
          upstream.once('drain', () => client.resume())
        }
      })
      client.on('end', () => upstream.end())
      // One side gone (dropped, reset) takes the other with it, as a dead link does.
      client.on('close', () => upstream.destroy())
      upstream.on('close', () => client.destroy())
      upstream.pipe(client)
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => resolve())
    })
    this.#server = server
    this.port = (server.address() as { port: number }).port
    return this.port
  }

  /**
   * Holds back, for `ms`, each piece a client sends that matches `match` (a Redis command, say),
   * and everything that client sends after it; `onHeld` runs as it is caught. `null` stops.
   */
  holdClientData(hold: { match: RegExp; ms: number; onHeld?: () => void } | null): void {
    this.#hold = hold
  }

  /** Drops every open connection and refuses new ones. */
  async cut(): Promise<void> {
    const server = this.#server
    this.#server = null
    for (const s of this.#sockets) s.destroy()
    this.#sockets.clear()
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  /** Drops each open connection with probability `share` (1: all), still accepting new ones. */
  drop(share = 1): number {
    let dropped = 0
    for (const s of [...this.#sockets]) {
      if (!s.destroyed && Math.random() < share) {
        s.destroy()
        dropped++
      }
    }
    return dropped
  }

  async restore(): Promise<void> {
    await this.start(this.port)
  }
}
