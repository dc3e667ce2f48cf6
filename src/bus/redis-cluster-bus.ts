import { Cluster, type ClusterOptions } from 'ioredis'
import { type Bus, type BusHandler, confirmedOrLate, TopicHandlers } from './bus.js'

export interface RedisClusterBusOptions {
  /** Seed nodes (redis:// or rediss:// URLs); the client learns the rest of the cluster from them. */
  seeds: string[]
  /** Prefix for every shard channel, so several deployments (or test runs) can share one cluster. */
  channelPrefix?: string
  /** Longest a subscribe waits for its SSUBSCRIBE to be confirmed while the cluster is up. */
  subscribeTimeoutMs?: number
  /** Longest a subscribe waits while the cluster is down (the subscription starts on reconnect). */
  subscribeWhileDownMs?: number
  /**
   * Quiet time after the subscriptions were remade before reconnect listeners run. A failover
   * remakes them many times in a row (every retry against the dead master), and each run of the
   * listeners costs a query; this runs them once, after the last.
   */
  reconnectSettleMs?: number
}

const DEFAULTS = { subscribeTimeoutMs: 5000, subscribeWhileDownMs: 1000, reconnectSettleMs: 250 }

/**
 * Cross-instance bus on Redis Cluster with sharded pub/sub: every topic is its own shard channel
 * (SPUBLISH/SSUBSCRIBE), so a message reaches only the shard that owns its slot instead of being
 * copied to every node as classic PUBLISH is. Topics every instance must hear (control) work the
 * same way: each instance subscribes to them on their owning shard.
 *
 * Two clients, as in RedisBus: the publisher has no offline queue, so publishes fail fast while
 * the cluster is down; the subscriber keeps one connection per master (ioredis'
 * `shardedSubscribers`) and moves subscriptions when a slot changes owner, e.g. on failover.
 */
export class RedisClusterBus implements Bus {
  readonly kind = 'redis'
  readonly describe: string
  readonly #pub: Cluster
  readonly #sub: Cluster
  readonly #prefix: string
  readonly #options: typeof DEFAULTS
  readonly #handlers = new TopicHandlers()
  readonly #reconnectListeners: Array<() => void> = []
  /** A subscriber connection was lost since subscriptions were last (re)made. */
  #disrupted = false
  #reconnectTimer: NodeJS.Timeout | null = null
  #closed = false

  constructor(options: RedisClusterBusOptions) {
    if (options.seeds.length === 0) throw new Error('a redis cluster needs at least one seed node')
    const seeds = options.seeds.map((s) => new URL(s))
    this.describe = `redis cluster (${seeds.length} seed node${seeds.length === 1 ? '' : 's'})`
    this.#prefix = options.channelPrefix ?? 'liveline:'
    this.#options = {
      subscribeTimeoutMs: options.subscribeTimeoutMs ?? DEFAULTS.subscribeTimeoutMs,
      subscribeWhileDownMs: options.subscribeWhileDownMs ?? DEFAULTS.subscribeWhileDownMs,
      reconnectSettleMs: options.reconnectSettleMs ?? DEFAULTS.reconnectSettleMs,
    }
    const first = seeds[0] as URL
    const nodes = seeds.map((u) => ({ host: u.hostname, port: Number(u.port) || 6379 }))
    const common: ClusterOptions = {
      // Reconnect quickly and forever: readers are waiting.
      clusterRetryStrategy: (times: number) => Math.min(50 * times, 1000),
      redisOptions: {
        connectTimeout: 3000,
        username: first.username ? decodeURIComponent(first.username) : undefined,
        password: first.password ? decodeURIComponent(first.password) : undefined,
        tls: first.protocol === 'rediss:' ? {} : undefined,
      },
    }
    this.#pub = new Cluster(nodes, {
      ...common,
      enableOfflineQueue: false,
      // A publish to a shard mid-failover retries for about maxRedirections x retryDelayOnFailover,
      // then fails; the post is already committed and readers catch up from the log.
      maxRedirections: 5,
      retryDelayOnFailover: 100,
    })
    this.#sub = new Cluster(nodes, { ...common, shardedSubscribers: true })
    // Errors surface as events while reconnecting; without a listener they would crash the process.
    this.#pub.on('error', () => {})
    this.#sub.on('error', () => {})
    this.#sub.on('node error', () => {})
    this.#sub.on('nodeError', () => {})
    for (const lost of ['-node', '-subscriber', 'reconnecting']) {
      this.#sub.on(lost, () => {
        this.#disrupted = true
      })
    }
    // Emitted after the subscriber group re-issued SSUBSCRIBE for every slot on its (new) owner,
    // without waiting for the answers: messages published meanwhile may be lost, so listeners
    // check the log, once the subscriptions are confirmed.
    this.#sub.on('subscribersReady', () => {
      if (!this.#disrupted || this.#closed) return
      this.#disrupted = false
      if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer)
      this.#reconnectTimer = setTimeout(() => {
        this.#reconnectTimer = null
        void this.#confirmThenNotify()
      }, this.#options.reconnectSettleMs)
      this.#reconnectTimer.unref()
    })
    this.#sub.on('smessage', (channel: string, message: string) => {
      this.#handlers.dispatch(channel.slice(this.#prefix.length), message)
    })
  }

  async publish(topic: string, message: string): Promise<void> {
    if (this.#closed) throw new Error('bus is closed')
    await this.#pub.spublish(this.#prefix + topic, message)
  }

  /**
   * Re-issues SSUBSCRIBE for every topic and waits for the answers (a channel already subscribed
   * is simply confirmed again, on the connection the group uses for its slot), then runs the
   * reconnect listeners. A shard still moving makes this fail: the next 'subscribersReady' retries.
   */
  async #confirmThenNotify(): Promise<void> {
    const confirmations = this.#handlers.topics().map((topic) => this.#sub.ssubscribe(this.#prefix + topic))
    const results = await Promise.allSettled(confirmations)
    if (results.some((r) => r.status === 'rejected')) this.#disrupted = true
    if (!this.#closed) for (const listener of this.#reconnectListeners) listener()
  }

  async subscribe(topic: string, handler: BusHandler, onLateStart?: () => void): Promise<() => void> {
    // One channel per SSUBSCRIBE: channels of one command must share a slot, and topics rarely do.
    const channel = this.#prefix + topic
    if (this.#handlers.add(topic, handler)) {
      // The group remembers the channel even when this command fails (its shard is down), and
      // subscribes it on the shard's next owner (then the reconnect listeners run).
      const wait =
        this.#sub.status === 'ready' ? this.#options.subscribeTimeoutMs : this.#options.subscribeWhileDownMs
      // Readers are not held up for long; messages published before a late confirmation were
      // not heard, so the caller is told when it comes.
      await confirmedOrLate(this.#sub.ssubscribe(channel), wait, () => {
        if (!this.#closed && this.#handlers.has(topic)) onLateStart?.()
      })
    }
    return () => {
      if (this.#handlers.remove(topic, handler)) this.#sub.sunsubscribe(channel).catch(() => {})
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
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer)
    this.#pub.disconnect()
    this.#sub.disconnect()
  }
}
