import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Api } from './helpers/api.js'
import { freePort } from './helpers/private-redis.js'
import { connectReader } from './helpers/ws-client.js'

/** Runs src/main.ts the way `npm start` does, on the embedded defaults (no Postgres, no Redis). */
function startService(env: Record<string, string>) {
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env, LOG_LEVEL: 'info' }
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'LIVELINE_ADMIN_KEY', 'NODE_ENV']) delete childEnv[name]
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString()
  })
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString()
  })
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`service did not start:\n${output}`)), 60_000)
    child.stdout?.on('data', () => {
      if (output.includes('listening')) {
        clearTimeout(timer)
        resolve(output)
      }
    })
    child.once('exit', (code) => reject(new Error(`service exited with ${code}:\n${output}`)))
  })
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  return { child, ready, exited, output: () => output }
}

describe('npm start on a fresh machine', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'liveline-start-'))
  const children: ChildProcess[] = []
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL')
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('starts on embedded Postgres and the in-process bus, prints the admin key, keeps data, and stops on SIGTERM with 1012', async () => {
    const port = await freePort()
    const first = startService({ PORT: String(port), HOST: '127.0.0.1', LIVELINE_DATA_DIR: dataDir })
    children.push(first.child)
    const out = await first.ready
    const key = /\n {2}(ll_[A-Za-z0-9_-]{43})\n/.exec(out)?.[1]
    expect(key, out).toBeDefined()
    expect(out).toContain(`:${port}`)
    expect(out).toContain('embedded Postgres (PGlite)')
    expect(out).toContain('in-process bus')

    const admin = new Api(`http://127.0.0.1:${port}`, key)
    const story = await admin.post('/v1/stories', { title: 'Quick start story', status: 'live' })
    expect(story.status).toBe(201)
    const reader = await connectReader(`ws://127.0.0.1:${port}/v1/live`)
    await reader.subscribe(story.body.id)
    await admin.post(`/v1/stories/${story.body.id}/updates`, { blocks: [{ type: 'text', text: 'hello' }] })
    await reader.waitFor((r) => r.events().length === 1)

    const stoppedAt = Date.now()
    first.child.kill('SIGTERM')
    expect(await reader.waitForClose(10_000)).toBe(1012)
    expect(await first.exited).toBe(0)
    expect(Date.now() - stoppedAt).toBeLessThan(10_000)

    // Same data dir, new run: the story is still there, and a new admin key is printed.
    const second = startService({ PORT: String(port), HOST: '127.0.0.1', LIVELINE_DATA_DIR: dataDir })
    children.push(second.child)
    const out2 = await second.ready
    const key2 = /\n {2}(ll_[A-Za-z0-9_-]{43})\n/.exec(out2)?.[1]
    const again = await new Api(`http://127.0.0.1:${port}`, key2).get(`/v1/stories/${story.body.id}`)
    expect(again.body).toMatchObject({ title: 'Quick start story', seq: 1, updateCount: 1 })
    second.child.kill('SIGTERM')
    expect(await second.exited).toBe(0)
  }, 120_000)
})
