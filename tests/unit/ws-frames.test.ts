import type { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import * as wsModule from 'ws'
import { EventFrames } from '../../src/live/protocol.js'
import { PING_FRAME, textFrame } from '../../src/live/ws-frames.js'

// ws's own frame parser, as a client runs it: an independent check of the bytes we prepare.
type Receiver = Writable & {
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): Receiver
  on(event: 'ping' | 'pong', listener: (data: Buffer) => void): Receiver
  on(event: 'error', listener: (err: Error) => void): Receiver
}
const { Receiver } = wsModule as unknown as { Receiver: new (options: { isServer: boolean }) => Receiver }

/** Feeds `bytes` to a client-side receiver, in pieces, and lists what it parsed. */
function parse(bytes: Buffer, piece = 7): Array<{ kind: string; data: string }> {
  const receiver = new Receiver({ isServer: false })
  const seen: Array<{ kind: string; data: string }> = []
  receiver.on('message', (data, isBinary) =>
    seen.push({ kind: isBinary ? 'binary' : 'text', data: String(data) }),
  )
  receiver.on('ping', (data) => seen.push({ kind: 'ping', data: String(data) }))
  receiver.on('error', (err) => seen.push({ kind: 'error', data: err.message }))
  for (let i = 0; i < bytes.length; i += piece) receiver.write(bytes.subarray(i, i + piece))
  return seen
}

describe('prepared websocket frames', () => {
  it('encode every payload length form (7-bit, 16-bit, 64-bit) as ws reads them', () => {
    for (const length of [0, 1, 125, 126, 127, 65_535, 65_536, 70_001]) {
      const text = 'a'.repeat(length)
      const frame = textFrame(text)
      expect(parse(frame, 4096), `length ${length}`).toEqual([{ kind: 'text', data: text }])
    }
  })

  it('count bytes, not characters, for UTF-8 text', () => {
    const text = 'Rafah — «talks» 会谈 🚨'.repeat(10)
    expect(Buffer.byteLength(text)).toBeGreaterThan(text.length)
    expect(parse(textFrame(text))).toEqual([{ kind: 'text', data: text }])
  })

  it('carry an owed ping after the event in the same bytes', () => {
    const event = JSON.stringify({ story: 's1', seq: 3, type: 'update.deleted', updateId: 'u1' })
    const frames = new EventFrames(3, 'update.deleted', event)
    expect(parse(frames.wsWithPing)).toEqual([
      { kind: 'text', data: `{"type":"event","event":${event}}` },
      { kind: 'ping', data: '' },
    ])
    expect(parse(PING_FRAME)).toEqual([{ kind: 'ping', data: '' }])
  })

  it('give server-sent events the same event JSON as the websocket frame', () => {
    const event = JSON.stringify({ story: 's1', seq: 9, type: 'update.created', note: 'x'.repeat(300) })
    const frames = new EventFrames(9, 'update.created', event)
    expect(frames.sse.toString()).toBe(`id: 9\nevent: update.created\ndata: ${event}\n\n`)
  })
})
