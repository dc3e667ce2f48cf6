import { Redis } from 'ioredis'
import { type Bus, type BusHandler, TopicHandlers } from './bus.js'

export interface RedisBusOptions {
  url: string
  /** Prefix for every channel, so several deployments (or test runs) can share one Redis. */
  channelPrefix?: string
}

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
  #everReady = false
  #closed = false

  constructor(options: RedisBusOptions) {
    const parsed = new URL(options.url)
    this.describe = `redis ${parsed.hostname}:${parsed.port || 6379}`
    this.#prefix = options.channelPrefix ?? 'liveline:'
    const common = {
      lazyConnect: false,
      // Reconnect quickly and forever: readers are waiting.
      retryStrategy: (times: number) => Math.min(50 * times, 1000),
      connectTimeout: 3000,
    }
    this.#pub = new Redis(options.url, { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 1 })
    this.#sub = new Redis(options.url, { ...common, maxRetriesPerRequest: null, autoResubscribe: true })
    // Errors surface as 'error' events while reconnecting; without a listener they would crash the process.
    this.#pub.on('error', () => {})
    this.#sub.on('error', () => {})
    this.#sub.on('ready', () => {
      if (this.#everReady) for (const listener of this.#reconnectListeners) listener()
      this.#everReady = true
    })
    this.#sub.on('message', (channel: string, message: string) => {
      this.#handlers.dispatch(channel.slice(this.#prefix.length), message)
    })
  }

  async publish(topic: string, message: string): Promise<void> {
    if (this.#closed) throw new Error('bus is closed')
    await this.#pub.publish(this.#prefix + topic, message)
  }

  async subscribe(topic: string, handler: BusHandler): Promise<() => void> {
    const channel = this.#prefix + topic
    if (this.#handlers.add(topic, handler)) {
      const subscribing = this.#sub.subscribe(channel)
      subscribing.catch(() => {})
      // Wait for the SUBSCRIBE to land so nothing published from now on is missed; while Redis is
      // down it waits in ioredis' queue and runs on reconnect, and we don't hold the caller long.
      await Promise.race([
        subscribing.then(() => undefined),
        delay(this.#sub.status === 'ready' ? 5000 : 1000),
      ])
    }
    return () => {
      if (this.#handlers.remove(topic, handler)) this.#sub.unsubscribe(channel).catch(() => {})
    }
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

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref())
