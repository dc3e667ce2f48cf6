import { createHash } from 'node:crypto'
import { sql } from 'kysely'
import { canSeeStory, type Principal } from '../auth/roles.js'
import type { Deps } from '../deps.js'
import { AppError } from '../errors.js'
import { getStoryRowOrThrow } from '../events/event-log.js'
import {
  CACHE_CONTROL as CACHE_CONTROL_FOR,
  SHARED_MAX_AGE_SECONDS,
  STALE_WHILE_REVALIDATE_SECONDS,
} from '../http/conditional.js'
import { type StaticFile, staticFile } from '../http/static-file.js'
import type { TrustedRead } from '../public-reads/trusted-read.js'
import type { Queryable } from '../store/db.js'
import type { StoryRow, StoryStatus } from '../store/schema.js'
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

/**
 * Public feeds may sit in a shared cache (CDN) briefly and be served stale while it revalidates, as
 * the pages do; feed readers themselves poll, so a live story's feed asks them back within 30 s and
 * an ended one (only corrections change it) within 5 minutes. Drafts, and anything read with a key,
 * never sit in a shared cache.
 */
const CACHE_CONTROL = {
  live: `public, max-age=30, s-maxage=${SHARED_MAX_AGE_SECONDS}, stale-while-revalidate=${STALE_WHILE_REVALIDATE_SECONDS}`,
  ended: `public, max-age=300, s-maxage=${SHARED_MAX_AGE_SECONDS}, stale-while-revalidate=${STALE_WHILE_REVALIDATE_SECONDS}`,
  private: CACHE_CONTROL_FOR.private,
} as const

function cacheControlFor(status: StoryStatus, principal: Principal | null): string {
  if (principal !== null || status === 'draft') return CACHE_CONTROL.private
  return CACHE_CONTROL[status]
}

const RENDERERS: Record<FeedFormat, (feed: FeedModel) => string> = {
  atom: renderAtom,
  json: renderJsonFeed,
  rss: renderRss,
}

/** A rendered document (compressed once) with the version it shows. */
interface CachedFeed {
  file: StaticFile
  head: FeedHead
}

/**
 * What the feeds keep between requests: rendered documents, the set of live stories (read again
 * only after a story changes somewhere), and counters.
 */
export interface FeedState {
  cache: FeedCache<CachedFeed>
  liveStories: TrustedRead<LiveStories>
  metrics: FeedMetrics
}

/** Brotli quality for a feed compressed once per change. */
const FEED_BROTLI_QUALITY = 6

export function createFeedState(deps: Pick<Deps, 'db' | 'metrics' | 'publicReads'>): FeedState {
  const cache = new FeedCache<CachedFeed>({
    sizeOf: ({ file }) => file.body.length * 2 + file.br.length + file.gzip.length,
  })
  return {
    cache,
    liveStories: deps.publicReads.readUntilAnyChange(() => readLiveStories(deps.db)),
    metrics: createFeedMetrics(deps.metrics.registry),
  }
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
  /**
   * False while the change's own second is still running: Last-Modified is then given a second
   * early (see lastModifiedFor), so the answer must not be kept as it is.
   */
  lastModifiedSettled: boolean
  cacheControl: string
  /**
   * For an anonymous reader: true while this answer is still what a request would get now
   * (checked without waiting), so it may be sent again as it is. Null: do not keep it.
   */
  isCurrent: (() => boolean) | null
}

/** The cheap part: what version a feed is at, read without touching its entries. */
interface FeedHead {
  /** Story id, or `live` for the all-live-stories feed. */
  scope: string
  /** The story's seq, or a digest of the live stories' (id, seq) pairs. */
  version: string
  changedAt: Date
  status: StoryStatus
}

interface Rendered {
  head: FeedHead
  feed: FeedModel
}

/**
 * A story's feed. An anonymous reader's request is answered from memory while the story's seq (as
 * the public reads know it, from the bus) matches a kept document; otherwise the story row is read
 * first (one indexed query), and when its seq says the reader's copy or the kept document is
 * current, no entry is read at all.
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
  if (principal === null) {
    const version = await deps.publicReads.version(ref)
    const kept =
      version && version.status !== 'draft'
        ? state.cache.get(variantOf(version.storyId, args), String(version.seq))
        : undefined
    if (kept) return keepable(deps, principal, fromCache(deps, state, args, principal, kept), kept.head)
  }
  const story = await getStoryRowOrThrow(deps.db, principal, ref)
  const head = storyHead(story)
  const feed = await answer(deps, state, args, principal, head, async () => {
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
  return keepable(deps, principal, feed, head)
}

/** A story feed's answer may be kept while the story is still at the seq it shows. */
function keepable(deps: Deps, principal: Principal | null, feed: FeedResult, head: FeedHead): FeedResult {
  if (principal !== null || head.status === 'draft' || !feed.lastModifiedSettled) return feed
  const seq = Number(head.version)
  return { ...feed, isCurrent: () => deps.publicReads.isCurrent(head.scope, seq) }
}

/**
 * The feed of every live story: their newest updates, merged, newest first. Its version is a
 * digest of the live stories' (id, seq) pairs, so it moves when any of them changes and when a
 * story goes live, ends or is unpublished.
 */
export async function getLiveFeed(
  deps: Deps,
  state: FeedState,
  principal: Principal | null,
  args: FeedArgs,
): Promise<FeedResult> {
  const live = await state.liveStories.current()
  const head = liveHead(live)
  const feed = await answer(deps, state, args, principal, head, async () => {
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
  // Kept while no story has changed since the set was read, if this answer shows that set.
  if (principal !== null || !feed.lastModifiedSettled || feed.etag !== etagFor(head, args)) return feed
  return { ...feed, isCurrent: () => state.liveStories.peek() === live }
}

/** Conditional GET, then the cache, then (only on a miss) a render that reads the entries. */
async function answer(
  deps: Deps,
  state: FeedState,
  args: FeedArgs,
  principal: Principal | null,
  head: FeedHead,
  render: () => Promise<Rendered>,
): Promise<FeedResult> {
  const { format } = args
  if (isCurrent(deps, args, head)) {
    state.metrics.notModified.inc({ format })
    return result(deps, args, principal, 304, null, head)
  }
  const variant = variantOf(head.scope, args)
  const kept = state.cache.get(variant, head.version)
  if (kept !== undefined) return fromCache(deps, state, args, principal, kept)
  // The snapshot may be newer than the head read above: it is then what gets cached and described.
  const rendered = await render()
  state.metrics.renders.inc({ format })
  const file = staticFile(RENDERERS[format](rendered.feed), FEED_CONTENT_TYPES[format], FEED_BROTLI_QUALITY)
  state.cache.set(variant, rendered.head.version, { file, head: rendered.head })
  return result(deps, args, principal, 200, file, rendered.head)
}

/** A kept document: 304 when the reader holds it, else its bytes. */
function fromCache(
  deps: Deps,
  state: FeedState,
  args: FeedArgs,
  principal: Principal | null,
  kept: CachedFeed,
): FeedResult {
  if (isCurrent(deps, args, kept.head)) {
    state.metrics.notModified.inc({ format: args.format })
    return result(deps, args, principal, 304, null, kept.head)
  }
  state.metrics.cacheHits.inc({ format: args.format })
  return result(deps, args, principal, 200, kept.file, kept.head)
}

function isCurrent(deps: Deps, args: FeedArgs, head: FeedHead): boolean {
  const now = deps.clock()
  return isNotModified(args.conditions, etagFor(head, args), lastModifiedFor(head.changedAt, now), now)
}

function result(
  deps: Deps,
  args: FeedArgs,
  principal: Principal | null,
  status: 200 | 304,
  body: StaticFile | null,
  head: FeedHead,
): FeedResult {
  const lastModified = lastModifiedFor(head.changedAt, deps.clock())
  return {
    status,
    body,
    contentType: FEED_CONTENT_TYPES[args.format],
    etag: etagFor(head, args),
    lastModified: lastModified.date,
    lastModifiedSettled: lastModified.settled,
    cacheControl: cacheControlFor(head.status, principal),
    isCurrent: null,
  }
}

/** One kept document per scope (story or all-live), format, length and base URL. */
function variantOf(scope: string, args: FeedArgs): string {
  return `${scope}|${args.format}|${args.limit}|${args.baseUrl}`
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
    status: story.status,
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
  return { scope: 'live', version, changedAt: live.changedAt, status: 'live' }
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
