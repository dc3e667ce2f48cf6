import { escapeHtml } from '../lib/escape-html.js'
import type { Block } from './schema.js'

// Trailing punctuation usually ends the sentence, not the URL.
const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g

/** Escaped text with http(s) URLs turned into links; nothing the author typed becomes markup. */
function linkify(text: string): string {
  let out = ''
  let last = 0
  for (const match of text.matchAll(URL_IN_TEXT)) {
    const url = match[0]
    out += escapeHtml(text.slice(last, match.index))
    out += `<a href="${escapeHtml(url)}" rel="noopener nofollow ugc">${escapeHtml(url)}</a>`
    last = (match.index ?? 0) + url.length
  }
  return out + escapeHtml(text.slice(last))
}

/** Blank lines separate paragraphs; single line breaks stay as <br>. */
function paragraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0)
    .map((p) => `<p>${p.split('\n').map(linkify).join('<br>')}</p>`)
    .join('')
}

function renderBlock(block: Block): string {
  switch (block.type) {
    case 'text':
      return paragraphs(block.text)
    case 'quote': {
      const cite = block.attribution ? `<footer>${escapeHtml(block.attribution)}</footer>` : ''
      return `<blockquote>${paragraphs(block.text)}${cite}</blockquote>`
    }
    case 'image': {
      const caption = [
        block.caption ? `<span class="caption">${escapeHtml(block.caption)}</span>` : '',
        block.credit ? `<span class="credit">${escapeHtml(block.credit)}</span>` : '',
      ].join(block.caption && block.credit ? ' ' : '')
      const img = `<img src="${escapeHtml(block.url)}" alt="${escapeHtml(block.alt ?? block.caption ?? '')}" loading="lazy">`
      return `<figure>${img}${caption ? `<figcaption>${caption}</figcaption>` : ''}</figure>`
    }
    case 'embed':
      return `<div class="embed"><a href="${escapeHtml(block.url)}" rel="noopener nofollow ugc">${escapeHtml(block.url)}</a></div>`
  }
}

/**
 * The server's HTML for an update. Every piece of text is escaped, so a client can send any
 * string and no markup of its own reaches a reader's page.
 * @example renderUpdateHtml('Talks canceled', [{ type: 'text', text: 'Officials said <b>no</b>.' }])
 *   // '<h2>Talks canceled</h2><p>Officials said &lt;b&gt;no&lt;/b&gt;.</p>'
 */
export function renderUpdateHtml(headline: string | null | undefined, blocks: Block[]): string {
  const head = headline ? `<h2>${escapeHtml(headline)}</h2>` : ''
  return head + blocks.map(renderBlock).join('')
}
