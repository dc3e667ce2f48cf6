import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import type { Bus } from '../src/bus/bus.js'
import { MemoryBus } from '../src/bus/memory-bus.js'
import { RedisBus } from '../src/bus/redis-bus.js'
import { provided } from './helpers/provided.js'
import { waitFor } from './helpers/wait-for.js'

/** One contract, both implementations: single- and multi-instance modes must behave the same. */
describe.each([
  ['MemoryBus', (): Bus[] => [new MemoryBus()]],
  [
    'RedisBus',
    (): Bus[] => {
      const prefix = `bus-test:${randomBytes(4).toString('hex')}:`
      return [
        new RedisBus({ url: provided('redisUrl'), channelPrefix: prefix }),
        new RedisBus({ url: provided('redisUrl'), channelPrefix: prefix }),
      ]
    },
  ],
])('%s', (_name, make) => {
  let buses: Bus[] = []
  afterEach(async () => {
    await Promise.all(buses.map((b) => b.close()))
  })

  it('delivers messages on a topic in publish order, to every subscriber', async () => {
    buses = make()
    const pub = buses[0]!
    const sub = buses.at(-1)!
    const got1: string[] = []
    const got2: string[] = []
    await waitFor('every bus ready', () => buses.every((b) => b.isReady()))
    await sub.subscribe('t', (m) => got1.push(m))
    await sub.subscribe('t', (m) => got2.push(m))
    await waitFor('the publisher ready', () => pub.isReady())
    for (let i = 0; i < 50; i++) await pub.publish('t', `m${i}`)
    await waitFor('50 messages to each subscriber', () => got1.length === 50 && got2.length === 50)
    expect(got1).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`))
    expect(got2).toEqual(got1)
  })

  it('keeps topics apart and stops delivering after unsubscribe', async () => {
    buses = make()
    const pub = buses[0]!
    const sub = buses.at(-1)!
    const a: string[] = []
    const b: string[] = []
    await waitFor('every bus ready', () => buses.every((x) => x.isReady()))
    const stopA = await sub.subscribe('a', (m) => a.push(m))
    await sub.subscribe('b', (m) => b.push(m))
    await waitFor('the publisher ready', () => pub.isReady())
    await pub.publish('a', 'for a')
    await pub.publish('b', 'for b')
    await waitFor('one message on each topic', () => a.length === 1 && b.length === 1)
    stopA()
    // One publisher, one subscriber connection: 'late' would arrive before the marker on 'b'.
    await pub.publish('a', 'late')
    await pub.publish('b', 'marker')
    await waitFor('the marker on b', () => b.length === 2)
    expect(a).toEqual(['for a'])
    expect(b).toEqual(['for b', 'marker'])
  })

  it('reports ready while up and refuses to publish once closed', async () => {
    buses = make()
    await waitFor('every bus ready', () => buses.every((b) => b.isReady()))
    await buses[0]!.close()
    expect(buses[0]!.isReady()).toBe(false)
    await expect(buses[0]!.publish('t', 'x')).rejects.toThrow()
  })
})
