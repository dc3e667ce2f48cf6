import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { SeriesCounter, SeriesHistogram } from './lib/series-metrics.js'

/** The service's Prometheus metrics, one registry per app so tests can build many apps. */
export function createMetrics() {
  const registry = new Registry()
  const registers = [registry]
  return {
    registry,
    connections: new Gauge({
      name: 'liveline_ws_connections',
      help: 'Open websocket connections',
      registers,
    }),
    subscriptions: new Gauge({
      name: 'liveline_ws_subscriptions',
      help: 'Story subscriptions across open websocket connections and event streams',
      registers,
    }),
    streams: new Gauge({
      name: 'liveline_sse_streams',
      help: 'Open server-sent-event streams (GET /v1/stories/:story/stream)',
      registers,
    }),
    storiesFollowed: new Gauge({
      name: 'liveline_stories_followed',
      help: 'Stories this instance has local readers for (and is subscribed to on the bus)',
      registers,
    }),
    eventsPublished: new Counter({
      name: 'liveline_events_published_total',
      help: 'Story events committed and published to the bus by this instance',
      registers,
    }),
    busPublishFailures: new Counter({
      name: 'liveline_bus_publish_failures_total',
      help: 'Publishes the bus refused (the event is committed; readers catch up from the log)',
      registers,
    }),
    framesDelivered: new Counter({
      name: 'liveline_frames_delivered_total',
      help: 'Event frames sent to websocket readers',
      registers,
    }),
    busReconnects: new Counter({
      name: 'liveline_bus_reconnects_total',
      help: 'Bus reconnections',
      registers,
    }),
    presenceReaders: new Gauge({
      name: 'liveline_story_readers',
      help: 'Readers of a story on every instance (websocket and server-sent events), as this instance counts them',
      labelNames: ['story'] as const,
      registers,
    }),
    publicReads: new Counter({
      name: 'liveline_public_reads_total',
      help: 'Anonymous public reads (page, fragment, story, updates) answered from memory (hit) or rendered',
      labelNames: ['result'] as const,
      registers,
    }),
    // Counted once per ready answer: see SeriesCounter.
    readyAnswers: new SeriesCounter({
      name: 'liveline_ready_answers_total',
      help: 'Public reads (pages, fragments, story, updates, feeds) sent again as kept, before the router',
      labelNames: ['status'] as const,
      registers,
    }),
    subscribeSeconds: new Histogram({
      name: 'liveline_subscribe_duration_seconds',
      help: 'From a subscribe frame (or stream) reaching the hub to its answer being written: the story lookup, the channel opening, the join',
      buckets: [0.001, 0.005, 0.025, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    liveLogReads: new Counter({
      name: 'liveline_live_log_reads_total',
      help: 'Reads of the database by the live path (story lookups, positions, events, heads)',
      registers,
    }),
    gapBackfills: new Counter({
      name: 'liveline_gap_backfills_total',
      help: 'Times a gap in the live stream was filled from the events table',
      registers,
    }),
    slowReaderDisconnects: new Counter({
      name: 'liveline_slow_reader_disconnects_total',
      help: 'Readers closed with 1013 because they could not keep up',
      registers,
    }),
    webhookAttempts: new Counter({
      name: 'liveline_webhook_attempts_total',
      help: 'Webhook delivery attempts by outcome (success, retry, failed)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    // Observed once per request, ready answers included: see SeriesHistogram.
    httpRequests: new SeriesHistogram({
      name: 'liveline_http_request_duration_seconds',
      help: 'HTTP request duration by method, route and status',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
  }
}

export type Metrics = ReturnType<typeof createMetrics>
