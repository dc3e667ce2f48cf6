import { toWireTime } from '../lib/time.js'
import type { FeedEntry, FeedModel } from './model.js'
import { element, escapeXml } from './xml.js'

const link = (rel: string, type: string, href: string) =>
  `<link rel="${rel}" type="${type}" href="${escapeXml(href)}"/>`

function categories(entry: FeedEntry): string {
  return (
    (entry.keyEvent ? '<category term="key-event" label="Key event"/>' : '') +
    (entry.pinned ? '<category term="pinned" label="Pinned"/>' : '')
  )
}

// atom:source keeps the story an entry came from when it is shown in the all-live-stories feed (RFC 4287 §4.2.11).
function source(entry: FeedEntry): string {
  const s = entry.source
  if (!s) return ''
  return `<source><id>${s.urn}</id>${element('title', s.title)}<updated>${toWireTime(s.updated)}</updated>${link('self', 'application/atom+xml', s.feedUrls.atom)}${link('alternate', 'text/html', s.url)}</source>`
}

function renderEntry(entry: FeedEntry): string {
  return (
    `<entry><id>${entry.urn}</id>${element('title', entry.title, ' type="text"')}` +
    `${link('alternate', 'text/html', entry.url)}` +
    `<published>${toWireTime(entry.published)}</published><updated>${toWireTime(entry.updated)}</updated>` +
    `<author>${element('name', entry.author)}</author>${categories(entry)}${source(entry)}` +
    // type="html": the update's HTML travels as escaped text, never as markup of the feed itself.
    `<content type="html">${escapeXml(entry.html)}</content></entry>`
  )
}

/**
 * An Atom 1.0 document (RFC 4287). Every entry has an author, so the feed needs none of its own.
 * @example renderAtom(model) // '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">…'
 */
export function renderAtom(feed: FeedModel): string {
  const lang = feed.language ? ` xml:lang="${escapeXml(feed.language)}"` : ''
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"${lang}>` +
    `<id>${feed.urn}</id>${element('title', feed.title, ' type="text"')}` +
    element('subtitle', feed.description, ' type="text"') +
    `<updated>${toWireTime(feed.updated)}</updated>` +
    link('self', 'application/atom+xml', feed.feedUrls.atom) +
    link('alternate', 'text/html', feed.homeUrl) +
    link('alternate', 'application/feed+json', feed.feedUrls.json) +
    link('alternate', 'application/rss+xml', feed.feedUrls.rss) +
    `<generator>Liveline</generator>` +
    feed.entries.map(renderEntry).join('') +
    '</feed>\n'
  )
}
