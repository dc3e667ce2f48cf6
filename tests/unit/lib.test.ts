import { describe, expect, it } from 'vitest'
import { decodeCursor, encodeCursor } from '../../src/lib/cursor.js'
import { newId } from '../../src/lib/ids.js'
import { handlePerTurn } from '../../src/lib/per-turn.js'
import { setMostRecent } from '../../src/lib/recency.js'
import { slugify } from '../../src/lib/slug.js'
import { requestHash } from '../../src/updates/idempotency.js'

describe('slugify', () => {
  it('folds accents and collapses punctuation to single dashes', () => {
    expect(slugify('  São Paulo: “Élections” — 2026!  ')).toBe('sao-paulo-elections-2026')
  })
  it('caps the length without a trailing dash and never returns an empty slug', () => {
    const slug = slugify(`${'word '.repeat(40)}`)
    expect(slug.length).toBeLessThanOrEqual(80)
    expect(slug.endsWith('-')).toBe(false)
    expect(slugify('!!!')).toBe('story')
  })
})

describe('cursors', () => {
  it('round-trips a position and refuses anything else', () => {
    const pos = { at: new Date('2026-11-24T13:26:34.369Z'), id: '01abc' }
    expect(decodeCursor(encodeCursor(pos))).toEqual(pos)
    expect(decodeCursor('garbage')).toBeNull()
    expect(decodeCursor(Buffer.from('not-a-date|x').toString('base64url'))).toBeNull()
  })
})

describe('ids', () => {
  it('are unique and sort by creation time', () => {
    const a = newId(1_700_000_000_000)
    const b = newId(1_700_000_000_001)
    expect(a < b).toBe(true)
    expect(new Set(Array.from({ length: 1000 }, () => newId())).size).toBe(1000)
    expect(a).toMatch(/^[0-9a-z]{26}$/)
  })
})

describe('requestHash', () => {
  it('ignores key order but not values', () => {
    expect(requestHash({ a: 1, b: [{ x: 1, y: 2 }] })).toBe(requestHash({ b: [{ y: 2, x: 1 }], a: 1 }))
    expect(requestHash({ a: 1 })).not.toBe(requestHash({ a: 2 }))
  })
})

describe('handlePerTurn', () => {
  it('handles pushed items in order, at most N per turn of the event loop, and new ones after a lull', async () => {
    let turn = 0
    const seen: Array<[number, number]> = []
    const handle = handlePerTurn(3, (item: number) => seen.push([item, turn]))
    const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))
    for (let i = 0; i < 8; i++) handle(i)
    for (let t = 0; t < 5; t++) {
      turn++
      await nextTurn()
    }
    handle(8)
    turn++
    await nextTurn()
    expect(seen.map(([item]) => item)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8])
    const perTurn = new Map<number, number>()
    for (const [, t] of seen) perTurn.set(t, (perTurn.get(t) ?? 0) + 1)
    expect(Math.max(...perTurn.values())).toBe(3)
    expect(perTurn.size).toBeGreaterThanOrEqual(4) // 8 items in 3 turns, then the late one alone
  })
})

describe('setMostRecent', () => {
  it('moves an entry to the back, so the first one is the least recently used', () => {
    const map = new Map([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ])
    setMostRecent(map, 'a', 10)
    expect([...map]).toEqual([
      ['b', 2],
      ['c', 3],
      ['a', 10],
    ])
    setMostRecent(map, 'd', 4)
    expect(map.keys().next().value).toBe('b')
    expect(map.size).toBe(4)
  })
})
