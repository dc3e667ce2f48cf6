import { describe, expect, it } from 'vitest'
import { FeedCache } from '../../src/feeds/cache.js'
import { isNotModified, lastModifiedFor } from '../../src/feeds/conditional.js'
import { uuidUrn } from '../../src/feeds/model.js'
import { escapeXml } from '../../src/feeds/xml.js'
import { etagMatches } from '../../src/lib/etag.js'
import { updateTitle as entryTitle } from '../../src/updates/title.js'
import { parseXml } from '../helpers/parse-xml.js'

const at = (iso: string) => new Date(iso)

describe('lastModifiedFor', () => {
  it('reports the change\u2019s whole second once that second is over', () => {
    expect(lastModifiedFor(at('2026-11-24T13:26:34.369Z'), at('2026-11-24T13:26:35.000Z'))).toEqual({
      date: at('2026-11-24T13:26:34.000Z'),
      settled: true,
    })
  })

  it('reports a second early, unsettled, while the change\u2019s second still runs', () => {
    expect(lastModifiedFor(at('2026-11-24T13:26:34.369Z'), at('2026-11-24T13:26:34.900Z'))).toEqual({
      date: at('2026-11-24T13:26:33.000Z'),
      settled: false,
    })
  })

  it('is never in the future when the change was stamped by a clock that runs ahead', () => {
    const lm = lastModifiedFor(at('2026-11-24T13:30:00.000Z'), at('2026-11-24T13:26:34.500Z'))
    expect(lm.date.getTime()).toBeLessThan(at('2026-11-24T13:26:34.500Z').getTime())
    expect(lm.settled).toBe(false)
  })
})

describe('isNotModified', () => {
  const now = at('2026-11-24T14:00:00.000Z')
  const settled = { date: at('2026-11-24T13:26:34.000Z'), settled: true }
  const etag = '"abc-3-atom-50-x"'

  it('matches If-None-Match lists, weak forms and *', () => {
    expect(etagMatches(`"zzz", W/${etag}`, etag)).toBe(true)
    expect(etagMatches(' * ', etag)).toBe(true)
    expect(etagMatches('"abc-3-atom-50-y"', etag)).toBe(false)
  })

  it('prefers If-None-Match over If-Modified-Since', () => {
    const ims = 'Tue, 24 Nov 2026 13:26:34 GMT'
    expect(isNotModified({ ifNoneMatch: '"other"', ifModifiedSince: ims }, etag, settled, now)).toBe(false)
    expect(isNotModified({ ifModifiedSince: ims }, etag, settled, now)).toBe(true)
  })

  it('answers If-Modified-Since only for a valid, past date at or after Last-Modified, once settled', () => {
    const check = (ims: string, lm = settled) => isNotModified({ ifModifiedSince: ims }, etag, lm, now)
    expect(check('Tue, 24 Nov 2026 13:26:33 GMT')).toBe(false)
    expect(check('Tue, 24 Nov 2026 13:30:00 GMT')).toBe(true)
    expect(check('Tue, 24 Nov 2026 15:00:00 GMT')).toBe(false)
    expect(check('not a date')).toBe(false)
    expect(check('Tue, 24 Nov 2026 13:30:00 GMT', { ...settled, settled: false })).toBe(false)
    expect(isNotModified({}, etag, settled, now)).toBe(false)
  })
})

describe('escapeXml', () => {
  it('escapes the five markup characters', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;')
  })

  it('drops characters XML 1.0 forbids (controls, lone surrogates, U+FFFE) and keeps the rest', () => {
    const text = `a\u0000b\u0008c\u000bd\ud800e\uffff\ufffef\tg\nh\u00e9\u{1f600}`
    const escaped = escapeXml(text)
    expect(escaped).toBe('abcdef\tg\nh\u00e9\u{1f600}')
    expect(parseXml(`<t>${escaped}</t>`).t).toBe(escaped)
  })
})

describe('FeedCache', () => {
  it('hits only at the version it was rendered at, and a new version replaces the old', () => {
    const cache = new FeedCache()
    cache.set('s1|atom', '3', 'three')
    expect(cache.get('s1|atom', '3')).toBe('three')
    expect(cache.get('s1|atom', '4')).toBeUndefined()
    cache.set('s1|atom', '4', 'four')
    expect(cache.size).toBe(1)
    expect(cache.bytes).toBe('four'.length * 2)
  })

  it('evicts the least recently used beyond its entry bound', () => {
    const cache = new FeedCache({ maxEntries: 2 })
    cache.set('a', '1', 'A')
    cache.set('b', '1', 'B')
    cache.get('a', '1')
    cache.set('c', '1', 'C')
    expect(cache.get('b', '1')).toBeUndefined()
    expect(cache.get('a', '1')).toBe('A')
    expect(cache.get('c', '1')).toBe('C')
  })

  it('stays within its byte bound and refuses a document larger than the whole cache', () => {
    const cache = new FeedCache({ maxBytes: 100 })
    cache.set('a', '1', 'x'.repeat(30))
    cache.set('b', '1', 'y'.repeat(30))
    expect(cache.size).toBe(1)
    expect(cache.get('b', '1')).toBe('y'.repeat(30))
    cache.set('huge', '1', 'z'.repeat(51))
    expect(cache.get('huge', '1')).toBeUndefined()
    expect(cache.bytes).toBeLessThanOrEqual(100)
  })
})

describe('entry titles and ids', () => {
  it('uses the headline, else the start of the first block, cut at a word', () => {
    expect(entryTitle('Headline', [{ type: 'text', text: 'Body' }])).toBe('Headline')
    expect(entryTitle(null, [{ type: 'text', text: 'Short\n\nbody' }])).toBe('Short body')
    const long = entryTitle(null, [{ type: 'quote', text: 'word '.repeat(40) }])
    expect(long.length).toBeLessThanOrEqual(101)
    expect(long).toMatch(/word\u2026$/)
    expect(entryTitle(null, [{ type: 'image', url: 'https://i.ex/a.jpg', caption: 'Crowds' }])).toBe('Crowds')
    expect(entryTitle(null, [{ type: 'embed', url: 'https://v.ex/1' }])).toBe('https://v.ex/1')
  })

  it('derives the same version-5 UUID URN from the same name, and different ones from others', () => {
    const a = uuidUrn('update:01jd3k9x2a7f4q8r1m2n3p4s5t')
    expect(a).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(uuidUrn('update:01jd3k9x2a7f4q8r1m2n3p4s5t')).toBe(a)
    expect(uuidUrn('update:01jd3k9x2a7f4q8r1m2n3p4s5v')).not.toBe(a)
  })
})
