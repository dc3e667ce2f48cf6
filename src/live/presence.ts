import type { Bus } from '../bus/bus.js'
import type { Deps } from '../deps.js'

/** Every instance's reader counts travel on this topic, one message per instance per tick. */
export const PRESENCE_TOPIC = 'presence'

/** What an instance reports: its readers per story (a story that dropped to none is sent as 0 once). */
interface Report {
  counts: Map<string, number>
  heardAt: number
}

/**
 * Live reader counts across instances. Each instance publishes its own counts (websocket and SSE
 * readers per story) once a tick, as one bus message, never per reader; every instance sums what
 * it heard from the others in the last `expiryMs`, so an instance that dies drops out of the count
 * within that. When a story's total changes, its readers are told, at most once a tick.
 * @example new Presence(deps, { instanceId, localCounts: () => hub.readerCounts(), onChange })
 */
export class Presence {
  readonly #deps: Pick<Deps, 'bus' | 'clock' | 'log' | 'limits' | 'metrics'>
  readonly #instanceId: string
  readonly #localCounts: () => Map<string, number>
  readonly #localCount: (storyId: string) => number
  readonly #onChange: (storyId: string, readers: number) => void
  readonly #others = new Map<string, Report>()
  /** The totals last pushed to readers, per story. */
  readonly #pushed = new Map<string, number>()
  /** Stories this instance reported with readers last tick (to report their drop to 0 once). */
  #reported = new Set<string>()
  #timer: NodeJS.Timeout | null = null
  #unsubscribe: (() => void) | null = null

  constructor(
    deps: Pick<Deps, 'bus' | 'clock' | 'log' | 'limits' | 'metrics'>,
    options: {
      instanceId: string
      localCounts: () => Map<string, number>
      /** One story's local readers: asked at every join, so it must not cost a map of every story. */
      localCount: (storyId: string) => number
      onChange: (storyId: string, readers: number) => void
    },
  ) {
    this.#deps = deps
    this.#instanceId = options.instanceId
    this.#localCounts = options.localCounts
    this.#localCount = options.localCount
    this.#onChange = options.onChange
  }

  async start(bus: Bus = this.#deps.bus): Promise<void> {
    this.#unsubscribe = await bus.subscribe(PRESENCE_TOPIC, (message) => this.#heard(message))
    this.#timer = setInterval(() => this.tick(), this.#deps.limits.presenceIntervalMs)
    this.#timer.unref()
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
    this.#unsubscribe?.()
    this.#unsubscribe = null
  }

  /**
   * Readers of `storyId` on every instance, as last heard. `local`: this instance's counts when the
   * caller already has them (a tick); otherwise only this story's is asked for, since with a
   * thousand followed stories a map of all of them at every join cost more than the join itself.
   */
  readers(storyId: string, local?: Map<string, number>): number {
    const now = this.#deps.clock().getTime()
    let total = local ? (local.get(storyId) ?? 0) : this.#localCount(storyId)
    for (const [instance, report] of this.#others) {
      if (now - report.heardAt > this.#deps.limits.presenceExpiryMs) {
        this.#others.delete(instance)
        continue
      }
      total += report.counts.get(storyId) ?? 0
    }
    return total
  }

  /** Publishes this instance's counts, then tells readers of every story whose total changed. */
  tick(): void {
    const local = this.#localCounts()
    const parts: string[] = []
    for (const [storyId, n] of local) if (n > 0) parts.push(`${storyId}:${n}`)
    for (const storyId of this.#reported) if (!local.get(storyId)) parts.push(`${storyId}:0`)
    this.#reported = new Set([...local].filter(([, n]) => n > 0).map(([id]) => id))
    if (parts.length > 0) {
      this.#deps.bus
        .publish(PRESENCE_TOPIC, `${this.#instanceId} ${parts.join(',')}`)
        .catch((err: unknown) => {
          this.#deps.log.warn({ err }, 'presence report not published')
        })
    }
    const stories = new Set([...local.keys(), ...this.#pushed.keys()])
    for (const report of this.#others.values()) for (const id of report.counts.keys()) stories.add(id)
    for (const storyId of stories) {
      const total = this.readers(storyId, local)
      if (this.#pushed.get(storyId) === total) continue
      if (total === 0) this.#pushed.delete(storyId)
      else this.#pushed.set(storyId, total)
      this.#deps.metrics.presenceReaders.set({ story: storyId }, total)
      if (local.get(storyId)) this.#onChange(storyId, total)
    }
  }

  #heard(message: string): void {
    const space = message.indexOf(' ')
    const instance = message.slice(0, space)
    if (space < 1 || instance === this.#instanceId) return
    const report = this.#others.get(instance) ?? { counts: new Map<string, number>(), heardAt: 0 }
    for (const part of message.slice(space + 1).split(',')) {
      const colon = part.lastIndexOf(':')
      const n = Number(part.slice(colon + 1))
      if (colon < 1 || !Number.isSafeInteger(n) || n < 0) continue
      if (n === 0) report.counts.delete(part.slice(0, colon))
      else report.counts.set(part.slice(0, colon), n)
    }
    report.heardAt = this.#deps.clock().getTime()
    this.#others.set(instance, report)
  }
}
