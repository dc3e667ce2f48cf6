import { Counter, type Registry } from 'prom-client'

/** The feeds' own counters, registered on the app's registry so /metrics shows them. */
export function createFeedMetrics(registry: Registry) {
  const registers = [registry]
  return {
    renders: new Counter({
      name: 'liveline_feed_renders_total',
      help: 'Feed documents rendered (each one read its entries from the database)',
      labelNames: ['format'] as const,
      registers,
    }),
    cacheHits: new Counter({
      name: 'liveline_feed_cache_hits_total',
      help: 'Feed requests answered with a cached document',
      labelNames: ['format'] as const,
      registers,
    }),
    notModified: new Counter({
      name: 'liveline_feed_not_modified_total',
      help: 'Feed requests answered 304 Not Modified',
      labelNames: ['format'] as const,
      registers,
    }),
  }
}

export type FeedMetrics = ReturnType<typeof createFeedMetrics>
