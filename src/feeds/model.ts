import { createHash } from 'node:crypto'

export type FeedFormat = 'atom' | 'json' | 'rss'
export const FEED_FORMATS: readonly FeedFormat[] = ['atom', 'json', 'rss']

/** One update as every feed format shows it. */
export interface FeedEntry {
  /** The update's id (JSON Feed `id`, RSS `guid`); Atom uses `urn`. */
  id: string
  /** `urn:uuid:…` derived from the update id: stable across hosts, instances and edits. */
  urn: string
  title: string
  /** The update's server-rendered, escaped HTML, as the API returns it. */
  html: string
  author: string
  /** The byline's avatar (JSON Feed `authors[].avatar`), if the person has one. */
  authorAvatar: string | null
  published: Date
  /** editedAt, else publishedAt. */
  updated: Date
  /** The update on the reader page (`/s/:slug#update-<id>`). */
  url: string
  keyEvent: boolean
  pinned: boolean
  /** The story the update belongs to; set in the all-live-stories feed only. */
  source: FeedSource | null
}

export interface FeedSource {
  urn: string
  title: string
  url: string
  updated: Date
  feedUrls: Record<FeedFormat, string>
}

/** A feed, format-neutral: the renderers turn it into Atom, JSON Feed or RSS. */
export interface FeedModel {
  urn: string
  title: string
  description: string | null
  language: string | null
  updated: Date
  /** The page people read (the story's reader page, or the site root). */
  homeUrl: string
  /** This feed in each format, with the same query (`rel="self"` and friends). */
  feedUrls: Record<FeedFormat, string>
  entries: FeedEntry[]
}

// Fixed namespace for the name-based UUIDs below: changing it would change every feed id.
const NAMESPACE = Buffer.from('5d0b8f6e2c4a4e0f9b7d1e3a6c8f2b40', 'hex')

/**
 * A name-based (version 5, RFC 9562) UUID URN: the same name always gives the same id, so feed
 * readers never see an entry twice, whichever host or instance served the feed.
 * @example uuidUrn('update:01jd3k9x2a7f4q8r1m2n3p4s5t') // 'urn:uuid:…'
 */
export function uuidUrn(name: string): string {
  const h = createHash('sha1').update(NAMESPACE).update(name).digest().subarray(0, 16)
  h[6] = ((h[6] as number) & 0x0f) | 0x50
  h[8] = ((h[8] as number) & 0x3f) | 0x80
  const x = h.toString('hex')
  return `urn:uuid:${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`
}
