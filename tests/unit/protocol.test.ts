import { describe, expect, it } from 'vitest'
import { parseClientFrame } from '../../src/live/protocol.js'

describe('parseClientFrame', () => {
  it('accepts subscribe with and without since, and unsubscribe', () => {
    expect(parseClientFrame('{"type":"subscribe","story":"s1"}')).toEqual({ type: 'subscribe', story: 's1' })
    expect(parseClientFrame('{"type":"subscribe","story":"s1","since":7}')).toEqual({
      type: 'subscribe',
      story: 's1',
      since: 7,
    })
    expect(parseClientFrame('{"type":"unsubscribe","story":"s1"}')).toEqual({
      type: 'unsubscribe',
      story: 's1',
    })
  })

  it('explains what is wrong with a bad frame', () => {
    expect(parseClientFrame('{oops')).toEqual({ error: 'frame is not JSON' })
    expect(parseClientFrame('{"type":"subscribe","story":"s","since":1.5}')).toEqual({
      error: expect.stringContaining('since'),
    })
    expect(parseClientFrame('{"type":"subscribe","story":""}')).toEqual({
      error: expect.stringContaining('story'),
    })
    expect(parseClientFrame('[]')).toEqual({ error: expect.any(String) })
  })
})
