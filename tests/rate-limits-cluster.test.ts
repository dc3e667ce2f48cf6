import { randomBytes } from 'node:crypto'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Api, keyFor, makeStory } from './helpers/api.js'
import { LocalRedisCluster } from './helpers/redis-cluster.js'
import { startServer, type TestServer } from './helpers/server.js'

/**
 * On a Redis Cluster (LIVELINE_REDIS_CLUSTER=1) the comment limits, the `repeat` rule and the
 * upload limit are counted in the cluster, shared by every instance, as on one Redis.
 */
describe('rate limits of two instances on a Redis Cluster', () => {
  let cluster: LocalRedisCluster
  let a: TestServer
  let b: TestServer
  let editor: Api

  beforeAll(async () => {
    cluster = await LocalRedisCluster.start({ replicasPerMaster: 0 })
    const options = {
      redisCluster: true,
      busPrefix: `liveline-test:limits:${randomBytes(6).toString('hex')}:`,
      comments: { perStory: 3, perAddress: 100, clientIpHeader: 'Fly-Client-IP' },
      limits: { uploadsPerKeyPerMinute: 2 },
    }
    // Each instance knows the cluster through a different seed node.
    a = await startServer({ ...options, redis: cluster.urls[0] })
    b = await startServer({ ...options, redis: cluster.urls[1] })
    editor = await keyFor(a.admin, 'editor')
  })
  afterAll(async () => {
    await a?.stop()
    await b?.stop()
    await cluster?.stop()
  })

  async function storyTakingComments() {
    const story = await makeStory(editor)
    expect((await editor.patch(`/v1/stories/${story.id}`, { comments: 'moderated' })).status).toBe(200)
    return story
  }

  const comment = (server: TestServer, storyId: string, address: string, text: string) =>
    server
      .api()
      .post(`/v1/stories/${storyId}/comments`, { name: 'Reader', text }, { 'Fly-Client-IP': address })

  it('count one address’s comments on a story across both instances, per address and story', async () => {
    const story = await storyTakingComments()
    const statuses = []
    for (const [i, text] of ['One comment.', 'Another comment.', 'A third one.', 'And a fourth.'].entries()) {
      const res = await comment(i % 2 ? b : a, story.id, '203.0.113.30', text)
      statuses.push(res.status)
      if (res.status === 429) {
        expect(res.body.error.code).toBe('rate_limited')
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0)
      }
    }
    expect(statuses).toEqual([201, 201, 201, 429])
    expect((await comment(a, story.id, '203.0.113.30', 'Refused here too.')).status).toBe(429)
    // Other addresses and other stories are counted apart (their keys sit on other shards).
    expect((await comment(b, story.id, '203.0.113.31', 'Someone else.')).status).toBe(201)
    const other = await storyTakingComments()
    expect((await comment(b, other.id, '203.0.113.30', 'Another story.')).status).toBe(201)
  })

  it('reject the same comment sent again through the other instance (the repeat rule)', async () => {
    const story = await storyTakingComments()
    const first = await comment(a, story.id, '203.0.113.40', 'Thanks for the live coverage')
    expect(first.status).toBe(201)
    expect(first.body.reasons).not.toContain('repeat')
    const again = await comment(b, story.id, '203.0.113.40', 'thanks for the live coverage!')
    expect(again.status).toBe(201)
    expect(again.body).toMatchObject({ status: 'rejected', reasons: ['repeat'] })
  })

  it('count a key’s uploads across both instances', async () => {
    const uploader = await keyFor(a.admin, 'editor')
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#808080' } })
      .png()
      .toBuffer()
    const upload = (server: TestServer) =>
      fetch(`${server.url}/v1/media`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${uploader.key}`, 'Content-Type': 'image/png' },
        body: new Blob([new Uint8Array(png)]),
      })
    expect((await upload(a)).status).toBe(201)
    expect((await upload(b)).status).toBe(201)
    const refused = await upload(a)
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect((await upload(b)).status).toBe(429)
  })
})
