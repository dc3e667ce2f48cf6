import type { Server } from 'node:http'
import type { Socket } from 'node:net'
import { handlePerTurn } from '../lib/per-turn.js'

/**
 * Reads new connections a few at a time: each arrives with nothing read from it yet (the server's
 * `pauseOnConnect`), and `perTurn` of them are resumed per turn of the event loop, in the order
 * they came. (Pausing the socket in a 'connection' listener is not enough: Node's HTTP parser
 * reads the socket's handle itself, and a request arriving after the pause was seen parsed at once.)
 *
 * Node accepts every connection waiting in the listen queue at once, and reads all their first
 * requests in the next turn. After a deploy that is thousands of websocket handshakes (HTTP
 * parsing, the upgrade, the 101) in one turn: measured here, 15,000 readers reconnecting within
 * 2 s held the event loop for seconds, so a live event for the readers already connected, and
 * the subscribe frames of those just upgraded, waited behind it. Paced, a turn carries at most
 * `perTurn` handshakes beside everything else, and the turns come back to back while any wait:
 * a lone connection is read in the same turn it would have been, and a storm is answered as
 * fast as before, only in order and in pieces.
 */
export function paceNewConnections(server: Server, perTurn: number): void {
  const admit = handlePerTurn(perTurn, (socket: Socket) => {
    if (!socket.destroyed) socket.resume()
  })
  // net.Server reads this when a connection arrives; http.createServer has no option for it.
  ;(server as Server & { pauseOnConnect: boolean }).pauseOnConnect = true
  server.on('connection', admit)
}
