import type { Block } from './schema.js'

const TITLE_EXCERPT_CHARS = 100

/**
 * What lists call an update (feed entries, the page's key events, JSON-LD): its headline, or
 * (updates may have none) the start of its first block's text, cut at a word, so every reader
 * has something to list.
 * @example updateTitle(null, [{ type: 'text', text: 'Talks resume in Washington' }]) // 'Talks resume in Washington'
 */
export function updateTitle(headline: string | null, blocks: Block[]): string {
  if (headline) return headline
  const first = blocks[0]
  let text = ''
  if (first?.type === 'text' || first?.type === 'quote') text = first.text
  else if (first?.type === 'image') text = first.caption ?? first.alt ?? 'Image'
  else if (first?.type === 'embed') text = first.url
  text = text.replace(/\s+/g, ' ').trim()
  if (text.length <= TITLE_EXCERPT_CHARS) return text || 'Update'
  const cut = text.slice(0, TITLE_EXCERPT_CHARS)
  const space = cut.lastIndexOf(' ')
  return `${(space > TITLE_EXCERPT_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}\u2026`
}
