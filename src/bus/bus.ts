/**
 * The cross-instance seam: topics in, strings out. It knows nothing about stories; it is a fast
 * hint, never the truth (Redis pub/sub is at-most-once), so every message it carries can be
 * replayed from the database.
 */
export interface Bus {
  readonly kind: 'memory' | 'redis'
  readonly describe: string
  /** Fire-and-forget from the caller's point of view: rejects when the bus is down, never waits for it. */
  publish(topic: string, message: string): Promise<void>
  /**
   * Calls `handler` for every message on `topic` from now on. Resolves once the subscription is
   * active when the bus is up; while it is down it resolves at once and the subscription starts on reconnect.
   * @returns a function that ends this subscription
   */
  subscribe(topic: string, handler: BusHandler): Promise<() => void>
  /** `listener` runs after the bus reconnects: messages may have been lost meanwhile. */
  onReconnect(listener: () => void): void
  isReady(): boolean
  close(): Promise<void>
}

export type BusHandler = (message: string) => void

/** Control messages for every instance (key revocations). */
export const CONTROL_TOPIC = 'control'

/** Keeps the handlers of each topic; both bus implementations share it. */
export class TopicHandlers {
  readonly #topics = new Map<string, Set<BusHandler>>()

  /** @returns true when this is the topic's first handler */
  add(topic: string, handler: BusHandler): boolean {
    let handlers = this.#topics.get(topic)
    const first = !handlers
    if (!handlers) {
      handlers = new Set()
      this.#topics.set(topic, handlers)
    }
    handlers.add(handler)
    return first
  }

  /** @returns true when the topic has no handler left */
  remove(topic: string, handler: BusHandler): boolean {
    const handlers = this.#topics.get(topic)
    if (!handlers) return false
    handlers.delete(handler)
    if (handlers.size > 0) return false
    this.#topics.delete(topic)
    return true
  }

  dispatch(topic: string, message: string): void {
    const handlers = this.#topics.get(topic)
    if (!handlers) return
    for (const handler of handlers) handler(message)
  }
}
