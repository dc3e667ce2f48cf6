/** The parent's handle on a forked load generator: one request, one typed answer. */
import { type ChildProcess, fork } from 'node:child_process'
import type { FromLoadgen, ToLoadgen } from './protocol.js'

type Answer<T extends FromLoadgen['type']> = Extract<FromLoadgen, { type: T }>

interface Waiter {
  type: FromLoadgen['type']
  resolve: (message: FromLoadgen) => void
  reject: (err: Error) => void
  timer: NodeJS.Timeout
}

export class LoadgenClient {
  readonly child: ChildProcess
  /** (performance.timeOrigin + now) − Date.now() in the load generator, to compare clocks. */
  readonly ready: Promise<number>
  readonly #waiters: Waiter[] = []
  #dead: Error | null = null

  constructor(script: string, execArgv: string[], cwd: string) {
    this.child = fork(script, [], { cwd, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    this.ready = this.#wait('ready', 30_000).then((m) => m.clockOffsetMs)
    this.child.on('message', (message: FromLoadgen) => {
      if (message.type === 'fatal') return this.#fail(new Error(`load generator: ${message.message}`))
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

  request<T extends FromLoadgen['type']>(cmd: ToLoadgen, answer: T, timeoutMs: number): Promise<Answer<T>> {
    const waiting = this.#wait(answer, timeoutMs)
    this.child.send(cmd)
    return waiting
  }

  #wait<T extends FromLoadgen['type']>(type: T, timeoutMs: number): Promise<Answer<T>> {
    if (this.#dead) return Promise.reject(this.#dead)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = this.#waiters.indexOf(waiter)
        if (index >= 0) this.#waiters.splice(index, 1)
        reject(new Error(`load generator did not answer ${type} within ${timeoutMs} ms`))
      }, timeoutMs)
      const waiter: Waiter = { type, resolve: (m) => resolve(m as Answer<T>), reject, timer }
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
