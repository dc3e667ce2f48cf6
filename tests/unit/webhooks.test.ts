import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'
import { nextStep } from '../../src/webhooks/queue.js'
import { generateSecret, signPayload } from '../../src/webhooks/signature.js'
import { addressRefusal, checkTarget } from '../../src/webhooks/target.js'

describe('webhook building blocks', () => {
  it('signs exactly like the Standard Webhooks reference example', () => {
    // The example from the Standard Webhooks spec and its reference libraries.
    expect(
      signPayload(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=')
    expect(generateSecret()).not.toBe(generateSecret())
  })

  it('retries for at least 24 hours by default, with jitter that only lengthens a wait', () => {
    const { retryScheduleMs } = loadConfig({}, '/').webhooks
    expect(retryScheduleMs.reduce((a, b) => a + b, 0)).toBeGreaterThan(24 * 3600_000)
    const now = new Date(0)
    for (let attempt = 1; attempt <= retryScheduleMs.length; attempt++) {
      const step = nextStep(retryScheduleMs, attempt, now)
      if (!('retryAt' in step)) throw new Error(`gave up after ${attempt}`)
      const wait = step.retryAt.getTime()
      expect(wait).toBeGreaterThanOrEqual(retryScheduleMs[attempt - 1]!)
      expect(wait).toBeLessThanOrEqual(retryScheduleMs[attempt - 1]! * 1.25)
    }
    expect(nextStep(retryScheduleMs, retryScheduleMs.length + 1, now)).toEqual({ giveUp: true })
  })

  it('reads the webhook settings from the environment and names a bad one', () => {
    const { webhooks } = loadConfig(
      {
        LIVELINE_WEBHOOK_RETRY_SCHEDULE: '100, 200,300',
        LIVELINE_WEBHOOK_TIMEOUT_MS: '40000',
        LIVELINE_WEBHOOK_CONCURRENCY: '4',
        LIVELINE_WEBHOOK_WORKER: '0',
        LIVELINE_WEBHOOK_ALLOW_LOOPBACK: '1',
      },
      '/',
    )
    expect(webhooks).toMatchObject({
      retryScheduleMs: [100, 200, 300],
      timeoutMs: 40_000,
      leaseMs: 80_000,
      concurrency: 4,
      workerEnabled: false,
      allowLoopback: true,
    })
    expect(() => loadConfig({ LIVELINE_WEBHOOK_RETRY_SCHEDULE: '5s,30s' }, '/')).toThrow(
      /LIVELINE_WEBHOOK_RETRY_SCHEDULE/,
    )
    // Retention: 7 days unless told, in whole hours.
    expect(loadConfig({}, '/').webhooks.retentionMs).toBe(7 * 24 * 3600_000)
    expect(loadConfig({ LIVELINE_WEBHOOK_RETENTION_HOURS: '24' }, '/').webhooks.retentionMs).toBe(
      24 * 3600_000,
    )
    for (const bad of ['0', '1.5', 'week'])
      expect(() => loadConfig({ LIVELINE_WEBHOOK_RETENTION_HOURS: bad }, '/')).toThrow(
        /LIVELINE_WEBHOOK_RETENTION_HOURS/,
      )
  })

  it('tells public addresses from refused ones', () => {
    const strict = { allowLoopback: false }
    for (const ok of [
      '93.184.216.34',
      '8.8.8.8',
      '2606:4700::1111',
      '172.32.0.1',
      '100.128.0.1',
      '::ffff:8.8.8.8',
    ])
      expect(addressRefusal(ok, strict), ok).toBeNull()
    for (const [address, kind] of [
      ['127.0.0.1', 'loopback'],
      ['127.9.9.9', 'loopback'],
      ['::1', 'loopback'],
      ['169.254.169.254', 'link-local'],
      ['fe80::1', 'link-local'],
      ['10.0.0.1', 'private'],
      ['172.31.255.255', 'private'],
      ['192.168.1.1', 'private'],
      ['100.64.0.1', 'private'],
      ['0.0.0.0', 'private'],
      ['224.0.0.1', 'private'],
      ['255.255.255.255', 'private'],
      ['fd12:3456::1', 'private'],
      ['::', 'private'],
      ['::ffff:10.0.0.1', 'private'],
      ['::ffff:127.0.0.1', 'loopback'],
    ] as const)
      expect(addressRefusal(address, strict), address).toContain(kind)
    expect(addressRefusal('127.0.0.1', { allowLoopback: true })).toBeNull()
    expect(addressRefusal('::1', { allowLoopback: true })).toBeNull()
    expect(addressRefusal('10.0.0.1', { allowLoopback: true })).toContain('private')
  })

  it('refuses a host that does not resolve', async () => {
    await expect(checkTarget('https://no-such-host.invalid/hook', { allowLoopback: false })).rejects.toThrow(
      /no-such-host\.invalid does not resolve/,
    )
  })
})
