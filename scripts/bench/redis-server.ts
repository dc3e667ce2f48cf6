/**
 * A private redis-server for one bench run, on a free port of 127.0.0.1, with nothing saved. What
 * the bench reads from it (INFO commandstats and cpu) is then the run's own, whatever else uses the
 * shared Redis on 6379. Stopped by its pid (SIGKILL), never by name.
 */
import { spawn } from 'node:child_process'
import { Redis } from 'ioredis'
import { freePort, sleep } from './proc.js'

export interface PrivateRedis {
  readonly port: number
  readonly url: string
  /** INFO `section` as text. */
  info(section: string): Promise<string>
  /** Calls per command so far (INFO commandstats: `publish`, `subscribe`, …). */
  commandCalls(): Promise<Record<string, number>>
  /** The server's own CPU so far (used_cpu_user + used_cpu_sys), in ms. */
  cpuMs(): Promise<number>
  stop(): Promise<void>
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort()
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  )
  const client = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1 })
  client.on('error', () => {})
  for (let i = 0; ; i++) {
    try {
      await client.connect()
      await client.ping()
      break
    } catch (err) {
      if (i > 100 || proc.exitCode !== null)
        throw new Error(`redis-server did not start on ${port}`, { cause: err })
      client.disconnect()
      await sleep(50)
    }
  }
  const info = (section: string) => client.info(section)
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    info,
    async commandCalls() {
      const calls: Record<string, number> = {}
      for (const match of (await info('commandstats')).matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm))
        calls[match[1] as string] = Number(match[2])
      return calls
    },
    async cpuMs() {
      const text = await info('cpu')
      const field = (name: string) => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(text)?.[1] ?? 0)
      return (field('used_cpu_user') + field('used_cpu_sys')) * 1000
    },
    async stop() {
      client.disconnect()
      if (proc.exitCode !== null) return
      const exited = new Promise((r) => proc.once('exit', r))
      proc.kill('SIGKILL')
      await exited
    },
  }
}

/** after − before, command by command (zero rows left out). */
export function diffCalls(
  after: Record<string, number>,
  before: Record<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [cmd, n] of Object.entries(after)) {
    const d = n - (before[cmd] ?? 0)
    if (d) out[cmd] = d
  }
  return out
}
