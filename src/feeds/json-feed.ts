import { toWireTime } from '../lib/time.js'
import type { FeedEntry, FeedModel } from './model.js'

function renderItem(entry: FeedEntry): Record<string, unknown> {
  const tags = [...(entry.keyEvent ? ['key-event'] : []), ...(entry.pinned ? ['pinned'] : [])]
  const item: Record<string, unknown> = {
    id: entry.id,
    url: entry.url,
    title: entry.title,
    content_html: entry.html,
    date_published: toWireTime(entry.published),
    date_modified: toWireTime(entry.updated),
    authors: [
      entry.authorAvatar ? { name: entry.author, avatar: entry.authorAvatar } : { name: entry.author },
    ],
  }
  if (tags.length > 0) item.tags = tags
  // Extension keys start with an underscore (JSON Feed 1.1, "Extensions"); readers ignore them.
  const liveline: Record<string, unknown> = { keyEvent: entry.keyEvent, pinned: entry.pinned }
  if (entry.source)
    liveline.story = { title: entry.source.title, url: entry.source.url, feedUrl: entry.source.feedUrls.json }
  item._liveline = liveline
  return item
}

/** A JSON Feed 1.1 document (https://jsonfeed.org/version/1.1). */
export function renderJsonFeed(feed: FeedModel): string {
  const doc: Record<string, unknown> = {
    version: 'https://jsonfeed.org/version/1.1',
    title: feed.title,
    home_page_url: feed.homeUrl,
    feed_url: feed.feedUrls.json,
  }
  if (feed.description) doc.description = feed.description
  if (feed.language) doc.language = feed.language
  doc.items = feed.entries.map(renderItem)
  // `<` as \u003c: the same JSON, but safe even if someone inlines it in an HTML <script>.
  return JSON.stringify(doc).replace(/</g, '\\u003c')
}
