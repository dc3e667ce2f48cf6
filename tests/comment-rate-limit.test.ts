import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { clientKey } from '../src/comments/client-key.js'
import { type CommentRateLimiterOptions, createCommentRateLimiter } from '../src/comments/rate-limit.js'
import { createRedisRepeatStore, repeatKey } from '../src/comments/repeat-store.js'
import { CommentRules } from '../src/comments/rules.js'

const secret = 'test-secret-for-comment-limits-0123456789'
const clients: Redis[] = []
/** A connected client: the limiter counts in memory until its client is ready (see rate-limit.ts). */
async function redis(): Promise<Redis> {
  const client = new Redis(inject('redisUrl'), { maxRetriesPerRequest: 1 })
  clients.push(client)
  await client.ping()
  return client
}
afterAll(async () => {
  await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())))
})

/** A prefix of its own per test, so runs sharing the one Redis never count each other's comments. */
const uniquePrefix = () => `comment-rate-test:${inject('runId')}:${randomBytes(4).toString('hex')}:`

async function postMany(
  limiter: ReturnType<typeof createCommentRateLimiter>,
  address: string,
  storyId: string,
  n: number,
) {
  const decisions = []
  for (let i = 0; i < n; i++) decisions.push(await limiter.consume(address, storyId))
  return decisions
}

describe.each([
  ['in memory', async (): Promise<CommentRateLimiterOptions[]> => [{ secret }]],
  [
    'on Redis, counted across two instances',
    async (): Promise<CommentRateLimiterOptions[]> => {
      const keyPrefix = uniquePrefix()
      return [
        { secret, redis: await redis(), keyPrefix },
        { secret, redis: await redis(), keyPrefix },
      ]
    },
  ],
])('comment rate limits %s', (_name, make) => {
  async function limiters() {
    const options = await make()
    const made = options.map((o) => createCommentRateLimiter(o))
    // One instance in memory stands in for both: in memory there is nothing to share.
    return [made[0]!, made.at(-1)!] as const
  }

  it('lets an address post 5 comments per story per minute, then answers with the seconds to wait', async () => {
    const [a, b] = await limiters()
    const decisions = []
    for (let i = 0; i < 5; i++) decisions.push(await (i % 2 ? b : a).consume('203.0.113.7', 'story-1'))
    expect(decisions.every((d) => d.allowed)).toBe(true)
    const refused = await b.consume('203.0.113.7', 'story-1')
    expect(refused).toMatchObject({ allowed: false, limit: 'per_story' })
    if (refused.allowed) return
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1)
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60)
    expect(await a.consume('203.0.113.7', 'story-2')).toEqual({ allowed: true })
    expect(await a.consume('198.51.100.20', 'story-1')).toEqual({ allowed: true })
  })

  it('caps one address at 20 comments a minute over all stories', async () => {
    const [a, b] = await limiters()
    for (let story = 0; story < 4; story++) {
      const decisions = await postMany(story % 2 ? b : a, '203.0.113.8', `story-${story}`, 5)
      expect(decisions.every((d) => d.allowed)).toBe(true)
    }
    expect(await b.consume('203.0.113.8', 'story-9')).toMatchObject({ allowed: false, limit: 'per_address' })
  })

  it('counts the addresses of one IPv6 /64 as one client, and an IPv4-mapped address as its IPv4', async () => {
    const [a, b] = await limiters()
    for (let i = 0; i < 5; i++) {
      expect((await (i % 2 ? b : a).consume(`2001:db8:7:8::${i + 1}`, 'story-v6')).allowed).toBe(true)
    }
    expect((await a.consume('2001:db8:7:8:ffff:1:2:3', 'story-v6')).allowed).toBe(false)
    expect((await a.consume('2001:db8:7:9::1', 'story-v6')).allowed).toBe(true)
    await postMany(a, '192.0.2.44', 'story-v4', 5)
    expect((await b.consume('::ffff:192.0.2.44', 'story-v4')).allowed).toBe(false)
  })
})

describe('comment rate limits on Redis', () => {
  it('store only a keyed hash of the address, never the address itself', async () => {
    const client = await redis()
    const keyPrefix = uniquePrefix()
    const limiter = createCommentRateLimiter({ secret, redis: client, keyPrefix })
    await limiter.consume('203.0.113.99', 'story-keys')
    const keys = await client.keys(`${keyPrefix}*`)
    expect(keys.length).toBe(2)
    const hash = clientKey(secret, '203.0.113.99')
    for (const key of keys) {
      expect(key).not.toContain('203.0.113.99')
      expect(key).toContain(hash)
    }
    expect(clientKey('another-secret', '203.0.113.99')).not.toBe(hash)
  })

  it('count again once the window has passed', async () => {
    const limiter = createCommentRateLimiter({
      secret,
      redis: await redis(),
      keyPrefix: uniquePrefix(),
      limits: { perStory: 1, windowSeconds: 1 },
    })
    expect((await limiter.consume('203.0.113.5', 's')).allowed).toBe(true)
    const refused = await limiter.consume('203.0.113.5', 's')
    expect(refused).toEqual({ allowed: false, limit: 'per_story', retryAfterSeconds: 1 })
    await new Promise((r) => setTimeout(r, 1100))
    expect((await limiter.consume('203.0.113.5', 's')).allowed).toBe(true)
  })

  it('keep limiting in memory while Redis cannot be reached, instead of failing every comment', async () => {
    // Nothing listens on port 1: the client never becomes ready.
    const unreachable = new Redis({
      port: 1,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
    })
    unreachable.on('error', () => {})
    clients.push(unreachable)
    const limiter = createCommentRateLimiter({ secret, redis: unreachable, keyPrefix: uniquePrefix() })
    const decisions = await postMany(limiter, '203.0.113.6', 'story-down', 6)
    expect(decisions.slice(0, 5).every((d) => d.allowed)).toBe(true)
    expect(decisions[5]).toMatchObject({ allowed: false, limit: 'per_story' })
  })
})

describe('the repeat rule on Redis', () => {
  it('refuses the same text from the same client on the same story on any instance, once', async () => {
    const prefix = uniquePrefix()
    const one = createRedisRepeatStore(await redis(), { prefix })
    const two = createRedisRepeatStore(await redis(), { prefix })
    const key = repeatKey(secret, 'story-r', clientKey(secret, '203.0.113.70'), 'Great news, thanks!')
    // Both instances take the same comment at the same moment: exactly one sees it as new.
    const seen = await Promise.all([one.seen(key, 60_000), two.seen(key, 60_000)])
    expect(seen.sort()).toEqual([false, true])
    expect(await one.seen(key, 60_000)).toBe(true)
    const other = repeatKey(secret, 'story-r', clientKey(secret, '203.0.113.71'), 'Great news, thanks!')
    expect(await two.seen(other, 60_000)).toBe(false)
  })

  it('forgets a comment on every instance once it was not stored', async () => {
    const prefix = uniquePrefix()
    const one = createRedisRepeatStore(await redis(), { prefix })
    const two = createRedisRepeatStore(await redis(), { prefix })
    const key = repeatKey(secret, 'story-f', clientKey(secret, '203.0.113.72'), 'Refused, sent again')
    expect(await one.seen(key, 60_000)).toBe(false)
    await one.forget(key)
    expect(await two.seen(key, 60_000)).toBe(false)
    expect(await one.seen(key, 60_000)).toBe(true)
  })

  it('is what CommentRules consults, so a comment repeated on another instance is rejected', async () => {
    const prefix = uniquePrefix()
    const story = { id: 'story-rules', language: 'en', comments: 'open' as const }
    const options = { secret, languages: [] }
    const first = new CommentRules({
      ...options,
      repeatStore: createRedisRepeatStore(await redis(), { prefix }),
    })
    const second = new CommentRules({
      ...options,
      repeatStore: createRedisRepeatStore(await redis(), { prefix }),
    })
    const comment = { text: 'Thanks for the live coverage', client: clientKey(secret, '203.0.113.72') }
    const a = await first.evaluate(comment, story)
    expect(a.reasons).not.toContain('repeat')
    const b = await second.evaluate({ ...comment, text: 'thanks for the live coverage!' }, story)
    expect(b).toMatchObject({ status: 'rejected', reasons: ['repeat'] })
  })
})
