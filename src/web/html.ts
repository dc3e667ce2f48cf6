import { escapeHtml } from '../lib/escape-html.js'

/** Markup that is already safe: produced by `html` below or by the server's update renderer. */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value
  }
}

/** Marks a string as trusted markup. Only for HTML the server itself produced (an update's `html`). */
export const trusted = (markup: string) => new SafeHtml(markup)

type Value = SafeHtml | string | number | null | undefined | false | readonly Value[]

function renderValue(value: Value): string {
  if (value === null || value === undefined || value === false) return ''
  if (value instanceof SafeHtml) return value.value
  if (Array.isArray(value)) return value.map(renderValue).join('')
  return escapeHtml(String(value))
}

/**
 * A template tag that escapes every interpolated value unless it is SafeHtml, so text from the
 * database (titles, summaries, names) can only ever appear as text.
 * @example html`<h1>${story.title}</h1>` // '<h1>Fire &lt;b&gt;spreads&lt;/b&gt;</h1>'
 */
export function html(strings: TemplateStringsArray, ...values: Value[]): SafeHtml {
  let out = strings[0] ?? ''
  values.forEach((value, i) => {
    out += renderValue(value) + (strings[i + 1] ?? '')
  })
  return new SafeHtml(out)
}

/**
 * JSON for a `<script type="application/ld+json">` block: `<` is escaped so no string inside can
 * close the script element.
 */
export function jsonForScript(value: unknown): SafeHtml {
  return new SafeHtml(
    JSON.stringify(value)
      .replace(/</g, '\\u003c')
      .replace(/>/g, '\\u003e')
      .replace(/&/g, '\\u0026')
      .replace(/\u2028/g, '\\u2028')
      .replace(/\u2029/g, '\\u2029'),
  )
}

/** "2026-11-25 12:27 UTC": what a reader without JavaScript sees; the client script localises it. */
export function utcStamp(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`
}
