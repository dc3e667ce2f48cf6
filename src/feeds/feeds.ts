import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import type { Registry } from 'prom-client'
import { canSeeStory, type Principal } from '../auth/roles.js'
import type { Deps } from '../deps.js'
import { AppError } from '../errors.js'
import { getStoryRowOrThrow } from '../events/event-log.js'
import { type StaticFile, staticFile } from '../http/static-file.js'
import type { Queryable } from '../store/db.js'
import type { StoryRow } from '../store/schema.js'
import { renderCorrectionsHtml } from '../updates/corrections.js'
import type { Block, Correction } from '../updates/schema.js'
import { updateTitle } from '../updates/title.js'
import { renderAtom } from './atom.js'
import { FeedCache } from './cache.js'
import { type Conditions, isNotModified, lastModifiedFor } from './conditional.js'
import { renderJsonFeed } from './json-feed.js'
import { createFeedMetrics, type FeedMetrics } from './metrics.js'
import {
  FEED_FORMATS,
  type FeedEntry,
  type FeedFormat,
  type FeedModel,
  type FeedSource,
  uuidUrn,
} from './model.js'
import { renderRss } from './rss.js'
import { DEFAULT_FEED_ENTRIES } from './schema.js'

/** Bump when the rendered output changes, so ETags from an older release stop matching. */
const FEED_RENDERING = 1

export const FEED_CONTENT_TYPES: Record<FeedFormat, string> = {
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
  rss: 'application/rss+xml; charset=utf-8',
}

// A feed of a live story changes by the minute; an ended one only by corrections. Drafts are
// for the newsroom's keys only and must never sit in a shared cache.
const CACHE_CONTROL = {
  live: 'public, max-age=30',
  ended: 'public, max-age=300',
  draft: 'private, no-cache',
} as const

const RENDERERS: Record<FeedFormat, (feed: FeedModel) => string> = {
  atom: renderAtom,
  json: renderJsonFeed,
  rss: renderRss,
}

/** What the feeds keep between requests: rendered documents (compressed once) and counters. */
export interface FeedState {
  cache: FeedCache<StaticFile>
  metrics: FeedMetrics
}

/** Brotli quality for a feed compressed once per change. */
const FEED_BROTLI_QUALITY = 6

export function createFeedState(registry: Registry): FeedState {
  const cache = new FeedCache<StaticFile>({
    sizeOf: (file) => file.body.length * 2 + file.br.length + file.gzip.length,
  })
  return { cache, metrics: createFeedMetrics(registry) }
}

export interface FeedArgs {
  format: FeedFormat
  limit: number
  /** Scheme and host for absolute links, without a trailing slash: `https://news.example.com`. */
  baseUrl: string
  conditions: Conditions
}

/** A feed answer: 200 with a body, or 304 with none; the headers are the same for both. */
export interface FeedResult {
  status: 200 | 304
  /** The document with its br and gzip bytes (its `etag` is not used: feeds carry their own). */
  body: StaticFile | null
  contentType: string
  etag: string
  lastModified: Date
  cacheControl: string
}

/** The cheap part: what version a feed is at, read without touching its entries. */
interface FeedHead {
  /** Story id, or `live` for the all-live-stories feed. */
  scope: string
  /** The story's seq, or a digest of the live stories' (id, seq) pairs. */
  version: string
  changedAt: Date
  cacheControl: string
}

interface Rendered {
  head: FeedHead
  feed: FeedModel
}

/**
 * A story's feed. The story row is read first (one indexed query); when its seq says the reader's
 * copy or the cached document is current, no entry is read at all.
 * @throws AppError('not_found') for an unknown story, or a draft the caller may not see
 * @example await getStoryFeed(deps, state, null, 'rafah-talks', { format: 'atom', limit: 50, baseUrl, conditions: {} })
 */
export async function getStoryFeed(
  deps: Deps,
  state: FeedState,
  principal: Principal | null,
  ref: string,
  args: FeedArgs,
): Promise<FeedResult> {
  const story = await getStoryRowOrThrow(deps.db, principal, ref)
  return answer(deps, state, args, storyHead(story), async () => {
    // One snapshot for the story row and its updates, so the document is exactly the story at one seq.
    const snapshot = await deps.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (tx) => {
        const row = await tx.selectFrom('stories').selectAll().where('id', '=', story.id).executeTakeFirst()
        if (!row || !canSeeStory(principal, row.status))
          throw new AppError('not_found', `story ${ref} does not exist`)
        return { row, entries: await readEntries(tx, args.limit, row.id) }
      })
    const { row, entries } = snapshot
    const urls = storyUrls(args.baseUrl, row.slug, args.limit)
    return {
      head: storyHead(row),
      feed: {
        urn: uuidUrn(`story:${row.id}`),
        title: row.title,
        description: row.summary,
        language: row.language,
        updated: row.last_update_at ?? row.updated_at,
        homeUrl: urls.home,
        feedUrls: urls.feeds,
        entries: entries.map((e) => toEntry(e, row, urls.home, null)),
      },
    }
  })
}

/**
 * The feed of every live story: their newest updates, merged, newest first. Its version is a
 * digest of the live stories' (id, seq) pairs, so it moves when any of them changes and when a
 * story goes live, ends or is unpublished.
 */
export async function getLiveFeed(deps: Deps, state: FeedState, args: FeedArgs): Promise<FeedResult> {
  const live = await readLiveStories(deps.db)
  return answer(deps, state, args, liveHead(live), async () => {
    const snapshot = await deps.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (tx) => ({
        live: await readLiveStories(tx),
        entries: await readEntries(tx, args.limit),
      }))
    const byId = new Map(snapshot.live.stories.map((s) => [s.id, s]))
    const base = args.baseUrl
    const query = args.limit === DEFAULT_FEED_ENTRIES ? '' : `?limit=${args.limit}`
    const entries = snapshot.entries.flatMap((e) => {
      const story = byId.get(e.story_id)
      if (!story) return []
      const urls = storyUrls(base, story.slug, DEFAULT_FEED_ENTRIES)
      const source: FeedSource = {
        urn: uuidUrn(`story:${story.id}`),
        title: story.title,
        url: urls.home,
        updated: story.last_update_at ?? story.updated_at,
        feedUrls: urls.feeds,
      }
      return [toEntry(e, story, urls.home, source)]
    })
    return {
      head: liveHead(snapshot.live),
      feed: {
        urn: uuidUrn('live'),
        title: 'Live stories',
        description: 'The newest updates from every live story',
        language: null,
        updated: newest(snapshot.live.stories.map((s) => s.last_update_at ?? s.updated_at)),
        homeUrl: `${base}/`,
        feedUrls: feedUrls(`${base}/v1/feed`, query),
        entries,
      },
    }
  })
}

/** Conditional GET, then the cache, then (only on a miss) a render that reads the entries. */
async function answer(
  deps: Deps,
  state: FeedState,
  args: FeedArgs,
  head: FeedHead,
  render: () => Promise<Rendered>,
): Promise<FeedResult> {
  const { format } = args
  const now = deps.clock()
  const result = (status: 200 | 304, body: StaticFile | null, h: FeedHead): FeedResult => ({
    status,
    body,
    contentType: FEED_CONTENT_TYPES[format],
    etag: etagFor(h, args),
    lastModified: lastModifiedFor(h.changedAt, now).date,
    cacheControl: h.cacheControl,
  })
  if (isNotModified(args.conditions, etagFor(head, args), lastModifiedFor(head.changedAt, now), now)) {
    state.metrics.notModified.inc({ format })
    return result(304, null, head)
  }
  const variant = `${head.scope}|${format}|${args.limit}|${args.baseUrl}`
  const cached = state.cache.get(variant, head.version)
  if (cached !== undefined) {
    state.metrics.cacheHits.inc({ format })
    return result(200, cached, head)
  }
  // The snapshot may be newer than the head read above: it is then what gets cached and described.
  const rendered = await render()
  state.metrics.renders.inc({ format })
  const body = staticFile(RENDERERS[format](rendered.feed), FEED_CONTENT_TYPES[format], FEED_BROTLI_QUALITY)
  state.cache.set(variant, rendered.head.version, body)
  return result(200, body, rendered.head)
}

/**
 * Strong, because the document is a pure function of what goes in: the version, format and
 * query, the base URL and this release's rendering.
 */
function etagFor(head: FeedHead, args: FeedArgs): string {
  const variant = createHash('sha1')
    .update(`${FEED_RENDERING}|${args.baseUrl}`)
    .digest('base64url')
    .slice(0, 10)
  return `"${head.scope}-${head.version}-${args.format}-${args.limit}-${variant}"`
}

function storyHead(story: StoryRow): FeedHead {
  return {
    scope: story.id,
    version: String(story.seq),
    changedAt: changedAt(story),
    cacheControl: CACHE_CONTROL[story.status],
  }
}

/** Every change to a story moves one of these two: updates move last_update_at, the rest updated_at. */
function changedAt(story: Pick<StoryRow, 'updated_at' | 'last_update_at'>): Date {
  return newest([story.updated_at, story.last_update_at])
}

type LiveStory = Pick<
  StoryRow,
  'id' | 'seq' | 'slug' | 'title' | 'updated_at' | 'last_update_at' | 'pinned_update_id'
>

function liveHead(live: LiveStories): FeedHead {
  const version = createHash('sha1')
    .update(live.stories.map((s) => `${s.id}:${s.seq}`).join(','))
    .digest('hex')
    .slice(0, 16)
  return { scope: 'live', version, changedAt: live.changedAt, cacheControl: CACHE_CONTROL.live }
}

function newest(dates: Array<Date | null>): Date {
  let max = 0
  for (const d of dates) if (d && d.getTime() > max) max = d.getTime()
  return new Date(max)
}

interface LiveStories {
  stories: LiveStory[]
  /**
   * The newest change to any story, live or not. A story that ends or is unpublished leaves the
   * set and moves its own updated_at, so this never goes back when the set shrinks, and it comes
   * from the database alone: every instance answers the same Last-Modified.
   */
  changedAt: Date
}

async function readLiveStories(db: Queryable): Promise<LiveStories> {
  const [stories, newestChange] = await Promise.all([
    db
      .selectFrom('stories')
      .select(['id', 'seq', 'slug', 'title', 'updated_at', 'last_update_at', 'pinned_update_id'])
      .where('status', '=', 'live')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('stories')
      .select(sql<Date | null>`max(greatest(updated_at, last_update_at))`.as('at'))
      .executeTakeFirst(),
  ])
  return { stories, changedAt: newestChange?.at ? new Date(newestChange.at) : new Date(0) }
}

/** The newest `limit` updates of one story, or of every live story when no story is given. */
async function readEntries(db: Queryable, limit: number, storyId?: string) {
  let q = db
    .selectFrom('updates')
    .select([
      'updates.id',
      'updates.story_id',
      'updates.headline',
      'updates.blocks',
      'updates.html',
      'updates.corrections',
      'updates.key_event',
      'updates.author_name',
      'updates.author_avatar_url',
      'updates.published_at',
      'updates.edited_at',
    ])
    .where('updates.deleted_at', 'is', null)
    // Submitted and scheduled updates are not public until they are published.
    .where('updates.status', '=', 'published')
  q = storyId
    ? q.where('updates.story_id', '=', storyId)
    : q.innerJoin('stories', 'stories.id', 'updates.story_id').where('stories.status', '=', 'live')
  return q.orderBy('updates.published_at', 'desc').orderBy('updates.id', 'desc').limit(limit).execute()
}

type EntryRow = Awaited<ReturnType<typeof readEntries>>[number]

function toEntry(
  row: EntryRow,
  story: Pick<StoryRow, 'pinned_update_id'>,
  storyUrl: string,
  source: FeedSource | null,
): FeedEntry {
  return {
    id: row.id,
    urn: uuidUrn(`update:${row.id}`),
    title: updateTitle(row.headline, row.blocks as Block[]),
    // Feed readers see a correction under the update, as the page shows it.
    html: row.html + renderCorrectionsHtml((row.corrections as Correction[] | null) ?? []),
    author: row.author_name,
    authorAvatar: row.author_avatar_url,
    published: row.published_at,
    updated: row.edited_at ?? row.published_at,
    url: `${storyUrl}#update-${row.id}`,
    keyEvent: row.key_event,
    pinned: story.pinned_update_id === row.id,
    source,
  }
}

function feedUrls(path: string, query: string): Record<FeedFormat, string> {
  return Object.fromEntries(FEED_FORMATS.map((f) => [f, `${path}.${f}${query}`])) as Record<
    FeedFormat,
    string
  >
}

function storyUrls(base: string, slug: string, limit: number) {
  const query = limit === DEFAULT_FEED_ENTRIES ? '' : `?limit=${limit}`
  return {
    home: `${base}/s/${encodeURIComponent(slug)}`,
    feeds: feedUrls(`${base}/v1/stories/${encodeURIComponent(slug)}/feed`, query),
  }
}
