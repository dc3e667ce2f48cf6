/**
 * The bus floor for `bench:many`: a bare ioredis subscriber (the client Liveline uses) on the same
 * channels as the instance under test, doing nothing with a message but count it. Its CPU per
 * message is what merely hearing the bus costs a Node process on this machine (a wakeup, a socket
 * read, RESP parsing): the part of a post's cost no change to Liveline's own code can remove.
 * Forked by the bench; speaks the load generators' IPC (`ready`, then one answer per request).
 */
import { Redis } from 'ioredis'

export type ToBusFloor = { cmd: 'subscribe'; url: string; channels: string[] } | { cmd: 'count' }
export type FromBusFloor =
  | { type: 'ready'; clockOffsetMs: number }
  | { type: 'subscribed' }
  | { type: 'count'; messages: number }
  | { type: 'fatal'; message: string }

/** Channels per SUBSCRIBE command. */
const SUBSCRIBE_BATCH = 500

const send = (message: FromBusFloor) => process.send?.(message)

if (process.send) {
  let messages = 0
  process.on('message', async (message: ToBusFloor) => {
    try {
      if (message.cmd === 'subscribe') {
        const subscriber = new Redis(message.url, { maxRetriesPerRequest: null })
        subscriber.on('error', () => {})
        subscriber.on('message', () => {
          messages++
        })
        for (let i = 0; i < message.channels.length; i += SUBSCRIBE_BATCH)
          await subscriber.subscribe(...message.channels.slice(i, i + SUBSCRIBE_BATCH))
        send({ type: 'subscribed' })
      } else if (message.cmd === 'count') {
        send({ type: 'count', messages })
      }
    } catch (err) {
      send({ type: 'fatal', message: String(err) })
    }
  })
  process.on('disconnect', () => process.exit(0))
  send({ type: 'ready', clockOffsetMs: performance.timeOrigin + performance.now() - Date.now() })
}
