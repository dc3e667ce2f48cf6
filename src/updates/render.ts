import { escapeHtml } from '../lib/escape-html.js'
import { type MediaUrl, mediaPath, parseMediaUrl, srcsetWidths, webpWidths } from '../media/urls.js'
import { embedProviderOf } from './embeds.js'
import type { Block } from './schema.js'

/**
 * How wide an update's image shows: the page's column is at most 44rem (live.css), narrower
 * screens use their full width. Browsers pick the srcset candidate from this.
 */
export const IMAGE_SIZES = '(min-width: 46rem) 44rem, 100vw'

function srcset(media: MediaUrl, format: MediaUrl['format']): string {
  return (format === 'webp' && media.format !== 'webp' ? webpWidths : srcsetWidths)(media.width)
    .map((w) => `${media.origin}${mediaPath(media.id, w, format)} ${w}w`)
    .join(', ')
}

/** An image: our uploads get smaller sizes and WebP through srcset; any other URL a plain img. */
function renderImage(url: string, alt: string): string {
  const attrs = `alt="${escapeHtml(alt)}" loading="lazy"`
  const media = parseMediaUrl(url)
  if (!media) return `<img src="${escapeHtml(url)}" ${attrs}>`
  const sizes = `sizes="${IMAGE_SIZES}"`
  const webp =
    media.format === 'webp'
      ? ''
      : `<source type="image/webp" srcset="${escapeHtml(srcset(media, 'webp'))}" ${sizes}>`
  const img = `<img src="${escapeHtml(url)}" srcset="${escapeHtml(srcset(media, media.format))}" ${sizes} ${attrs}>`
  return `<picture>${webp}${img}</picture>`
}

/**
 * An embed of a known provider is a card that loads nothing from the provider: a link to the post,
 * which /assets/embed-card.js turns into the provider's player on click when it has one
 * (`data-embed-src`). Any other URL stays a plain link.
 */
function renderEmbed(url: string): string {
  const link = `href="${escapeHtml(url)}" rel="noopener nofollow ugc"`
  const known = embedProviderOf(url)
  if (!known) return `<div class="embed"><a ${link}>${escapeHtml(url)}</a></div>`
  const { provider, frameSrc } = known
  const name = escapeHtml(provider.name)
  const action = frameSrc ? `Play the video from ${name}` : `View this post on ${name}`
  const frame = frameSrc ? ` data-embed-src="${escapeHtml(frameSrc)}"` : ''
  return (
    `<div class="embed embed-card" data-provider="${provider.id}"${frame}>` +
    `<a class="embed-card-link" ${link} target="_blank">` +
    `<span class="embed-card-provider">${name}</span>` +
    `<span class="embed-card-action">${action}</span>` +
    `<span class="embed-card-note">Nothing loads from ${name} until you click.</span>` +
    `<span class="embed-card-url">${escapeHtml(url)}</span>` +
    '</a></div>'
  )
}

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
      const img = renderImage(block.url, block.alt ?? block.caption ?? '')
      return `<figure>${img}${caption ? `<figcaption>${caption}</figcaption>` : ''}</figure>`
    }
    case 'embed':
      return renderEmbed(block.url)
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
