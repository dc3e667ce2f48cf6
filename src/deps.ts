import type { Logger } from 'pino'
import type { Bus } from './bus/bus.js'
import type { Limits, WebhookSettings } from './config.js'
import type { ChangeHook } from './events/record-change.js'
import type { StoryWriteTurns } from './events/story-write-turns.js'
import type { NewId } from './lib/ids.js'
import type { Signal } from './lib/signal.js'
import type { Clock } from './lib/time.js'
import type { Metrics } from './metrics.js'
import type { PublicReads } from './public-reads/public-reads.js'
import type { Db } from './store/db.js'

/** What every domain verb gets: built once in createService() and passed down, never imported. */
export interface Deps {
  db: Db
  bus: Bus
  clock: Clock
  newId: NewId
  log: Logger
  limits: Limits
  metrics: Metrics
  /** sha256 of the master key; it has no row in api_keys. */
  adminKeyHash: string
  /** Anonymous public reads, rendered and compressed once per story change. */
  publicReads: PublicReads
  /** Other features' parts in every change of the event log (webhooks' outbox), in its transaction. */
  changeHooks: readonly ChangeHook[]
  /** This instance's writes to each story: a few at once hold a connection, the rest wait in memory. */
  storyWrites: StoryWriteTurns
  /** Rung when an update is scheduled here, so this instance's scheduler re-reads the next due time. */
  scheduleWake: Signal
  webhooks: {
    settings: WebhookSettings
    /** Rung after a commit that queued deliveries, so this instance's worker sends them at once. */
    wake: Signal
  }
}
