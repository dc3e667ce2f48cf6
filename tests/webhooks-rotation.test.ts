import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import { keyFor, makeStory, textUpdate } from './helpers/api.js'
import { type Received, useWebhookTestBed } from './helpers/webhook-receiver.js'

/** The overlap asked for in this test. */
const OVERLAP_SECONDS = 60
/**
 * The server's clock is moved this far ahead to get past the overlap: less than the 5 minutes
 * of timestamp tolerance the standardwebhooks package allows, so only the signature decides.
 */
const PAST_OVERLAP_MS = 2 * OVERLAP_SECONDS * 1000

let clockOffsetMs = 0
const clock = () => new Date(Date.now() + clockOffsetMs)

/** What a partner running the official Standard Webhooks library would accept. */
function verifies(secret: string, req: Received): boolean {
  try {
    new Webhook(secret).verify(req.body, {
      'webhook-id': req.id,
      'webhook-timestamp': req.timestamp,
      'webhook-signature': req.signature,
    })
    return true
  } catch {
    return false
  }
}

describe('webhook secret rotation with an overlap', () => {
  const { start, receiver } = useWebhookTestBed()

  it('signs with both secrets until the old one expires, then only with the new one', async () => {
    const server = await start({ overrides: { clock } })
    const editor = await keyFor(server.admin, 'editor')
    const partner = await keyFor(server.admin, 'partner')
    const r = await receiver()
    const story = await makeStory(editor)
    const created = await partner.post('/v1/webhooks', { url: r.url, stories: [story.id] })
    const oldSecret = created.body.secret as string
    const hook = created.body.id as string
    const postAndReceive = async (n: number) => {
      expect((await editor.post(`/v1/stories/${story.id}/updates`, textUpdate(`u${n}`))).status).toBe(201)
      await r.waitFor((x) => x.accepted().length === n)
      return r.accepted()[n - 1]!
    }

    const before = await postAndReceive(1)
    expect(verifies(oldSecret, before)).toBe(true)

    const rotated = await partner.post(`/v1/webhooks/${hook}/secret`, { overlapSeconds: OVERLAP_SECONDS })
    expect(rotated.status).toBe(200)
    const newSecret = rotated.body.secret as string
    expect(newSecret).toMatch(/^whsec_/)
    expect(newSecret).not.toBe(oldSecret)
    const expiresAt = Date.parse(rotated.body.previousSecretExpiresAt)
    expect(expiresAt - Date.now()).toBeGreaterThan((OVERLAP_SECONDS - 10) * 1000)
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(OVERLAP_SECONDS * 1000)
    // Shown once: reading the webhook never reveals a secret.
    const read = await partner.get(`/v1/webhooks/${hook}`)
    expect(JSON.stringify(read.body)).not.toContain('whsec_')

    const during = await postAndReceive(2)
    expect(during.signature.split(' ')).toHaveLength(2)
    expect(verifies(oldSecret, during)).toBe(true)
    expect(verifies(newSecret, during)).toBe(true)

    clockOffsetMs = PAST_OVERLAP_MS
    const after = await postAndReceive(3)
    expect(after.signature.split(' ')).toHaveLength(1)
    expect(verifies(newSecret, after)).toBe(true)
    expect(verifies(oldSecret, after)).toBe(false)
    clockOffsetMs = 0
  })

  it('refuses an overlap over 7 days or another partner, and changes nothing', async () => {
    const server = await start()
    const partner = await keyFor(server.admin, 'partner')
    const other = await keyFor(server.admin, 'partner')
    const r = await receiver()
    const editor = await keyFor(server.admin, 'editor')
    const story = await makeStory(editor)
    const created = await partner.post('/v1/webhooks', { url: r.url, stories: [story.id] })
    const hook = created.body.id as string

    for (const overlapSeconds of [7 * 24 * 3600 + 1, -1, 1.5, '60']) {
      const bad = await partner.post(`/v1/webhooks/${hook}/secret`, { overlapSeconds })
      expect(bad.status).toBe(400)
      expect(bad.body.error.code).toBe('invalid_request')
      expect(Object.keys(bad.body.error.details)).toEqual(['overlapSeconds'])
    }
    expect((await other.post(`/v1/webhooks/${hook}/secret`, {})).status).toBe(404)

    // Still signed by the first secret alone.
    expect((await editor.post(`/v1/stories/${story.id}/updates`, textUpdate('still'))).status).toBe(201)
    await r.waitFor((x) => x.accepted().length === 1)
    const delivery = r.accepted()[0]!
    expect(delivery.signature.split(' ')).toHaveLength(1)
    expect(verifies(created.body.secret, delivery)).toBe(true)

    // The default overlap is a day.
    const rotated = await partner.post(`/v1/webhooks/${hook}/secret`, {})
    expect(rotated.status).toBe(200)
    expect(Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()).toBeGreaterThan(23 * 3600_000)
  })
})
