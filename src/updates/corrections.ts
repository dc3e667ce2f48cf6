import { escapeHtml } from '../lib/escape-html.js'
import type { Correction } from './schema.js'

/** "2026-11-24 14:03 UTC": the same stamp the reader page prints. */
function stamp(at: string): string {
  return `${at.slice(0, 10)} ${at.slice(11, 16)} UTC`
}

/**
 * The corrections readers see under the update. They are part of the update's `html`, so the page,
 * the widget, live readers and every feed show them with no code of their own.
 */
export function renderCorrectionsHtml(corrections: readonly Correction[]): string {
  if (corrections.length === 0) return ''
  const items = corrections
    .map(
      (c) =>
        `<p class="ll-correction"><strong>Correction</strong> <time datetime="${escapeHtml(c.at)}">${stamp(c.at)}</time>: ${escapeHtml(c.note)}</p>`,
    )
    .join('')
  return `<aside class="ll-corrections">${items}</aside>`
}
