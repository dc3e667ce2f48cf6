/** IPC between the bench (parent) and its load generator (a forked child). */

export type ToLoadgen =
  | {
      cmd: 'connect'
      url: string
      story: string
      count: number
      /** Handshakes in flight at once. */
      concurrency: number
      timeoutMs: number
    }
  /** Closes every client with index >= keep. */
  | { cmd: 'trim'; keep: number }
  /** Starts recording events with seq in (base, base + count]. */
  | { cmd: 'phase'; base: number; count: number }
  /**
   * Publishing is over: `publishTimes[k]` is the wall time (ms since the epoch) seq base+k+1 was
   * published, or null when that publish failed. The load generator waits until every open reader
   * has every frame (or `idleMs` pass without a new frame, or `maxWaitMs` in all), then reports.
   */
  | { cmd: 'finish'; publishTimes: Array<number | null>; idleMs: number; maxWaitMs: number }
  | { cmd: 'close' }

export type FromLoadgen =
  | { type: 'ready'; clockOffsetMs: number }
  | { type: 'connected'; result: ConnectResult }
  | { type: 'trimmed'; open: number }
  | { type: 'phase-started' }
  | { type: 'phase-result'; result: PhaseResult }
  | { type: 'closed'; cpuMs: number; unexpectedCloses: Record<string, number> }
  | { type: 'fatal'; message: string }

export interface ConnectResult {
  /** Readers open and subscribed. */
  subscribed: number
  failed: number
  /** Failure reasons (error message or close code) and their counts. */
  failures: Record<string, number>
  ms: number
  /** The load generator's CPU while connecting. */
  cpuMs: number
}

export interface LatencySummary {
  p50: number
  p90: number
  p99: number
  p999: number
  max: number
  mean: number
}

export interface PhaseResult {
  /** Readers open and subscribed when the phase started. */
  readers: number
  /** Publishes that succeeded (their seq is known), times readers. */
  expected: number
  /** Distinct (reader, seq) frames received. */
  delivered: number
  /** Expected frames never received. */
  lost: number
  /** Frames a reader received more than once (or with a seq at or below one it already had). */
  duplicated: number
  /** Frames that arrived after a higher seq on the same reader. */
  outOfOrder: number
  /** Event frames with a seq outside the phase that were not duplicates. */
  unexpected: number
  /** Publish-to-receive latency over every delivered frame, in ms. */
  latencyMs: LatencySummary | null
  /** Wall time (ms since the epoch) of the first and last event frame received in the phase. */
  firstReceiveAt: number | null
  lastReceiveAt: number | null
  /** Bytes of event frames received (payload only). */
  bytes: number
  /** Payload size of one event frame. */
  frameBytes: number
  /** The load generator's own CPU during the phase (user + system), in ms. */
  cpuMs: number
  wallMs: number
  /** True when every open reader got every frame before the wait ended. */
  complete: boolean
  /** Readers closed by the server (or by an error) during the phase, by close code. */
  closedDuringPhase: Record<string, number>
  /** Per published update: latency of its first and last delivery (ms), and how many readers got it. */
  perUpdate: Array<{ seq: number; firstMs: number | null; lastMs: number | null; received: number }>
}
