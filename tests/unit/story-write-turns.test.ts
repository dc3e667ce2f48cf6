import { describe, expect, it } from 'vitest'
import { AppError } from '../../src/errors.js'
import { StoryWriteTurns } from '../../src/events/story-write-turns.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('StoryWriteTurns', () => {
  it("runs one story's writes at most `atOnce` at a time, starting in the order they came, and other stories beside them", async () => {
    const turns = new StoryWriteTurns({ atOnce: 1 })
    const log: string[] = []
    let running = 0
    let most = 0
    const write = (ref: string, i: number) =>
      turns.run(ref, async () => {
        running++
        most = Math.max(most, running)
        log.push(`${ref}${i} start`)
        await sleep(5)
        log.push(`${ref}${i} end`)
        running--
        return i
      })
    const results = await Promise.all([write('a', 1), write('a', 2), write('b', 1), write('a', 3)])
    expect(results).toEqual([1, 2, 1, 3])
    const a = log.filter((line) => line.startsWith('a'))
    expect(a).toEqual(['a1 start', 'a1 end', 'a2 start', 'a2 end', 'a3 start', 'a3 end'])
    // b did not wait for a.
    expect(log.indexOf('b1 start')).toBeLessThan(log.indexOf('a1 end'))
    expect(most).toBe(2)
  })

  it('a failed write does not hold up the next, and the failure reaches only its own caller', async () => {
    const turns = new StoryWriteTurns({ atOnce: 1 })
    const first = turns.run('a', async () => {
      throw new Error('boom')
    })
    const second = turns.run('a', async () => 'ok')
    await expect(first).rejects.toThrow('boom')
    await expect(second).resolves.toBe('ok')
  })

  it('tells a write that waited past its bound to retry, and runs it not at all', async () => {
    const turns = new StoryWriteTurns({ atOnce: 1, waitMs: 20 })
    let release = () => {}
    const slow = turns.run('a', () => new Promise<void>((resolve) => (release = resolve)))
    let ran = false
    const late = turns.run('a', async () => {
      ran = true
    })
    const error = await late.catch((err: unknown) => err)
    expect(error).toBeInstanceOf(AppError)
    expect((error as AppError).code).toBe('unavailable')
    release()
    await slow
    await sleep(5)
    expect(ran).toBe(false)
    // The story's queue is free again.
    await expect(turns.run('a', async () => 'next')).resolves.toBe('next')
  })

  it('keeps `atOnce` running while any wait, and a newcomer never overtakes one already waiting', async () => {
    const turns = new StoryWriteTurns({ atOnce: 3 })
    let running = 0
    let most = 0
    const started: number[] = []
    const write = (i: number) =>
      turns.run('a', async () => {
        started.push(i)
        running++
        most = Math.max(most, running)
        await sleep(2 + (i % 3))
        running--
      })
    const first = Array.from({ length: 10 }, (_, i) => write(i))
    await sleep(3)
    const late = Array.from({ length: 5 }, (_, i) => write(10 + i))
    await Promise.all([...first, ...late])
    expect(most).toBe(3)
    expect(started).toEqual(Array.from({ length: 15 }, (_, i) => i))
  })

  it('bounds writes by slug and by id together once a write has found the story', async () => {
    const turns = new StoryWriteTurns({ atOnce: 2, slugsKept: 2 })
    let running = 0
    let most = 0
    // What recordChange does: the write locks the story, whichever way it was named.
    const write = (ref: string) =>
      turns.run(ref, async (lockedStory) => {
        lockedStory(ref === 'rafah-talks' ? 'story-1' : ref)
        running++
        most = Math.max(most, running)
        await sleep(3)
        running--
      })
    await write('rafah-talks')
    await Promise.all(['rafah-talks', 'story-1', 'rafah-talks', 'story-1', 'rafah-talks'].map(write))
    expect(most).toBe(2)
    // Only so many slugs are remembered: an old one is a queue of its own again, still bounded.
    for (const other of ['gaza-aid', 'kyiv-talks', 'sudan-truce']) {
      await turns.run(other, async (lockedStory) => lockedStory(`id-of-${other}`))
    }
    most = 0
    await Promise.all(['rafah-talks', 'story-1', 'rafah-talks', 'story-1'].map(write))
    expect(most).toBe(3)
  })
})
