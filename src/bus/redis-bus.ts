import { Redis } from 'ioredis'
import { type Bus, type BusHandler, confirmedOrLate, TopicHandlers } from './bus.js'

export interface RedisBusOptions {
  url: string
  /** Prefix for every channel, so several deployments (or test runs) can share one Redis. */
  channelPrefix?: string
  /** Longest a subscribe waits for its SUBSCRIBE to be confirmed while Redis is up. */
  subscribeTimeoutMs?: number
  /** Longest a subscribe waits while Redis is down (the subscription starts on reconnect). */
  subscribeWhileDownMs?: number
}

const DEFAULTS = { subscribeTimeoutMs: 5000, subscribeWhileDownMs: 1000 }

/**
 * Cross-instance bus on Redis pub/sub. Two connections, because a subscribed Redis connection can
 * do nothing else. The publisher has no offline queue: while Redis is down, publishes fail at once
 * (the post is already committed; readers catch up from the log) instead of piling up in memory.
 */
export class RedisBus implements Bus {
  readonly kind = 'redis'
  readonly describe: string
  readonly #pub: Redis
  readonly #sub: Redis
  readonly #prefix: string
  readonly #handlers = new TopicHandlers()
  readonly #reconnectListeners: Array<() => void> = []
  readonly #options: typeof DEFAULTS
  #everReady = false
  #closed = false

  constructor(options: RedisBusOptions) {
    const parsed = new URL(options.url)
    this.describe = `redis ${parsed.hostname}:${parsed.port || 6379}`
    this.#prefix = options.channelPrefix ?? 'liveline:'
    this.#options = {
      subscribeTimeoutMs: options.subscribeTimeoutMs ?? DEFAULTS.subscribeTimeoutMs,
      subscribeWhileDownMs: options.subscribeWhileDownMs ?? DEFAULTS.subscribeWhileDownMs,
    }
    const common = {
      lazyConnect: false,
      // Reconnect quickly and forever: readers are waiting.
      retryStrategy: (times: number) => Math.min(50 * times, 1000),
      connectTimeout: 3000,
    }
    this.#pub = new Redis(options.url, {
      ...common,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      // A post publishes its event and its story-change hint in the same turn: sent in one write,
      // Redis hands both to each subscriber in one read, and every instance wakes once per post.
      enableAutoPipelining: true,
    })
    // We resubscribe ourselves (not ioredis' autoResubscribe, which does not say when it is
    // done), so reconnect listeners run only once every SUBSCRIBE is confirmed.
    this.#sub = new Redis(options.url, { ...common, maxRetriesPerRequest: null, autoResubscribe: false })
    // Errors surface as 'error' events while reconnecting; without a listener they would crash the process.
    this.#pub.on('error', () => {})
    this.#sub.on('error', () => {})
    this.#sub.on('ready', () => {
      if (!this.#everReady) {
        this.#everReady = true
        return
      }
      this.#resubscribe()
    })
    this.#sub.on('message', (channel: string, message: string) => {
      this.#handlers.dispatch(channel.slice(this.#prefix.length), message)
    })
  }

  async publish(topic: string, message: string): Promise<void> {
    if (this.#closed) throw new Error('bus is closed')
    await this.#pub.publish(this.#prefix + topic, message)
  }

  async subscribe(topic: string, handler: BusHandler, onLateStart?: () => void): Promise<() => void> {
    const channel = this.#prefix + topic
    if (this.#handlers.add(topic, handler)) {
      // While Redis is down the SUBSCRIBE waits in ioredis' queue and runs on reconnect.
      const wait =
        this.#sub.status === 'ready' ? this.#options.subscribeTimeoutMs : this.#options.subscribeWhileDownMs
      // Readers are not held up for long; messages published before a late confirmation were
      // not heard, so the caller is told when it comes.
      await confirmedOrLate(this.#sub.subscribe(channel), wait, () => {
        if (!this.#closed && this.#handlers.has(topic)) onLateStart?.()
      })
    }
    return () => {
      if (this.#handlers.remove(topic, handler)) this.#sub.unsubscribe(channel).catch(() => {})
    }
  }

  /** After a reconnect: SUBSCRIBE every topic again, then (confirmed) tell the listeners. */
  #resubscribe(): void {
    const channels = this.#handlers.topics().map((topic) => this.#prefix + topic)
    const resubscribed = channels.length > 0 ? this.#sub.subscribe(...channels) : Promise.resolve()
    resubscribed.then(
      () => {
        if (!this.#closed) for (const listener of this.#reconnectListeners) listener()
      },
      // The connection went again before the answer: its next 'ready' starts over.
      () => {},
    )
  }

  onReconnect(listener: () => void): void {
    this.#reconnectListeners.push(listener)
  }

  isReady(): boolean {
    return !this.#closed && this.#pub.status === 'ready' && this.#sub.status === 'ready'
  }

  async close(): Promise<void> {
    this.#closed = true
    this.#pub.disconnect()
    this.#sub.disconnect()
  }
}
