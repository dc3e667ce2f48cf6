import { describe, expect, it } from 'vitest'
import { StoryVersions } from '../../src/public-reads/story-versions.js'
import { TrustedRead } from '../../src/public-reads/trusted-read.js'
import type { StoryStatus } from '../../src/store/schema.js'

const TRUST_MS = 2000

/** A clock the test moves, and a database read it answers by hand (so "in flight" is visible). */
function setup() {
  let now = 0
  const clock = () => new Date(now)
  const reads: Array<(seq: number) => void> = []
  const versions = new StoryVersions({
    read: () =>
      new Promise((resolve) => {
        reads.push((seq) =>
          resolve({ id: 'story-1', slug: 'rafah-talks', seq, status: 'live' as StoryStatus }),
        )
      }),
    trustMs: TRUST_MS,
    maxStories: 10,
    clock,
  })
  return { versions, reads, at: (ms: number) => (now = ms) }
}

describe('StoryVersions: a story in use is confirmed before its trust runs out', () => {
  it('re-reads in the background past half the bound, keeps answering meanwhile, and trusts the confirmation', async () => {
    const { versions, reads, at } = setup()
    const first = versions.current('rafah-talks')
    reads[0]?.(7)
    expect((await first)?.seq).toBe(7)
    at(900)
    expect(versions.isCurrent('story-1', 7)).toBe(true)
    expect(reads).toHaveLength(1)
    at(1100)
    // Still current while the confirming read is under way, and only one read however often asked.
    expect(versions.isCurrent('story-1', 7)).toBe(true)
    expect(versions.isCurrent('story-1', 7)).toBe(true)
    expect(reads).toHaveLength(2)
    reads[1]?.(7)
    await Promise.resolve()
    await Promise.resolve()
    // Past the first bound: trusted from the confirmation at 1,100 ms, with no request waiting.
    at(2500)
    expect(versions.isCurrent('story-1', 7)).toBe(true)
    expect((await versions.current('rafah-talks'))?.seq).toBe(7)
  })

  /** Story 1 confirmed at seq 7 at 0 ms, then used at 1,500 ms: its background read is under way. */
  async function inUseAt1500() {
    const { versions, reads, at } = setup()
    const first = versions.current('story-1')
    reads[0]?.(7)
    await first
    at(1500)
    expect(versions.isCurrent('story-1', 7)).toBe(true)
    expect(reads).toHaveLength(2)
    return { versions, reads, at }
  }

  it('finds a change whose hint was lost when the background read brings a newer seq', async () => {
    const { versions, reads } = await inUseAt1500()
    reads[1]?.(8)
    await Promise.resolve()
    await Promise.resolve()
    expect(versions.isCurrent('story-1', 7)).toBe(false)
    expect(versions.isCurrent('story-1', 8)).toBe(true)
  })

  it('stops trusting at the bound when no confirmation came back', async () => {
    const { versions, at } = await inUseAt1500()
    at(TRUST_MS)
    expect(versions.isCurrent('story-1', 7)).toBe(false)
  })
})

describe('TrustedRead: a value in use is read again before its trust runs out', () => {
  it('keeps the value while the background read runs, then uses what it read', async () => {
    let now = 0
    let reads = 0
    let answer: (value: string) => void = () => {}
    const trusted = new TrustedRead<string>({
      read: () => {
        reads++
        return new Promise((resolve) => (answer = resolve))
      },
      trustMs: TRUST_MS,
      clock: () => new Date(now),
    })
    const first = trusted.current()
    answer('stories at 09:00')
    expect(await first).toBe('stories at 09:00')
    now = 1200
    expect(trusted.peek()).toBe('stories at 09:00')
    expect(trusted.peek()).toBe('stories at 09:00')
    expect(reads).toBe(2)
    answer('stories at 09:01')
    await Promise.resolve()
    now = 2600
    expect(trusted.peek()).toBe('stories at 09:01')
    now = 1200 + TRUST_MS
    expect(trusted.peek()).toBeUndefined()
  })
})
