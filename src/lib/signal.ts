/**
 * A wake-up call inside one process: `notify()` ends the current `wait()` at once, and a notify
 * that comes while nobody waits is remembered, so the next wait returns immediately.
 * @example const s = new Signal(); setTimeout(() => s.notify(), 10); await s.wait(1000) // ~10 ms
 */
export class Signal {
  #pending = false
  #wake: (() => void) | null = null

  notify(): void {
    if (this.#wake) this.#wake()
    else this.#pending = true
  }

  /** Resolves on the next notify, or after `ms`. */
  wait(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false
      return Promise.resolve()
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms)
      const self = this
      function done() {
        clearTimeout(timer)
        if (self.#wake === done) self.#wake = null
        resolve()
      }
      this.#wake = done
    })
  }
}
