import { randomBytes } from 'node:crypto'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type Bus, CONTROL_TOPIC } from '../src/bus/bus.js'
import { MemoryBus } from '../src/bus/memory-bus.js'
import { RedisBus } from '../src/bus/redis-bus.js'
import { RedisClusterBus } from '../src/bus/redis-cluster-bus.js'
import { provided } from './helpers/provided.js'
import { LocalRedisCluster } from './helpers/redis-cluster.js'
import { waitFor } from './helpers/wait-for.js'

// A real three-shard cluster (three masters, three replicas) for this file, on private ports.
let cluster: LocalRedisCluster
beforeAll(async () => {
  cluster = await LocalRedisCluster.start()
})
afterAll(async () => {
  await cluster?.stop()
})

const clusterBuses = (count = 2): Bus[] => {
  const prefix = `bus-test:${randomBytes(4).toString('hex')}:`
  // Each instance is given a different seed, as a deployment listing a few nodes would be.
  return Array.from(
    { length: count },
    (_, i) => new RedisClusterBus({ seeds: [cluster.urls[i % cluster.urls.length]!], channelPrefix: prefix }),
  )
}

/** One contract, every implementation: single- and multi-instance modes must behave the same. */
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
  ['RedisClusterBus', (): Bus[] => clusterBuses()],
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

/** Topics whose shard channels (prefix + topic) land on `count` different masters, one per master. */
async function topicsOnDifferentShards(prefix: string, count: number): Promise<string[]> {
  const byMaster = new Map<number, string>()
  for (let i = 0; byMaster.size < count; i++) {
    if (i > 1000) throw new Error(`could not spread topics over ${count} shards`)
    const topic = `story:${i}`
    const master = await cluster.masterOfSlot(await cluster.slotOf(prefix + topic))
    if (!byMaster.has(master)) byMaster.set(master, topic)
  }
  return [...byMaster.values()]
}

describe('RedisClusterBus across shards', () => {
  let buses: Bus[] = []
  afterEach(async () => {
    await Promise.all(buses.map((b) => b.close()))
  })

  it('delivers topics that land on different shards, each to the instance subscribed to it', async () => {
    const prefix = `bus-test:${randomBytes(4).toString('hex')}:`
    buses = [0, 1].map((i) => new RedisClusterBus({ seeds: [cluster.urls[i]!], channelPrefix: prefix }))
    const [pub, sub] = buses as [Bus, Bus]
    await waitFor('the bus', () => buses.every((b) => b.isReady()))
    const topics = await topicsOnDifferentShards(prefix, 3)
    const got = new Map(topics.map((t) => [t, [] as string[]]))
    for (const t of topics) await sub.subscribe(t, (m) => got.get(t)!.push(m))
    for (let i = 0; i < 20; i++) for (const t of topics) await pub.publish(t, `${t}#${i}`)
    await waitFor('the bus', () => [...got.values()].every((g) => g.length === 20))
    for (const t of topics) expect(got.get(t)).toEqual(Array.from({ length: 20 }, (_, i) => `${t}#${i}`))
  })

  it('carries control messages to every instance, whichever one publishes', async () => {
    buses = clusterBuses(3)
    await waitFor('the bus', () => buses.every((b) => b.isReady()))
    const heard = buses.map(() => [] as string[])
    await Promise.all(buses.map((b, i) => b.subscribe(CONTROL_TOPIC, (m) => heard[i]!.push(m))))
    for (const [i, b] of buses.entries()) await b.publish(CONTROL_TOPIC, `from ${i}`)
    await waitFor('the bus', () => heard.every((h) => h.length === 3))
    for (const h of heard) expect(h.sort()).toEqual(['from 0', 'from 1', 'from 2'])
  })

  // Runs last in this file: it leaves one shard without a replica.
  it('moves a subscription to the promoted replica when a master dies, and says so', async () => {
    const prefix = `bus-test:${randomBytes(4).toString('hex')}:`
    buses = [0, 1].map((i) => new RedisClusterBus({ seeds: [cluster.urls[i]!], channelPrefix: prefix }))
    const [pub, sub] = buses as [Bus, Bus]
    await waitFor('the bus', () => buses.every((b) => b.isReady()))
    const [topic, other] = await topicsOnDifferentShards(prefix, 2)
    const got: string[] = []
    const otherGot: string[] = []
    let reconnects = 0
    sub.onReconnect(() => reconnects++)
    await sub.subscribe(topic!, (m) => got.push(m))
    await sub.subscribe(other!, (m) => otherGot.push(m))
    await pub.publish(topic!, 'before')
    await waitFor('the bus', () => got.length === 1)

    const slot = await cluster.slotOf(prefix + topic)
    const master = await cluster.masterOfSlot(slot)
    await cluster.killMaster(master)
    // The other shard keeps working while this one fails over.
    await pub.publish(other!, 'during')
    await waitFor('the bus', () => otherGot.length === 1)
    const promoted = await cluster.waitForPromotion(master, slot)
    expect(promoted).not.toBe(master)
    await waitFor('the bus', () => reconnects > 0, { timeoutMs: 15_000 })

    // Publishes during the failover may be lost (the log has them); from now on they arrive.
    await waitFor('the bus', () => pub.isReady() && sub.isReady())
    for (let i = 0; i < 10; i++) await pub.publish(topic!, `after${i}`)
    await waitFor('the bus', () => got.filter((m) => m.startsWith('after')).length === 10, {
      timeoutMs: 10_000,
    })
    expect(got.filter((m) => m.startsWith('after'))).toEqual(
      Array.from({ length: 10 }, (_, i) => `after${i}`),
    )
  }, 60_000)
})
