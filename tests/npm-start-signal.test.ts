import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'
import { freePort } from './helpers/private-redis.js'

/** Readers connected when the signal comes: enough that closing them takes a while. */
const READERS = 300
/** Everything must be down within this long (src/main.ts gives itself 10 s). */
const STOP_WITHIN_MS = 15_000

describe('npm start and a SIGTERM to the whole process group (Ctrl-C, systemd, kill -TERM -pgid)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'liveline-npm-start-'))
  let pid: number | undefined
  afterAll(() => {
    if (pid) {
      try {
        process.kill(-pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('closes every reader with 1012, logs "stopped" and exits 0, as the production image does', async () => {
    const port = await freePort()
    const env: Record<string, string | undefined> = {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LIVELINE_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
    }
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'NODE_ENV']) delete env[name]
    // Its own process group, as a terminal or systemd would start it.
    const child = spawn('npm', ['start'], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    pid = child.pid
    let output = ''
    for (const s of [child.stdout, child.stderr]) s?.on('data', (d: Buffer) => (output += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`npm start did not start:\n${output}`)), 60_000)
      const check = () => {
        if (!output.includes('listening')) return
        clearTimeout(timer)
        resolve()
      }
      child.stdout?.on('data', check)
      child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)))
    })

    const closes: Promise<number>[] = []
    for (let i = 0; i < READERS; i++) {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/live`)
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve())
        ws.once('error', reject)
      })
      closes.push(new Promise((resolve) => ws.once('close', (code) => resolve(code))))
    }

    process.kill(-child.pid!, 'SIGTERM')
    const codes = await Promise.all(closes)
    const byCode: Record<number, number> = {}
    for (const c of codes) byCode[c] = (byCode[c] ?? 0) + 1
    expect(byCode).toEqual({ 1012: READERS })
    const code = await Promise.race([
      exited,
      new Promise((r) => setTimeout(r, STOP_WITHIN_MS, 'still running')),
    ])
    expect(output).toContain('"msg":"stopped"')
    expect(code, output).toBe(0)
    pid = undefined
  }, 120_000)
})
