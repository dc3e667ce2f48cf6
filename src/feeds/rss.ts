import type { FeedEntry, FeedModel } from './model.js'
import { element, escapeXml } from './xml.js'

/** RSS dates are RFC 822; `toUTCString()` gives its RFC 1123 form (four-digit year), which RSS 2.0 accepts. */
const rfc822 = (date: Date) => date.toUTCString()

function renderItem(entry: FeedEntry): string {
  const source = entry.source
    ? `<source url="${escapeXml(entry.source.feedUrls.rss)}">${escapeXml(entry.source.title)}</source>`
    : ''
  return (
    `<item>${element('title', entry.title)}${element('link', entry.url)}` +
    // The update's HTML as escaped text: RSS readers unescape description and render it as HTML.
    `${element('description', entry.html)}` +
    `${element('dc:creator', entry.author)}` +
    `${entry.keyEvent ? '<category>Key event</category>' : ''}${entry.pinned ? '<category>Pinned</category>' : ''}` +
    `<guid isPermaLink="false">${escapeXml(entry.id)}</guid><pubDate>${rfc822(entry.published)}</pubDate>` +
    // RSS has no edited time of its own: Atom's is the common extension readers understand.
    `<atom:updated>${entry.updated.toISOString()}</atom:updated>${source}</item>`
  )
}

/**
 * An RSS 2.0 document. `author` in RSS must be an e-mail address, so the author's name goes in
 * Dublin Core's `dc:creator`, as most feeds do.
 */
export function renderRss(feed: FeedModel): string {
  return (
    `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/">` +
    `<channel>${element('title', feed.title)}${element('link', feed.homeUrl)}` +
    element('description', feed.description || feed.title) +
    element('language', feed.language) +
    `<lastBuildDate>${rfc822(feed.updated)}</lastBuildDate><generator>Liveline</generator>` +
    `<atom:link rel="self" type="application/rss+xml" href="${escapeXml(feed.feedUrls.rss)}"/>` +
    feed.entries.map(renderItem).join('') +
    '</channel></rss>\n'
  )
}
