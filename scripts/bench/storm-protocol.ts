import type { Quantiles } from './quantiles.js'

/** IPC between scripts/bench-storm.ts and its load generators (scripts/bench/storm-loadgen.ts). */
/** Readers of one story on one instance; with `reconnectUrl` they move there when closed (after `arm`). */
export interface ReaderGroup {
  story: string
  count: number
  url: string
  reconnectUrl: string | null
  /** Publish-to-receive latency is recorded for this group's readers (B's own readers). */
  recordLatency: boolean
}

export type ToStormLoadgen =
  | { cmd: 'connect'; groups: ReaderGroup[]; concurrency: number; timeoutMs: number }
  /**
   * From now on a reader with a reconnectUrl that is closed reconnects there with `since`, after a
   * random delay in [0, jitterMs); a failed attempt is retried after retryMinMs + random·retrySpreadMs.
   */
  | { cmd: 'arm'; jitterMs: number; retryMinMs: number; retrySpreadMs: number; handshakeTimeoutMs: number }
  | { cmd: 'status' }
  /**
   * Waits until every open reader has its story's head (or `maxWaitMs` pass), then reports.
   * `publishTimes`: wall time (ms since the epoch) each seq of `latencyStory` was posted (the
   * request sent); `recordedTimes`: the event's own `at`, when the instance recorded it;
   * `busTimes`: when it was heard on the bus (so what follows is the reader's instance's part).
   */
  | {
      cmd: 'report'
      heads: Record<string, number>
      latencyStory: string
      publishTimes: Record<number, number>
      recordedTimes: Record<number, number>
      /** When a bare subscriber in the bench heard each seq on the bus. */
      busTimes: Record<number, number>
      windows: Array<{ name: string; fromSeq: number; toSeq: number }>
      maxWaitMs: number
    }
  | { cmd: 'close' }

export interface StormStatus {
  readers: number
  /** Readers closed since `arm` (they should all come back). */
  moved: number
  /** Of those: resubscribed on the new instance. */
  resubscribed: number
  /** Of those: holding every event up to the head their `subscribed` frame announced. */
  caughtUp: number
  /** Wall time (ms since the epoch) the last of them caught up, or null. */
  lastCaughtUpAt: number | null
  /** Wall time the first reader was closed after `arm`. */
  firstClosedAt: number | null
}

export interface StormReport {
  readers: number
  /** Readers that hold their story's head when the report was made. */
  atHead: number
  /** Sum over readers of missing seqs (gaps, and head − last at the end). */
  lost: number
  /** Events a reader received with a seq at or below one it already had. */
  duplicated: number
  /** Readers with at least one lost or duplicated event. */
  readersWithErrors: number
  resets: number
  /** `error` frames by code (e.g. rate_limited) and close codes seen, by reason. */
  errors: Record<string, number>
  closeCodes: Record<string, number>
  moved: number
  resubscribed: number
  /** Reconnect attempts that failed (refused, reset, timed out, closed before subscribed). */
  failedAttempts: number
  failedReasons: Record<string, number>
  /** Per moved reader, ms. */
  subscribeMs: number[]
  connectMs: number[]
  /** From the close to `subscribed` on the new instance (jitter delay included). */
  reconnectMs: number[]
  /** Wall times (ms since the epoch) each moved reader caught up. */
  caughtUpAt: number[]
  /**
   * Latency of the recordLatency readers per window: from the post (`<window>`), from the event's
   * record (`<window>-recorded`) and from the bus (`<window>-bus`).
   */
  latency: Record<string, number[]>
  /** Per busy-story seq in the windows, when the recordLatency readers received it (wall ms). */
  arrivals: Record<number, Quantiles>
  cpuMs: number
}

export type FromStormLoadgen =
  | { type: 'ready'; clockOffsetMs: number }
  | { type: 'connected'; subscribed: number; failed: number; failures: Record<string, number>; ms: number }
  | { type: 'armed' }
  | { type: 'status'; status: StormStatus }
  | { type: 'report'; report: StormReport }
  | { type: 'closed' }
  | { type: 'fatal'; message: string }
