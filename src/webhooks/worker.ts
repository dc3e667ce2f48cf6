import type { WebhookSettings } from '../config.js'
import type { Deps } from '../deps.js'
import { type ClaimedDelivery, claimRuns, type DeliveryRun, nextStep, releaseLeases } from './queue.js'
import { AttemptRecorder } from './recorder.js'
import { pruneDeliveries } from './retention.js'
import { createSender, type Sender } from './send.js'

/** How long close() lets sends in flight finish before aborting them (they are retried elsewhere). */
const CLOSE_GRACE_MS = 3000
/** Most deliveries of one (endpoint, story) queue claimed at once and sent one after another. */
const RUN_LENGTH = 50
/** A send starts only if it can end (timeout) this long before the run's lease does. */
const LEASE_MARGIN_MS = 2000

/**
 * The delivery worker, one per instance: claims runs of due deliveries from the Postgres queue
 * (consecutive events of one endpoint and story), sends each run in order, at most `concurrency`
 * runs at a time, outside any transaction (embedded PGlite's single connection is held only for
 * the short claim and record statements), records attempts in batches and schedules retries. It
 * polls every `pollIntervalMs` (changes made on other instances), and `deps.webhooks.wake` wakes it
 * at once after a local commit queued deliveries or a run finished. Now and then it deletes
 * finished deliveries older than the retention period.
 */
export class WebhookWorker {
  readonly #deps: Deps
  readonly #settings: WebhookSettings
  readonly #sender: Sender
  readonly #recorder: AttemptRecorder
  /** Runs in flight, each with the abort for its current send. */
  readonly #runs = new Map<Promise<void>, AbortController>()
  #running = false
  #loop: Promise<void> | null = null
  #pruneTimer: NodeJS.Timeout | null = null
  #pruning: Promise<void> | null = null

  constructor(deps: Deps) {
    const settings = deps.webhooks.settings
    this.#deps = deps
    this.#settings = settings
    this.#sender = createSender({
      allowLoopback: settings.allowLoopback,
      timeoutMs: settings.timeoutMs,
      maxSockets: settings.concurrency,
    })
    this.#recorder = new AttemptRecorder(deps.db, (err) =>
      // The lease runs out and the delivery is sent again: at least once, never lost.
      deps.log.warn({ err }, 'could not record webhook attempts'),
    )
  }

  start(): void {
    if (this.#running) return
    this.#running = true
    this.#loop = this.#run()
    this.#schedulePrune()
  }

  /** Stops claiming, lets sends in flight finish (up to a grace period), hands the rest back. */
  async close(): Promise<void> {
    if (!this.#running) return
    this.#running = false
    if (this.#pruneTimer) clearTimeout(this.#pruneTimer)
    this.#deps.webhooks.wake.notify()
    await this.#loop
    const grace = new Promise((r) => setTimeout(r, CLOSE_GRACE_MS).unref())
    await Promise.race([Promise.all(this.#runs.keys()), grace])
    for (const abort of this.#runs.values()) abort.abort()
    await Promise.all(this.#runs.keys())
    await this.#pruning
    this.#sender.close()
  }

  async #run(): Promise<void> {
    const { log } = this.#deps
    const webhookWake = this.#deps.webhooks.wake
    while (this.#running) {
      const free = this.#settings.concurrency - this.#runs.size
      let claimed = 0
      if (free > 0) {
        try {
          const runs = await claimRuns(
            this.#deps.db,
            free,
            RUN_LENGTH,
            this.#deps.clock(),
            this.#settings.leaseMs,
          )
          claimed = runs.length
          for (const run of runs) this.#dispatch(run)
        } catch (err) {
          // The database is away: nothing is lost (the queue is in it); try again after a poll.
          log.warn({ err }, 'webhook worker could not claim deliveries')
        }
      }
      // A full batch may mean more is due: claim again as soon as a run ends (which wakes us).
      if (this.#running && (claimed === 0 || claimed < free || free === 0))
        await webhookWake.wait(this.#settings.pollIntervalMs)
    }
  }

  #dispatch(run: DeliveryRun): void {
    const abort = new AbortController()
    const done: Promise<void> = this.#send(run, abort.signal).finally(() => {
      this.#runs.delete(done)
      this.#deps.webhooks.wake.notify()
    })
    this.#runs.set(done, abort)
  }

  /**
   * Sends a run in order, each delivery only after the one before it was recorded as accepted.
   * The run stops early (and hands the rest back) on a failed attempt, when the endpoint was
   * disabled or its URL changed meanwhile, when the lease would run out, and on shutdown.
   */
  async #send(run: DeliveryRun, signal: AbortSignal): Promise<void> {
    const deps = this.#deps
    let handled = 0
    try {
      for (const delivery of run) {
        if (!this.#running) break
        if (
          deps.clock().getTime() + this.#settings.timeoutMs + LEASE_MARGIN_MS >
          delivery.leaseUntil.getTime()
        )
          break
        const outcome = await this.#deliver(delivery, signal)
        // Cut off by shutdown: not the endpoint's fault, so not an attempt; it is handed back below.
        if (outcome === 'aborted') break
        handled++
        if (outcome === 'stop') break
      }
    } finally {
      await releaseLeases(deps.db, run.slice(handled)).catch((err: unknown) =>
        deps.log.warn({ err }, 'could not release webhook leases'),
      )
    }
  }

  async #deliver(delivery: ClaimedDelivery, signal: AbortSignal): Promise<'next' | 'stop' | 'aborted'> {
    const deps = this.#deps
    const now = deps.clock()
    const timestampSeconds = Math.floor(now.getTime() / 1000)
    const { previousSecretExpiresAt: oldUntil } = delivery
    const previousSecret = oldUntil && oldUntil > now ? delivery.previousSecret : null
    const result = await this.#sender.send(
      {
        url: delivery.url,
        secret: delivery.secret,
        previousSecret,
        id: delivery.id,
        body: delivery.body,
        timestampSeconds,
      },
      signal,
    )
    if (signal.aborted) return 'aborted'
    const at = deps.clock()
    const next = result.ok ? null : nextStep(this.#settings.retryScheduleMs, delivery.attempts + 1, at)
    const recorded = await this.#recorder.record({ delivery, result, at, next })
    if (!recorded.recorded) return 'stop'
    deps.metrics.webhookAttempts.inc({
      outcome: result.ok ? 'success' : next && 'retryAt' in next ? 'retry' : 'failed',
    })
    if (recorded.disabledNow)
      deps.log.warn(
        { webhookId: delivery.webhookId, deliveryId: delivery.id },
        'webhook endpoint disabled: it kept failing',
      )
    const sameEndpoint = recorded.endpointEnabled && recorded.endpointUrl === delivery.url
    return result.ok && sameEndpoint ? 'next' : 'stop'
  }

  /** Prunes now and then, with jitter so that instances started together do not prune together. */
  #schedulePrune(): void {
    const delay = this.#settings.pruneIntervalMs * (0.75 + Math.random() * 0.5)
    this.#pruneTimer = setTimeout(() => {
      this.#pruning = this.#prune().finally(() => {
        this.#pruning = null
        if (this.#running) this.#schedulePrune()
      })
    }, delay)
    this.#pruneTimer.unref()
  }

  async #prune(): Promise<void> {
    const deps = this.#deps
    const cutoff = new Date(deps.clock().getTime() - this.#settings.retentionMs)
    try {
      const deleted = await pruneDeliveries(deps.db, cutoff)
      if (deleted > 0) deps.log.info({ deleted, cutoff }, 'pruned finished webhook deliveries')
    } catch (err) {
      deps.log.warn({ err }, 'could not prune webhook deliveries')
    }
  }
}
