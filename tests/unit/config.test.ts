import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config.js'

describe('loadConfig', () => {
  it('uses the contract defaults', () => {
    const config = loadConfig({}, '/srv/liveline')
    expect(config).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: undefined,
      dataDir: '/srv/liveline/data',
      redisUrl: undefined,
      migrate: true,
      adminKeyGenerated: true,
      sqlDir: '/srv/liveline/sql',
    })
    expect(config.limits.replayLimit).toBe(1000)
    expect(config.limits.maxFrameBytes).toBe(16 * 1024)
    expect(config.limits.listenBacklog).toBe(65_535)
    expect(config.adminKey).toMatch(/^ll_[A-Za-z0-9_-]{43}$/)
  })

  it('reads every variable it documents', () => {
    const config = loadConfig(
      {
        PORT: '9000',
        HOST: '127.0.0.1',
        DATABASE_URL: 'postgres://u@db:5432/live',
        REDIS_URL: 'redis://cache:6379',
        LIVELINE_DATA_DIR: '/var/lib/liveline',
        LIVELINE_ADMIN_KEY: 'k'.repeat(40),
        LIVELINE_REPLAY_LIMIT: '50',
        LIVELINE_MIGRATE: '0',
        LIVELINE_PUBLIC_URL: 'https://live.example.com/',
        LIVELINE_LISTEN_BACKLOG: '1024',
      },
      '/',
    )
    expect(config.limits.listenBacklog).toBe(1024)
    expect(config).toMatchObject({
      publicUrl: 'https://live.example.com',
      port: 9000,
      host: '127.0.0.1',
      databaseUrl: 'postgres://u@db:5432/live',
      redisUrl: 'redis://cache:6379',
      dataDir: '/var/lib/liveline',
      adminKey: 'k'.repeat(40),
      adminKeyGenerated: false,
      migrate: false,
    })
    expect(config.limits.replayLimit).toBe(50)
  })

  it('names every bad variable', () => {
    expect(() => loadConfig({ PORT: 'eighty', LIVELINE_REPLAY_LIMIT: '0', REDIS_URL: 'nope' }, '/')).toThrow(
      /PORT[\s\S]*REDIS_URL[\s\S]*LIVELINE_REPLAY_LIMIT|PORT[\s\S]*LIVELINE_REPLAY_LIMIT[\s\S]*REDIS_URL/,
    )
  })

  it('refuses to generate an admin key in production, except for one-off commands', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' }, '/')).toThrow(/LIVELINE_ADMIN_KEY/)
    expect(loadConfig({ NODE_ENV: 'production' }, '/', { serving: false }).migrate).toBe(true)
  })

  it('refuses a public URL that is not an http(s) origin', () => {
    expect(() => loadConfig({ LIVELINE_PUBLIC_URL: 'https://live.example.com/blog' }, '/')).toThrow(
      /LIVELINE_PUBLIC_URL: must be an http\(s\) origin/,
    )
    expect(() => loadConfig({ LIVELINE_PUBLIC_URL: 'ftp://live.example.com' }, '/')).toThrow(
      /LIVELINE_PUBLIC_URL/,
    )
  })
})

describe('media settings', () => {
  it('default to 20 MB uploads, 50 megapixels and 30 uploads per key per minute, and read their variables', () => {
    expect(loadConfig({}, '/').limits).toMatchObject({
      maxUploadBytes: 20 * 1024 * 1024,
      maxImagePixels: 50_000_000,
      uploadsPerKeyPerMinute: 30,
    })
    const config = loadConfig(
      {
        LIVELINE_MAX_UPLOAD_BYTES: '5000000',
        LIVELINE_MAX_IMAGE_PIXELS: '1000000',
        LIVELINE_UPLOADS_PER_MINUTE: '5',
      },
      '/',
    )
    expect(config.limits).toMatchObject({
      maxUploadBytes: 5_000_000,
      maxImagePixels: 1_000_000,
      uploadsPerKeyPerMinute: 5,
    })
    expect(() => loadConfig({ LIVELINE_UPLOADS_PER_MINUTE: '0' }, '/')).toThrow(/LIVELINE_UPLOADS_PER_MINUTE/)
  })
})
