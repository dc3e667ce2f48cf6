/**
 * The parent's handle on a forked load generator: one request, one typed answer. The message types
 * default to the fan-out bench's protocol; other load generators (bench-storm) bring their own, with
 * the same `ready` (clockOffsetMs) and `fatal` (message) answers.
 */
import { type ChildProcess, fork } from 'node:child_process'
import type { FromLoadgen, ToLoadgen } from './protocol.js'

/** What every load generator answers: `ready` once at start, `fatal` when a command failed. */
type BaseAnswer = { type: 'ready'; clockOffsetMs: number } | { type: 'fatal'; message: string }

type Answer<From, T> = Extract<From, { type: T }>

interface Waiter<From> {
  type: string
  resolve: (message: From) => void
  reject: (err: Error) => void
  timer: NodeJS.Timeout
}

export class LoadgenClient<To extends object = ToLoadgen, From extends { type: string } = FromLoadgen> {
  readonly child: ChildProcess
  /** (performance.timeOrigin + now) − Date.now() in the load generator, to compare clocks. */
  readonly ready: Promise<number>
  readonly #waiters: Waiter<From>[] = []
  #dead: Error | null = null

  constructor(script: string, execArgv: string[], cwd: string) {
    this.child = fork(script, [], { cwd, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    this.ready = this.#wait<'ready'>('ready', 30_000).then(
      (m) => (m as unknown as Extract<BaseAnswer, { type: 'ready' }>).clockOffsetMs,
    )
    this.child.on('message', (message: From) => {
      const base = message as unknown as BaseAnswer
      if (base.type === 'fatal') return this.#fail(new Error(`load generator: ${base.message}`))
      const index = this.#waiters.findIndex((w) => w.type === message.type)
      if (index < 0) return
      const [waiter] = this.#waiters.splice(index, 1)
      if (!waiter) return
      clearTimeout(waiter.timer)
      waiter.resolve(message)
    })
    this.child.once('exit', (code, signal) =>
      this.#fail(new Error(`load generator exited (${code ?? signal})`)),
    )
  }

  request<T extends From['type']>(cmd: To, answer: T, timeoutMs: number): Promise<Answer<From, T>> {
    const waiting = this.#wait(answer, timeoutMs)
    this.child.send(cmd)
    return waiting
  }

  #wait<T extends string>(type: T, timeoutMs: number): Promise<Answer<From, T>> {
    if (this.#dead) return Promise.reject(this.#dead)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.#waiters.indexOf(waiter)
        if (index >= 0) this.#waiters.splice(index, 1)
        reject(new Error(`load generator did not answer ${type} within ${timeoutMs} ms`))
      }, timeoutMs)
      const waiter: Waiter<From> = { type, resolve: (m) => resolve(m as Answer<From, T>), reject, timer }
      this.#waiters.push(waiter)
    })
  }

  #fail(err: Error): void {
    this.#dead ??= err
    for (const waiter of this.#waiters.splice(0)) {
      clearTimeout(waiter.timer)
      waiter.reject(err)
    }
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null
  }

  kill(): void {
    if (this.running) this.child.kill('SIGKILL')
  }
}
