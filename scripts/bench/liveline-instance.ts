/**
 * One Liveline process for the front-door benches (bench-pages, bench-storm): `src/main.ts` as a
 * child on a free port of 127.0.0.1, with its own env, talked to over HTTP only. Several instances
 * share a database and a Redis bus prefix when given the same ones.
 */
import { randomBytes } from 'node:crypto'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { freePort, ServerProcess, waitForHttp } from './proc.js'

export interface LivelineInstanceOptions {
  /** Names the process in logs and its log file (`<logDir>/<name>.log`). */
  name: string
  root: string
  logDir: string
  databaseUrl: string
  redisUrl: string
  busPrefix: string
  adminKey: string
  /** Extra environment (e.g. LIVELINE_WEBHOOK_WORKER). */
  env?: NodeJS.ProcessEnv
  /** Extra node flags (e.g. --cpu-prof, which NODE_OPTIONS does not allow, or a preload). */
  nodeArgs?: string[]
  /** How long the instance may take to answer /readyz. */
  startTimeoutMs?: number
}

export interface LivelineInstance {
  readonly name: string
  readonly server: ServerProcess
  readonly port: number
  readonly base: string
  readonly wsUrl: string
  /** JSON API call with `key` (default: the admin key); throws on a non-2xx answer. */
  api<T>(method: string, path: string, body?: unknown, key?: string): Promise<T>
  stop(): Promise<void>
}

export const newAdminKey = (): string => `ll_${randomBytes(32).toString('base64url')}`

/** What every bench child preloads: tsx, and the watch that exits it when the bench is gone. */
export function benchExecArgv(root: string): string[] {
  const watch = pathToFileURL(resolve(root, 'scripts/bench/parent-watch.ts')).href
  return ['--import', 'tsx', '--import', watch]
}

export function benchNodeArgs(root: string, script: string): string[] {
  return [...benchExecArgv(root), script]
}

export async function startLivelineInstance(options: LivelineInstanceOptions): Promise<LivelineInstance> {
  const port = await freePort()
  const server = new ServerProcess(
    options.name,
    // Extra flags after the bench's own preloads (tsx first, so a preload may be TypeScript).
    [...benchExecArgv(options.root), ...(options.nodeArgs ?? []), 'src/main.ts'],
    {
      ...process.env,
      DATABASE_URL: options.databaseUrl,
      REDIS_URL: options.redisUrl,
      LIVELINE_BUS_PREFIX: options.busPrefix,
      LIVELINE_ADMIN_KEY: options.adminKey,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      ...options.env,
    },
    options.root,
    resolve(options.logDir, `${options.name}.log`),
  )
  const base = `http://127.0.0.1:${port}`
  const timeoutMs = options.startTimeoutMs ?? 60_000
  await waitForHttp(`${base}/healthz`, server, timeoutMs)
  await waitForHttp(`${base}/readyz`, server, timeoutMs)
  return {
    name: options.name,
    server,
    port,
    base,
    wsUrl: `ws://127.0.0.1:${port}/v1/live`,
    async api<T>(method: string, path: string, body?: unknown, key = options.adminKey): Promise<T> {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      })
      const text = await res.text()
      if (!res.ok) throw new Error(`${options.name}: ${method} ${path}: ${res.status} ${text}`)
      return (text ? JSON.parse(text) : undefined) as T
    },
    stop: () => server.stop(),
  }
}
