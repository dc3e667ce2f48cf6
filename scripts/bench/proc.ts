/** Process plumbing for the bench: /proc readings, free ports, and server children it starts and stops. */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { createWriteStream, readdirSync, readFileSync, type WriteStream } from 'node:fs'
import { createServer } from 'node:net'

let clockTicks = 0

/** `getconf CLK_TCK`: the unit of utime/stime in /proc/<pid>/stat (100 almost everywhere). */
export function clockTicksPerSecond(): number {
  if (clockTicks) return clockTicks
  try {
    clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
  } catch {
    clockTicks = 100
  }
  return clockTicks
}

/** User + system CPU a process has used so far, in ms (resolution: one clock tick, usually 10 ms). */
export function processCpuMs(pid: number): number {
  const { userMs, systemMs } = processCpuSplit(pid)
  return userMs + systemMs
}

/** User and system (kernel, e.g. socket writes) CPU of a process so far, in ms. */
export function processCpuSplit(pid: number): { userMs: number; systemMs: number } {
  return cpuOfStat(`/proc/${pid}/stat`)
}

/** utime and stime of a /proc `stat` file (a process's or one thread's), in ms. */
function cpuOfStat(path: string): { userMs: number; systemMs: number } {
  const stat = readFileSync(path, 'utf8')
  // After "(comm) ": state is field 3, utime field 14, stime field 15 (1-based, man proc).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const tick = 1000 / clockTicksPerSecond()
  return { userMs: Number(fields[11]) * tick, systemMs: Number(fields[12]) * tick }
}

/**
 * CPU (user + kernel) of a process's main thread and of all its other threads together (for Node:
 * V8's GC and compiler helpers, libuv's pool), from /proc/<pid>/task/<tid>/stat.
 */
export function threadCpuMs(pid: number): { mainMs: number; otherMs: number } {
  let mainMs = 0
  let otherMs = 0
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let cpu: { userMs: number; systemMs: number }
    try {
      cpu = cpuOfStat(`/proc/${pid}/task/${tid}/stat`)
    } catch {
      continue // the thread ended between the listing and the read
    }
    const ms = cpu.userMs + cpu.systemMs
    if (Number(tid) === pid) mainMs += ms
    else otherMs += ms
  }
  return { mainMs, otherMs }
}

/** Read and write system calls a process has made (/proc/<pid>/io): a socket read is a wakeup's work. */
export function processSyscalls(pid: number): { reads: number; writes: number } {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8')
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1] ?? Number.NaN)
  return { reads: field('syscr'), writes: field('syscw') }
}

/** Resident set size of a process, in KiB (VmRSS). */
export function processRssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)
  if (!match) throw new Error(`no VmRSS for pid ${pid}`)
  return Number(match[1])
}

/** The soft limit on open files of this process (children inherit it). */
export function openFileLimit(): number {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8')
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(limits)
    if (!match || match[1] === 'unlimited') return Number.POSITIVE_INFINITY
    return Number(match[1])
  } catch {
    return Number.POSITIVE_INFINITY
  }
}

/** Size of the ephemeral port range (each reader's socket takes one on the client side). */
export function ephemeralPorts(): number {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)
    return Number(high) - Number(low) + 1
  } catch {
    return 28_232
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** A server the bench runs as a child: output goes to a log file and a short in-memory tail. */
export class ServerProcess {
  readonly name: string
  readonly child: ChildProcess
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  readonly logPath: string
  exitedWith: { code: number | null; signal: NodeJS.Signals | null } | null = null
  readonly #tail: string[] = []
  readonly #log: WriteStream
  #onLine: ((line: string) => void) | null = null

  constructor(name: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, logPath: string) {
    this.name = name
    this.logPath = logPath
    this.#log = createWriteStream(logPath)
    this.child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    const collect = (chunk: Buffer) => {
      this.#log.write(chunk)
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue
        this.#tail.push(line)
        if (this.#tail.length > 40) this.#tail.shift()
        this.#onLine?.(line)
      }
    }
    this.child.stdout?.on('data', collect)
    this.child.stderr?.on('data', collect)
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitedWith = { code, signal }
        resolve({ code, signal })
      })
    })
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name} did not start`)
    return this.child.pid
  }

  get running(): boolean {
    return this.exitedWith === null && this.child.pid !== undefined
  }

  tail(): string {
    return this.#tail.join('\n')
  }

  /** Resolves with the first output line that `match` accepts; rejects if the process exits first. */
  waitForLine(match: (line: string) => boolean, timeoutMs: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#onLine = null
        reject(new Error(`${this.name}: no ready line within ${timeoutMs} ms\n${this.tail()}`))
      }, timeoutMs)
      this.#onLine = (line) => {
        if (!match(line)) return
        clearTimeout(timer)
        this.#onLine = null
        resolve(line)
      }
      void this.exited.then(({ code, signal }) => {
        clearTimeout(timer)
        reject(new Error(`${this.name} exited (${code ?? signal}) before it was ready\n${this.tail()}`))
      })
    })
  }

  /** SIGTERM, then SIGKILL if it is still running after `graceMs`. */
  async stop(graceMs = 12_000): Promise<void> {
    if (!this.running) return
    this.child.kill('SIGTERM')
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs)
    await this.exited
    clearTimeout(timer)
    this.#log.end()
  }

  /** For process.on('exit'): synchronous, last resort. */
  killNow(): void {
    if (this.running) this.child.kill('SIGKILL')
  }
}

/** Polls `url` until it answers 200; fails early if the server exits. */
export async function waitForHttp(url: string, server: ServerProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (!server.running) throw new Error(`${server.name} exited before ${url} answered\n${server.tail()}`)
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) })
      if (res.ok) return
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline)
      throw new Error(`${url} did not answer within ${timeoutMs} ms\n${server.tail()}`)
    await sleep(100)
  }
}

/** Machine-wide CPU so far (all cores, from /proc/stat), in ms. */
export interface MachineCpu {
  /** user + nice + system: time charged to processes. */
  processMs: number
  /** irq + softirq: kernel work not charged to any process (loopback TCP delivery lands here). */
  softirqMs: number
  /** Time the hypervisor gave to someone else while we wanted the CPU. */
  stealMs: number
  idleMs: number
}

export function machineCpu(): MachineCpu {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? ''
  // cpu  user nice system idle iowait irq softirq steal guest guest_nice (guest is already in user)
  const t = line.trim().split(/\s+/).slice(1).map(Number)
  const ms = (...idx: number[]) =>
    (idx.reduce((sum, i) => sum + (t[i] || 0), 0) * 1000) / clockTicksPerSecond()
  return { processMs: ms(0, 1, 2), softirqMs: ms(5, 6), stealMs: ms(7), idleMs: ms(3, 4) }
}

export function diffMachineCpu(after: MachineCpu, before: MachineCpu): MachineCpu {
  return {
    processMs: after.processMs - before.processMs,
    softirqMs: after.softirqMs - before.softirqMs,
    stealMs: after.stealMs - before.stealMs,
    idleMs: after.idleMs - before.idleMs,
  }
}

/** CPU (ms) of each pid that still exists; gone ones are left out. */
export function cpuOfPids(pids: Iterable<number>): Map<number, number> {
  const out = new Map<number, number>()
  for (const pid of pids) {
    try {
      out.set(pid, processCpuMs(pid))
    } catch {
      // exited
    }
  }
  return out
}

/** CPU used between two cpuOfPids readings; a pid only in `after` counts from zero. */
export function cpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0)
  return total
}

/** Pids whose /proc/<pid>/comm is `name` (e.g. redis-server). */
export function pidsNamed(name: string): number[] {
  const pids: number[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry))
    } catch {
      // exited meanwhile
    }
  }
  return pids
}

/**
 * TcpExt counters of /proc/net/netstat (e.g. ListenOverflows, ListenDrops): for this network
 * namespace as a whole, so they include every other process listening on it.
 */
export function tcpExtCounters(): Record<string, number> {
  const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n')
  for (let i = 0; i + 1 < lines.length; i++) {
    const names = lines[i] ?? ''
    if (!names.startsWith('TcpExt:')) continue
    const keys = names.trim().split(/\s+/).slice(1)
    const values = (lines[i + 1] ?? '').trim().split(/\s+/).slice(1).map(Number)
    return Object.fromEntries(keys.map((k, j) => [k, values[j] ?? 0]))
  }
  return {}
}
