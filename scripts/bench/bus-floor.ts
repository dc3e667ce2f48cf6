/**
 * A bare ioredis subscriber (the client Liveline uses) on the same channels as the instance under
 * test, in a process of its own that does nothing else.
 *
 * - `bench:many`'s bus floor: it only counts messages. Its CPU per message is what merely hearing
 *   the bus costs a Node process on this machine (a wakeup, a socket read, RESP parsing): the part
 *   of a post's cost no change to Liveline's own code can remove.
 * - `bench:storm`'s witness (`noteSeqs`): it also notes when each event (`<seq> <body>`) arrived,
 *   so a reader's latency can be split into before the bus and the instance's own part. An idle
 *   process is woken at once; the bench's own busy process would hear late.
 *
 * Forked by the bench; speaks the load generators' IPC (`ready`, then one answer per request).
 */
import { resolve } from 'node:path'
import { Redis } from 'ioredis'
import { benchExecArgv } from './liveline-instance.js'
import { LoadgenClient } from './loadgen-client.js'

export type ToBusFloor =
  | { cmd: 'subscribe'; url: string; channels: string[]; noteSeqs?: boolean }
  | { cmd: 'count' }
  | { cmd: 'heard' }
export type FromBusFloor =
  | { type: 'ready'; clockOffsetMs: number }
  | { type: 'subscribed' }
  | { type: 'count'; messages: number }
  /** Wall time (ms since the epoch) each seq was first heard. */
  | { type: 'heard'; at: Record<number, number> }
  | { type: 'fatal'; message: string }

export type BusListener = LoadgenClient<ToBusFloor, FromBusFloor>

/**
 * Forks a bus listener and subscribes it; `onStart` gets it first (so the caller can kill it on
 * any exit). Resolves once every SUBSCRIBE is confirmed.
 */
export async function startBusListener(
  root: string,
  subscription: Omit<Extract<ToBusFloor, { cmd: 'subscribe' }>, 'cmd'>,
  onStart: (listener: BusListener) => void,
): Promise<BusListener> {
  const listener: BusListener = new LoadgenClient(
    resolve(root, 'scripts/bench/bus-floor.ts'),
    benchExecArgv(root),
    root,
  )
  onStart(listener)
  await listener.ready
  await listener.request({ cmd: 'subscribe', ...subscription }, 'subscribed', 30_000)
  return listener
}

/** Channels per SUBSCRIBE command. */
const SUBSCRIBE_BATCH = 500

const send = (message: FromBusFloor) => process.send?.(message)

if (process.send) {
  let messages = 0
  const heardAt: Record<number, number> = {}
  process.on('message', async (message: ToBusFloor) => {
    try {
      if (message.cmd === 'subscribe') {
        const subscriber = new Redis(message.url, { maxRetriesPerRequest: null })
        subscriber.on('error', () => {})
        const noteSeqs = message.noteSeqs === true
        subscriber.on('message', (_channel: string, body: string) => {
          messages++
          if (!noteSeqs) return
          const seq = Number.parseInt(body, 10)
          if (Number.isSafeInteger(seq) && heardAt[seq] === undefined)
            heardAt[seq] = performance.timeOrigin + performance.now()
        })
        for (let i = 0; i < message.channels.length; i += SUBSCRIBE_BATCH)
          await subscriber.subscribe(...message.channels.slice(i, i + SUBSCRIBE_BATCH))
        send({ type: 'subscribed' })
      } else if (message.cmd === 'count') {
        send({ type: 'count', messages })
      } else if (message.cmd === 'heard') {
        send({ type: 'heard', at: heardAt })
      }
    } catch (err) {
      send({ type: 'fatal', message: String(err) })
    }
  })
  process.on('disconnect', () => process.exit(0))
  send({ type: 'ready', clockOffsetMs: performance.timeOrigin + performance.now() - Date.now() })
}
