import type { Deps } from '../deps.js'
import { dueScheduledUpdates, nextScheduledAt, publishScheduledUpdate } from './updates.js'

/**
 * Publishes scheduled updates when they are due; every instance runs one. The schedule lives in
 * Postgres, so any instance publishes what another scheduled (also after that one died), and
 * `publishScheduledUpdate` makes sure only one of them appends the event. The loop sleeps until
 * the next due time it knows of, at most `schedulerPollIntervalMs` (updates scheduled on other
 * instances), and `deps.scheduleWake` wakes it when this instance schedules one.
 */
export class UpdateScheduler {
  readonly #deps: Deps
  #running = false
  #loop: Promise<void> | null = null

  constructor(deps: Deps) {
    this.#deps = deps
  }

  start(): void {
    if (this.#running) return
    this.#running = true
    this.#loop = this.#run()
  }

  async close(): Promise<void> {
    if (!this.#running) return
    this.#running = false
    this.#deps.scheduleWake.notify()
    await this.#loop
  }

  async #run(): Promise<void> {
    const { limits, log, clock, scheduleWake } = this.#deps
    while (this.#running) {
      let delay = limits.schedulerPollIntervalMs
      try {
        const { looked, published } = await this.#publishDue()
        // A full batch that made progress: more may be due right now.
        if (looked >= limits.schedulerBatch && published > 0) continue
        const next = await nextScheduledAt(this.#deps)
        if (next) delay = Math.max(0, Math.min(delay, next.getTime() - clock().getTime()))
      } catch (err) {
        log.warn({ err }, 'scheduler pass failed; retrying')
      }
      if (!this.#running) break
      await scheduleWake.wait(delay)
    }
  }

  /** Tries every due update: how many it looked at, and how many this instance published. */
  async #publishDue(): Promise<{ looked: number; published: number }> {
    let published = 0
    const due = await dueScheduledUpdates(this.#deps, this.#deps.limits.schedulerBatch)
    for (const { id, storyId } of due) {
      if (!this.#running) break
      try {
        if (await publishScheduledUpdate(this.#deps, storyId, id)) {
          published++
          this.#deps.log.info({ storyId, updateId: id }, 'published scheduled update')
        }
      } catch (err) {
        this.#deps.log.warn({ err, storyId, updateId: id }, 'could not publish scheduled update')
      }
    }
    return { looked: due.length, published }
  }
}
