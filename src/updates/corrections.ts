import { escapeHtml } from '../lib/escape-html.js'
import type { Correction } from './schema.js'

/** "2026-11-24 14:03 UTC": the same stamp the reader page prints. */
function stamp(at: string): string {
  return `${at.slice(0, 10)} ${at.slice(11, 16)} UTC`
}

/**
 * The corrections readers see under an update ("Correction, <time>: <note>"), from its
 * `corrections` field. They are not part of the update's `html` (the contract makes that the
 * headline and blocks only): the reader page, the widget's fragment and the feeds add this under
 * it, and live-view.js builds the same markup for updates that arrive live. Change them together.
 * @example renderCorrectionsHtml([{ at: '2026-11-24T14:03:00.000Z', note: 'It is Tuesday.' }])
 *   // '<aside class="ll-corrections"><p class="ll-correction"><strong>Correction</strong>, <time …>2026-11-24 14:03 UTC</time>: It is Tuesday.</p></aside>'
 */
export function renderCorrectionsHtml(corrections: readonly Correction[]): string {
  if (corrections.length === 0) return ''
  const items = corrections
    .map(
      (c) =>
        `<p class="ll-correction"><strong>Correction</strong>, <time datetime="${escapeHtml(c.at)}">${stamp(c.at)}</time>: ${escapeHtml(c.note)}</p>`,
    )
    .join('')
  return `<aside class="ll-corrections">${items}</aside>`
}
