/**
 * Websocket frames (RFC 6455 §5.2) built once and written as they are to every reader's socket,
 * like gorilla/websocket's PreparedMessage. A server's frames are never masked, so the same
 * bytes are right for every connection: the fan-out then costs one socket write per reader,
 * with no per-reader framing, header buffer or options object (what `ws.send` spends per call).
 *
 * Writing beside `ws` is safe only while its sender never queues: no permessage-deflate (the
 * live server turns it off) and no Blob sends. Then every `ws.send` and every prepared frame
 * reach the socket in the order they were called.
 */

const FIN_TEXT = 0x81

/** A ping with no payload: the client answers with a pong (browsers and `ws` do it on their own). */
export const PING_FRAME: Buffer = Buffer.from([0x89, 0x00])

/** An unmasked, final text frame carrying `text`. */
export function textFrame(text: string): Buffer {
  const length = Buffer.byteLength(text)
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10
  const frame = Buffer.allocUnsafe(headerLength + length)
  frame[0] = FIN_TEXT
  if (length < 126) {
    frame[1] = length
  } else if (length < 65_536) {
    frame[1] = 126
    frame.writeUInt16BE(length, 2)
  } else {
    frame[1] = 127
    frame.writeBigUInt64BE(BigInt(length), 2)
  }
  frame.write(text, headerLength)
  return frame
}

/** Where the payload starts in a frame made by `textFrame`. */
export function payloadOffset(frame: Buffer): number {
  const marker = frame[1] as number
  return marker < 126 ? 2 : marker === 126 ? 4 : 10
}
