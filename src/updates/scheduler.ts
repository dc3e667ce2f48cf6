import type { Deps } from '../deps.js'
import { claimDueScheduledUpdates, nextScheduledAt, publishScheduledUpdate } from './updates.js'

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

  /**
   * Claims due updates and publishes them: stories side by side (up to schedulerConcurrency), each
   * story's in due order. Returns how many it claimed and how many it published.
   */
  async #publishDue(): Promise<{ looked: number; published: number }> {
    const { limits, log } = this.#deps
    const due = await claimDueScheduledUpdates(this.#deps, limits.schedulerBatch, limits.schedulerClaimMs)
    const byStory = new Map<string, string[]>()
    for (const { id, storyId } of due) byStory.set(storyId, [...(byStory.get(storyId) ?? []), id])
    const queue = [...byStory.entries()]
    let published = 0
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [storyId, ids] = next
        for (const id of ids) {
          if (!this.#running) return
          try {
            if (await publishScheduledUpdate(this.#deps, storyId, id)) published++
          } catch (err) {
            // Its claim runs out and it is tried again.
            log.warn({ err, storyId, updateId: id }, 'could not publish scheduled update')
          }
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(limits.schedulerConcurrency, queue.length) }, worker))
    return { looked: due.length, published }
  }
}
