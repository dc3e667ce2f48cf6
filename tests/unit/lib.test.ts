import { Counter, Histogram, Registry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { decodeCursor, encodeCursor } from '../../src/lib/cursor.js'
import { newId } from '../../src/lib/ids.js'
import { handlePerTurn } from '../../src/lib/per-turn.js'
import { dropLeastRecent, setMostRecent } from '../../src/lib/recency.js'
import { SeriesCounter, SeriesHistogram } from '../../src/lib/series-metrics.js'
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

  it('with dropLeastRecent, keeps a bounded map to its most recently used entries', () => {
    const map = new Map<string, number>()
    const dropped: string[] = []
    for (const [i, key] of ['a', 'b', 'c', 'a', 'd', 'e'].entries()) {
      setMostRecent(map, key, i)
      dropLeastRecent(map, 3, (k) => dropped.push(k))
    }
    expect([...map.keys()]).toEqual(['a', 'd', 'e'])
    expect(dropped).toEqual(['b', 'c'])
    dropLeastRecent(map, 3)
    expect(map.size).toBe(3)
  })
})

describe('SeriesHistogram', () => {
  const options = {
    help: 'Request duration',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.1, 1],
  }
  const observations: Array<[Record<'method' | 'route' | 'status', string>, number]> = [
    [{ method: 'GET', route: '/v1/stories/:story', status: '200' }, 0.00003],
    [{ method: 'GET', route: '/v1/stories/:story', status: '200' }, 0.007],
    [{ method: 'GET', route: '/v1/stories/:story', status: '304' }, 0.005],
    [{ method: 'POST', route: '/v1/stories/:story/updates', status: '201' }, 2.5],
    [{ method: 'GET', route: 'a "quoted" \\ route', status: '404' }, 0.2],
  ]

  it('exposes what prom-client’s own Histogram exposes for the same observations', async () => {
    const ours = new Registry()
    const theirs = new Registry()
    const fast = new SeriesHistogram({ ...options, name: 'requests_seconds', registers: [ours] })
    const reference = new Histogram({ ...options, name: 'requests_seconds', registers: [theirs] })
    const kept = fast.series({ method: 'GET', route: '/v1/stories/:story', status: '200' })
    for (const [labels, value] of observations) {
      if (labels.status === '200') kept.observe(value)
      else fast.series(labels).observe(value)
      reference.observe(labels, value)
    }
    const text = await ours.metrics()
    expect(text).toBe(await theirs.metrics())
    expect(text).toContain(
      'requests_seconds_bucket{le="0.01",method="GET",route="/v1/stories/:story",status="200"} 2',
    )
    expect(text).toContain(
      'requests_seconds_bucket{le="+Inf",method="POST",route="/v1/stories/:story/updates",status="201"} 1',
    )
    expect(text).toContain('requests_seconds_count{method="GET",route="/v1/stories/:story",status="200"} 2')
  })

  it('counts like prom-client’s own Counter, and only upwards', async () => {
    const ours = new Registry()
    const theirs = new Registry()
    const counterOptions = { name: 'answers_total', help: 'Answers', labelNames: ['status'] as const }
    const fast = new SeriesCounter({ ...counterOptions, registers: [ours] })
    const reference = new Counter({ ...counterOptions, registers: [theirs] })
    const ok = fast.series({ status: '200' })
    for (let i = 0; i < 3; i++) ok.inc()
    fast.series({ status: '304' }).inc(2)
    ok.inc(-5)
    reference.inc({ status: '200' }, 3)
    reference.inc({ status: '304' }, 2)
    expect(await ours.metrics()).toBe(await theirs.metrics())
    expect(await ours.metrics()).toContain('answers_total{status="200"} 3')
  })

  it('ignores a value that is not a number and starts over on reset', async () => {
    const registry = new Registry()
    const fast = new SeriesHistogram({ ...options, name: 'requests_seconds', registers: [registry] })
    const series = fast.series({ method: 'GET', route: '/', status: '200' })
    series.observe(Number.NaN)
    series.observe(0.02)
    expect(await registry.metrics()).toContain(
      'requests_seconds_count{method="GET",route="/",status="200"} 1',
    )
    registry.resetMetrics()
    expect(await registry.metrics()).not.toContain('requests_seconds_count')
  })
})
