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
   * Calls `handler` for every message on `topic` from now on. Resolves once the broker has
   * confirmed the subscription, or after a bounded wait when the bus is down or slow; in that
   * case `onLateStart` runs when the confirmation does come. Messages published before it were
   * not heard, so a caller that read a position meanwhile reads it again then.
   * @example const stop = await bus.subscribe('story:1', onMessage, () => checkTheLog())
   * @returns a function that ends this subscription
   */
  subscribe(topic: string, handler: BusHandler, onLateStart?: () => void): Promise<() => void>
  /**
   * `listener` runs after the bus reconnected and every subscription was remade and confirmed:
   * messages published while it was away were lost, and any published from now on is heard, so
   * a position read in the listener leaves nothing in between.
   */
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

  /** Every topic with a handler. */
  topics(): string[] {
    return [...this.#topics.keys()]
  }

  has(topic: string): boolean {
    return this.#topics.has(topic)
  }

  dispatch(topic: string, message: string): void {
    const handlers = this.#topics.get(topic)
    if (!handlers) return
    for (const handler of handlers) handler(message)
  }
}

/**
 * Waits at most `waitMs` for a broker to confirm a subscribe (`subscribing` resolves); when the
 * confirmation comes only later, `onLate` runs then. A subscribe that fails is left to the
 * client's reconnect, which remakes it.
 * @example await confirmedOrLate(redis.subscribe(channel), 5000, () => checkTheLog())
 */
export async function confirmedOrLate(
  subscribing: Promise<unknown>,
  waitMs: number,
  onLate: () => void,
): Promise<void> {
  const confirmed = subscribing.then(
    () => true,
    () => false,
  )
  const inTime = await Promise.race([confirmed, delay(waitMs).then(() => false)])
  if (!inTime) {
    void confirmed.then((ok) => {
      if (ok) onLate()
    })
  }
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref())
