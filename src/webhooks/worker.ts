import type { WebhookSettings } from '../config.js'
import type { Deps } from '../deps.js'
import { type ClaimedDelivery, claimDeliveries, nextStep, recordAttempt, releaseLeases } from './queue.js'
import { createSender, type Sender } from './send.js'

/** How long close() lets sends in flight finish before aborting them (they are retried elsewhere). */
const CLOSE_GRACE_MS = 3000

/**
 * The delivery worker, one per instance: claims due deliveries from the Postgres queue, sends
 * them (at most `concurrency` at a time, outside any transaction, so embedded PGlite's single
 * connection is held only for the short claim and record statements), records each attempt and
 * schedules retries. It polls every `pollIntervalMs` (changes made on other instances), and
 * `deps.webhooks.wake` wakes it at once after a local commit queued deliveries or a send finished.
 */
export class WebhookWorker {
  readonly #deps: Deps
  readonly #settings: WebhookSettings
  readonly #sender: Sender
  readonly #inFlight = new Map<string, { delivery: ClaimedDelivery; abort: AbortController }>()
  readonly #done = new Set<Promise<void>>()
  #running = false
  #loop: Promise<void> | null = null

  constructor(deps: Deps) {
    const settings = deps.webhooks.settings
    this.#deps = deps
    this.#settings = settings
    this.#sender = createSender({
      allowLoopback: settings.allowLoopback,
      timeoutMs: settings.timeoutMs,
      maxSockets: settings.concurrency,
    })
  }

  start(): void {
    if (this.#running) return
    this.#running = true
    this.#loop = this.#run()
  }

  /** Stops claiming, lets sends in flight finish (up to a grace period), hands the rest back. */
  async close(): Promise<void> {
    if (!this.#running) return
    this.#running = false
    this.#deps.webhooks.wake.notify()
    await this.#loop
    const grace = new Promise((r) => setTimeout(r, CLOSE_GRACE_MS).unref())
    await Promise.race([Promise.all(this.#done), grace])
    const unfinished = [...this.#inFlight.values()]
    for (const { abort } of unfinished) abort.abort()
    await Promise.all(this.#done)
    await releaseLeases(
      this.#deps.db,
      unfinished.map((u) => u.delivery),
    ).catch((err: unknown) => this.#deps.log.warn({ err }, 'could not release webhook leases'))
    this.#sender.close()
  }

  async #run(): Promise<void> {
    const { log } = this.#deps
    const webhookWake = this.#deps.webhooks.wake
    while (this.#running) {
      const free = this.#settings.concurrency - this.#inFlight.size
      let claimed = 0
      if (free > 0) {
        try {
          const batch = await claimDeliveries(this.#deps.db, free, this.#deps.clock(), this.#settings.leaseMs)
          claimed = batch.length
          for (const delivery of batch) this.#dispatch(delivery)
        } catch (err) {
          // The database is away: nothing is lost (the queue is in it); try again after a poll.
          log.warn({ err }, 'webhook worker could not claim deliveries')
        }
      }
      // A full batch may mean more is due: claim again as soon as a slot frees (which wakes us).
      if (this.#running && (claimed === 0 || claimed < free || free === 0))
        await webhookWake.wait(this.#settings.pollIntervalMs)
    }
  }

  #dispatch(delivery: ClaimedDelivery): void {
    const abort = new AbortController()
    this.#inFlight.set(delivery.id, { delivery, abort })
    const done = this.#deliver(delivery, abort.signal).finally(() => {
      this.#inFlight.delete(delivery.id)
      this.#done.delete(done)
      this.#deps.webhooks.wake.notify()
    })
    this.#done.add(done)
  }

  async #deliver(delivery: ClaimedDelivery, signal: AbortSignal): Promise<void> {
    const deps = this.#deps
    const timestampSeconds = Math.floor(deps.clock().getTime() / 1000)
    const result = await this.#sender.send(
      { url: delivery.url, secret: delivery.secret, id: delivery.id, body: delivery.body, timestampSeconds },
      signal,
    )
    // Cut off by shutdown: not the endpoint's fault, so not an attempt; close() hands it back.
    if (signal.aborted) return
    const at = deps.clock()
    const next = result.ok ? null : nextStep(this.#settings.retryScheduleMs, delivery.attempts + 1, at)
    try {
      const disabled = await recordAttempt(deps.db, delivery, result, at, next)
      deps.metrics.webhookAttempts.inc({
        outcome: result.ok ? 'success' : next && 'retryAt' in next ? 'retry' : 'failed',
      })
      if (disabled)
        deps.log.warn(
          { webhookId: delivery.webhookId, deliveryId: delivery.id },
          'webhook endpoint disabled: it kept failing',
        )
    } catch (err) {
      // The lease runs out and the delivery is sent again: at least once, never lost.
      deps.log.warn({ err, deliveryId: delivery.id }, 'could not record a webhook attempt')
    }
  }
}
