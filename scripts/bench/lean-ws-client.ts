/**
 * The least websocket client a load generator needs (RFC 6455 over plain TCP): a fixed handshake,
 * unmasked server frames parsed in place, masked text frames out, pongs for pings, the close code.
 * bench-storm's load generators hold 15,000 sockets on the same two cores as the server under
 * test; with `ws` the clients spent about as much CPU on each reconnect as the server did (an
 * HTTP client request and parser per handshake), so the bench measured its own queue as much as
 * the server. Not a general client: no extensions, no fragmented messages (Liveline sends none),
 * no check of Sec-WebSocket-Accept.
 */
import { connect, type Socket } from 'node:net'

export interface LeanWsHandlers {
  onOpen(): void
  onMessage(data: Buffer): void
  /** Once: the close code the server sent, or 1006 when the connection just ended. */
  onClose(code: number, failure: string | null): void
}

const HEADER_END = Buffer.from('\r\n\r\n')
const OPCODE_TEXT = 0x1
const OPCODE_CLOSE = 0x8
const OPCODE_PING = 0x9
/** 16 bytes in base64, as servers check; the same for every connection, since the bench does not check the answer. */
const KEY = 'bGl2ZWxpbmUtYmVuY2ghIQ=='
const MASK = Buffer.from([0x37, 0xfa, 0x21, 0x3d])

export class LeanWs {
  readonly #socket: Socket
  readonly #handlers: LeanWsHandlers
  #open = false
  #closed = false
  #pending: Buffer | null = null
  #failure: string | null = null
  #closeCode = 1006
  readonly #timer: NodeJS.Timeout

  constructor(url: string, handshakeTimeoutMs: number, handlers: LeanWsHandlers) {
    const { hostname, port, pathname, search } = new URL(url)
    this.#handlers = handlers
    this.#socket = connect(Number(port), hostname)
    this.#socket.setNoDelay(true)
    this.#timer = setTimeout(() => {
      this.#failure = 'Opening handshake has timed out'
      this.terminate()
    }, handshakeTimeoutMs)
    this.#socket.once('connect', () => {
      this.#socket.write(
        `GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      )
    })
    this.#socket.on('data', (chunk: Buffer) => this.#onData(chunk))
    this.#socket.on('error', (err: NodeJS.ErrnoException) => {
      this.#failure ??= err.code ?? err.message
    })
    this.#socket.on('close', () => this.#finish())
  }

  send(text: string): void {
    if (!this.#open || this.#closed) return
    this.#socket.write(maskedFrame(OPCODE_TEXT, Buffer.from(text)))
  }

  terminate(): void {
    this.#socket.destroy()
  }

  #finish(): void {
    if (this.#closed) return
    this.#closed = true
    clearTimeout(this.#timer)
    this.#handlers.onClose(this.#closeCode, this.#closeCode === 1006 ? this.#failure : null)
  }

  #onData(chunk: Buffer): void {
    let data = this.#pending ? Buffer.concat([this.#pending, chunk]) : chunk
    this.#pending = null
    if (!this.#open) {
      const end = data.indexOf(HEADER_END)
      if (end < 0) {
        this.#pending = data
        return
      }
      if (!data.subarray(0, 13).toString('latin1').startsWith('HTTP/1.1 101')) {
        this.#failure = `Unexpected server response: ${data.subarray(9, 12).toString('latin1')}`
        this.terminate()
        return
      }
      this.#open = true
      clearTimeout(this.#timer)
      data = data.subarray(end + HEADER_END.length)
      this.#handlers.onOpen()
    }
    let at = 0
    while (at + 2 <= data.length) {
      const opcode = (data[at] as number) & 0x0f
      let length = (data[at + 1] as number) & 0x7f
      let start = at + 2
      if (length === 126) {
        if (at + 4 > data.length) break
        length = data.readUInt16BE(at + 2)
        start = at + 4
      } else if (length === 127) {
        if (at + 10 > data.length) break
        length = Number(data.readBigUInt64BE(at + 2))
        start = at + 10
      }
      if (start + length > data.length) break
      const payload = data.subarray(start, start + length)
      at = start + length
      if (opcode === OPCODE_TEXT) this.#handlers.onMessage(payload)
      else if (opcode === OPCODE_PING) this.#socket.write(maskedFrame(0xa, payload))
      else if (opcode === OPCODE_CLOSE) {
        this.#closeCode = payload.length >= 2 ? payload.readUInt16BE(0) : 1005
        this.#socket.end(maskedFrame(OPCODE_CLOSE, payload.subarray(0, 2)))
        this.#finish()
        return
      }
    }
    if (at < data.length) this.#pending = Buffer.from(data.subarray(at))
  }
}

/** A final client frame: clients must mask (RFC 6455 §5.3); a fixed mask is enough for a bench. */
function maskedFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length
  const header = length < 126 ? 2 : 4
  const frame = Buffer.allocUnsafe(header + 4 + length)
  frame[0] = 0x80 | opcode
  if (length < 126) frame[1] = 0x80 | length
  else {
    frame[1] = 0x80 | 126
    frame.writeUInt16BE(length, 2)
  }
  MASK.copy(frame, header)
  for (let i = 0; i < length; i++) frame[header + 4 + i] = (payload[i] as number) ^ (MASK[i & 3] as number)
  return frame
}
