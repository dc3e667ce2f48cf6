import { afterEach, describe, expect, it } from 'vitest'
import { Hub } from '../../src/live/hub.js'
import { EventFrames } from '../../src/live/protocol.js'
import { RingBudget } from '../../src/live/ring-budget.js'
import { StoryChannel } from '../../src/live/story-channel.js'
import { FakeLog, FakeReader, liveEnv, subscription } from './fake-live.js'

const STORY = 's1'

function openChannel(log: FakeLog, limits = {}) {
  const evicted: string[] = []
  const channel: StoryChannel = new StoryChannel(
    liveEnv(log, limits),
    { id: STORY, slug: `${STORY}-slug`, status: 'live' },
    (sub) => {
      evicted.push(sub.storyId)
      channel.remove(sub)
    },
  )
  return { channel, evicted }
}

async function join(channel: StoryChannel, reader: FakeReader, since?: number) {
  const sub = subscription(reader, STORY)
  reader.subscriptions.set(STORY, sub)
  return channel.join(sub, since)
}

describe('a story channel', () => {
  it('fills a gap from the log when a bus message is lost, and delivers each seq once in order', async () => {
    const log = new FakeLog()
    log.addStory(STORY)
    const { channel } = openChannel(log)
    const reader = new FakeReader()
    expect(await join(channel, reader)).toBe(true)
    log.append(STORY) // 1, published
    log.append(STORY, 'update.created', {}, false) // 2, lost on the bus
    log.append(STORY) // 3, published: the jump from 1 to 3 is a gap
    await channel.settled()
    expect(reader.seqs).toEqual([1, 2, 3])
  })

  it('catches a lost last message through the head check, taking a newer head with a check already queued', async () => {
    const log = new FakeLog()
    log.addStory(STORY)
    const { channel } = openChannel(log)
    const reader = new FakeReader()
    await join(channel, reader)
    log.append(STORY, 'update.created', {}, false)
    channel.checkHead(1)
    log.append(STORY, 'update.created', {}, false)
    channel.checkHead(2) // before the first check ran
    await channel.settled()
    expect(reader.seqs).toEqual([1, 2])
  })

  it('hands off from replay to live without a gap or a duplicate', async () => {
    const log = new FakeLog()
    log.addStory(STORY)
    for (let i = 0; i < 5; i++) log.append(STORY)
    const { channel } = openChannel(log)
    const first = new FakeReader()
    await join(channel, first)
    const late = new FakeReader()
    const joining = join(channel, late, 2)
    // Live events arrive while the late reader's replay waits in the queue.
    log.append(STORY)
    log.append(STORY)
    expect(await joining).toBe(true)
    await channel.settled()
    expect(late.frames[0]).toBe(`subscribed ${STORY} 5`)
    expect(late.seqs).toEqual([3, 4, 5, 6, 7])
    expect(first.seqs).toEqual([6, 7])
  })

  it('answers reset instead of replaying past the replay limit', async () => {
    const log = new FakeLog()
    log.addStory(STORY)
    for (let i = 0; i < 10; i++) log.append(STORY)
    const { channel } = openChannel(log, { replayLimit: 3 })
    const socket = new FakeReader(false)
    expect(await join(channel, socket, 2)).toBe(false)
    expect(socket.frames).toEqual([`reset ${STORY} 10`])
    expect(socket.seqs).toEqual([])
    const stream = new FakeReader(true)
    expect(await join(channel, stream, 2)).toBe(true)
    log.append(STORY)
    await channel.settled()
    expect(stream.frames).toEqual([`reset ${STORY} 10`, `subscribed ${STORY} 10`])
    expect(stream.seqs).toEqual([11])
  })

  it('still gives every other reader the event when one reader\u2019s send throws', async () => {
    const log = new FakeLog()
    log.addStory(STORY)
    const { channel, evicted } = openChannel(log)
    const readers = [new FakeReader(), new FakeReader(), new FakeReader()]
    for (const r of readers) await join(channel, r)
    ;(readers[0] as FakeReader).failOn = 1
    log.append(STORY)
    log.append(STORY)
    await channel.settled()
    expect(readers.map((r) => r.seqs)).toEqual([[], [1, 2], [1, 2]])
    expect(evicted).toEqual([STORY])
  })

  it('sends events that queued behind a fan-out to each reader in one write, in order, and a lone event at once', async () => {
    const log = new FakeLog()
    log.addStory(STORY)
    const { channel } = openChannel(log)
    const early = new FakeReader()
    const late = new FakeReader()
    await join(channel, early)
    log.append(STORY) // 1: alone, nothing else waits
    await channel.settled()
    await join(channel, late, 1)
    // 2..6 arrive in one burst (a saturated story): they wait for one task and go out together.
    for (let i = 0; i < 5; i++) log.append(STORY)
    log.publish(STORY, 4) // a repeated message is not sent twice
    await channel.settled()
    expect(early.writes).toEqual([[1], [2, 3, 4, 5, 6]])
    expect(late.writes).toEqual([[2, 3, 4, 5, 6]])
    // A lost message inside a burst: the events before it go together, the log fills the gap.
    log.append(STORY) // 7
    log.append(STORY, 'update.created', {}, false) // 8, lost
    log.append(STORY) // 9
    log.append(STORY) // 10
    await channel.settled()
    expect(early.seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(late.seqs).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10])
  })

  it('resets its readers and moves on past a hole in the log instead of asking for it forever', async () => {
    const log = new FakeLog()
    log.addStory(STORY)
    const { channel } = openChannel(log)
    const stream = new FakeReader(true)
    await join(channel, stream)
    for (let i = 0; i < 3; i++)
      log.append(STORY, 'update.created', {}, false)
      // A restore lost 1 and 2: the log now starts at 3, and 3's bus message arrives.
    ;(log.stories.get(STORY) as { events: unknown[] }).events.splice(0, 2)
    log.publish(STORY, 3)
    await channel.settled()
    expect(stream.frames.at(-1)).toBe(`reset ${STORY} 2`)
    expect(stream.seqs).toEqual([3])
  })
})

describe('a story channel opening in a reconnect storm', () => {
  it('fills its ring from the log in one read, and replays every joiner from it', async () => {
    const log = new FakeLog()
    log.addStory(STORY)
    for (let i = 0; i < 50; i++) log.append(STORY)
    const { channel } = openChannel(log)
    const readers = Array.from({ length: 30 }, () => new FakeReader())
    const joined = await Promise.all(readers.map((r, i) => join(channel, r, 20 + i)))
    expect(joined.every(Boolean)).toBe(true)
    expect(log.reads).toBe(1)
    expect(readers.map((r) => r.seqs.length)).toEqual(readers.map((_, i) => 50 - 20 - i))
  })

  it('joins a reader replayed from the ring at once, not behind a fan-out still under way, and sends it each event once', async () => {
    const log = new FakeLog()
    log.addStory(STORY)
    for (let i = 0; i < 3; i++) log.append(STORY)
    const { channel } = openChannel(log, { fanoutChunk: 2 })
    const readers = Array.from({ length: 10 }, () => new FakeReader())
    for (const r of readers) await join(channel, r)
    log.append(STORY) // 4: sent two readers at a time, with a turn of the event loop between
    await Promise.resolve()
    await Promise.resolve()
    expect((readers[0] as FakeReader).seqs).toEqual([4])
    expect((readers[9] as FakeReader).seqs).toEqual([]) // the fan-out is still going
    const late = new FakeReader()
    expect(await join(channel, late, 1)).toBe(true)
    expect(late.frames[0]).toBe(`subscribed ${STORY} 4`)
    expect(late.seqs).toEqual([2, 3, 4])
    expect((readers[9] as FakeReader).seqs).toEqual([]) // it joined before the fan-out ended
    log.append(STORY) // 5
    await channel.settled()
    expect(late.seqs).toEqual([2, 3, 4, 5])
    expect(readers.every((r) => r.seqs.join() === '4,5')).toBe(true)
    expect(log.reads).toBe(1) // the ring's fill when the channel opened
  })
})

describe('rings of recent frames under one budget', () => {
  it('shrinks the least recently used story’s ring first, and its readers still get every event from the log', async () => {
    const log = new FakeLog()
    log.addStory('cold')
    log.addStory('busy')
    const env = liveEnv(log)
    // Room for 15 of the 20 frames the two stories will hold.
    const sample = `{"story":"cold","seq":10,"type":"update.created","at":"${new Date(0).toISOString()}","lastUpdateAt":null}`
    const budget = new RingBudget(15 * new EventFrames(10, 'update.created', sample).byteLength)
    const open = (id: string) =>
      new StoryChannel(env, { id, slug: `${id}-slug`, status: 'live' }, () => {}, budget)
    const cold = open('cold')
    const busy = open('busy')
    await Promise.all([cold.settled(), busy.settled()])
    for (let i = 0; i < 10; i++) log.append('cold')
    await cold.settled()
    for (let i = 0; i < 10; i++) log.append('busy')
    await busy.settled()
    expect(budget.totalBytes).toBeLessThanOrEqual(budget.maxBytes)
    const readsBefore = log.reads
    const late = new FakeReader()
    const sub = subscription(late, 'busy')
    expect(await busy.join(sub, 0)).toBe(true)
    expect(late.seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(log.reads).toBe(readsBefore) // the busy story kept its ring
    const coldReader = new FakeReader()
    expect(await cold.join(subscription(coldReader, 'cold'), 0)).toBe(true)
    expect(coldReader.seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(log.reads).toBe(readsBefore + 1) // the cold one gave part of its ring up: read from the log
  })
})

describe('the hub', () => {
  let hub: Hub | null = null
  afterEach(() => hub?.close())

  it('closes a story\u2019s channel when it goes back to draft and evicts its public readers', async () => {
    const log = new FakeLog()
    log.addStory(STORY)
    hub = new Hub(liveEnv(log))
    const reader = new FakeReader()
    expect(await hub.subscribe(reader, STORY, undefined)).toBe(true)
    expect(hub.channelCount).toBe(1)
    expect(log.followers.has(STORY)).toBe(true)
    log.append(STORY, 'story.updated', { storyState: { id: STORY, status: 'draft' } })
    await new Promise((r) => setImmediate(r))
    await Promise.resolve()
    expect(reader.frames.at(-1)).toBe(`error forbidden ${STORY}`)
    expect(reader.subscriptions.size).toBe(0)
    expect(hub.channelCount).toBe(0)
    expect(log.followers.has(STORY)).toBe(false) // no bus subscription left behind
  })

  it('opens one channel per story however many readers subscribe at once, and closes it when the last leaves', async () => {
    const log = new FakeLog()
    log.addStory(STORY)
    hub = new Hub(liveEnv(log))
    const readers = Array.from({ length: 20 }, () => new FakeReader())
    const joined = await Promise.all(readers.map((r) => (hub as Hub).subscribe(r, STORY, undefined)))
    expect(joined.every(Boolean)).toBe(true)
    expect(hub.channelCount).toBe(1)
    expect(log.lookups).toBe(1) // one story lookup, shared by all twenty
    log.append(STORY)
    await new Promise((r) => setImmediate(r))
    expect(readers.every((r) => r.seqs.join() === '1')).toBe(true)
    for (const r of readers.slice(1)) hub.dropReader(r)
    expect(hub.channelCount).toBe(1)
    hub.unsubscribe(readers[0] as FakeReader, STORY)
    expect((readers[0] as FakeReader).frames.at(-1)).toBe(`unsubscribed ${STORY}`)
    expect(hub.channelCount).toBe(0)
  })

  it('leaves no channel behind for a reader that closed while its story was being looked up', async () => {
    // Found by the websocket fuzzer (tests/fuzz/live.fuzz.ts): a subscribe followed at once by a
    // frame that closes the connection (over the size limit, not UTF-8).
    const log = new FakeLog()
    log.addStory(STORY)
    hub = new Hub(liveEnv(log))
    const reader = new FakeReader()
    const subscribing = hub.subscribe(reader, STORY, undefined)
    reader.closed = true // closed before the lookup answered
    hub.dropReader(reader)
    expect(await subscribing).toBe(false)
    expect(reader.subscriptions.size).toBe(0)
    expect(hub.channelCount).toBe(0)
    expect(log.followers.has(STORY)).toBe(false) // no bus subscription left behind
  })
})
