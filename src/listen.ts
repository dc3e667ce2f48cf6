import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createAdaptorServer } from '@hono/node-server'
import type { Service } from './service.js'

/**
 * Binds a Service to a port: HTTP through Hono's Node adapter, upgrades to the live endpoint.
 * Shutdown stays with the service: `service.close()` stops this server too.
 * @example const port = await listen(service, 0, '127.0.0.1')
 */
export async function listen(service: Service, port: number, host: string): Promise<number> {
  const server = createAdaptorServer({ fetch: service.fetch }) as Server
  server.on('upgrade', service.handleUpgrade)
  // A client that opens a connection and never finishes its headers must not hold it forever.
  server.headersTimeout = 10_000
  server.requestTimeout = 30_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, service.deps.limits.listenBacklog, () => {
      server.off('error', reject)
      resolve()
    })
  })
  service.attach(server)
  return (server.address() as AddressInfo).port
}
