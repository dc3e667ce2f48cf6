import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import type { App } from './app.js'

export interface RunningServer {
  server: Server
  port: number
  /** Stops accepting and waits for in-flight requests, cutting them off after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<void>
}

/**
 * Binds an App to a port: HTTP through Hono's Node adapter, upgrades to the live server.
 * @example const { port } = await listen(app, 0, '127.0.0.1')
 */
export async function listen(app: App, port: number, host: string): Promise<RunningServer> {
  const server = createAdaptorServer({ fetch: app.fetch }) as Server
  server.on('upgrade', app.handleUpgrade)
  // A client that opens a connection and never finishes its headers must not hold it forever.
  server.headersTimeout = 10_000
  server.requestTimeout = 30_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  return {
    server,
    port: (server.address() as AddressInfo).port,
    stop(timeoutMs = 5000) {
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.closeAllConnections()
          resolve()
        }, timeoutMs)
        timer.unref()
        server.close(() => {
          clearTimeout(timer)
          resolve()
        })
        server.closeIdleConnections()
      })
    },
  }
}
