import { type Bus, type BusHandler, TopicHandlers } from './bus.js'

/** The single-instance bus: delivery stays in this process. */
export class MemoryBus implements Bus {
  readonly kind = 'memory'
  readonly describe = 'in-process bus (single instance)'
  readonly #handlers = new TopicHandlers()
  #closed = false

  async publish(topic: string, message: string): Promise<void> {
    if (this.#closed) throw new Error('bus is closed')
    // Asynchronous like a real broker, so publishers never run subscribers' code inline.
    queueMicrotask(() => this.#handlers.dispatch(topic, message))
  }

  /** Active at once: there is no broker to confirm it, so never a late start. */
  async subscribe(topic: string, handler: BusHandler): Promise<() => void> {
    this.#handlers.add(topic, handler)
    return () => {
      this.#handlers.remove(topic, handler)
    }
  }

  onReconnect(): void {}

  isReady(): boolean {
    return !this.#closed
  }

  async close(): Promise<void> {
    this.#closed = true
  }
}
