import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import { paceNewConnections } from './http/new-connections.js'
import type { Service } from './service.js'

/**
 * Binds a Service to a port: new connections read a few per turn (a reconnect storm comes in
 * pieces), ready answers first (public reads kept as sent), everything else through Hono's Node
 * adapter, upgrades to the live endpoint. Shutdown stays with the service:
 * `service.close()` stops this server too.
 * @example const port = await listen(service, 0, '127.0.0.1')
 */
export async function listen(service: Service, port: number, host: string): Promise<number> {
  const route = getRequestListener(service.fetch)
  const { readyAnswers } = service
  const server = createServer((req, res) => {
    if (!readyAnswers.serve(req, res)) void route(req, res)
  })
  server.on('upgrade', service.handleUpgrade)
  paceNewConnections(server, service.deps.limits.newConnectionsPerTurn)
  lingerAfterEarlyAnswers(server, service.deps.limits.lingerCloseMs)
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

/**
 * A lingering close, as nginx does: when an answer (a 413) goes out before the request body was
 * all read, closing the socket at once would make the kernel reset the connection while the
 * client is still sending, and a client that reads only after sending never sees the answer
 * (some clients also give up on an upload the server half-closed). Instead the server keeps
 * reading and discarding the body, closes once it has ended (the answer said `Connection:
 * close`), and gives up after `lingerMs` in any case.
 *
 * An answer that did not say `Connection: close` (a 401 before a slow upload had arrived, which
 * the Node adapter stops draining after half a second) promised the client the connection: it
 * stays open once the body has been discarded, or the client's next request on it would meet a
 * closed socket ("other side closed").
 */
function lingerAfterEarlyAnswers(server: Server, lingerMs: number): void {
  const current = new WeakMap<Socket, { req: IncomingMessage; res: ServerResponse }>()
  server.on('request', (req: IncomingMessage, res: ServerResponse) => current.set(req.socket, { req, res }))
  server.on('connection', (socket: Socket) => {
    const destroySoon = socket.destroySoon.bind(socket)
    let lingering = false
    socket.destroySoon = () => {
      const exchange = current.get(socket)
      if (!exchange || exchange.req.complete || socket.destroyed) return destroySoon()
      if (lingering) return
      lingering = true
      const { req, res } = exchange
      const timer = setTimeout(() => socket.destroy(), lingerMs)
      timer.unref()
      socket.once('close', () => clearTimeout(timer))
      // Node's own flag for "this answer closes the connection" (set by `Connection: close`).
      const closes = (res as ServerResponse & { _last?: boolean })._last !== false
      req.once('end', () => {
        if (closes) {
          // The client has the answer and is done sending: close our side, then wait for theirs.
          socket.end()
        } else {
          clearTimeout(timer)
          lingering = false
        }
      })
      socket.once('end', () => socket.destroy())
      // The rest of the body flows through the HTTP parser into the request. Whoever was reading
      // it (the web stream the app gave up on) would pause it when full: drop them and discard.
      req.removeAllListeners('data')
      req.on('data', () => {})
      req.resume()
    }
  })
}
