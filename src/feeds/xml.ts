// XML 1.0 allows only these characters (https://www.w3.org/TR/xml/#charsets); anything else, lone
// surrogates and C0 controls included, makes the whole document unparseable, so it is dropped.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
}

/**
 * Text made safe for XML element content and attribute values alike: illegal characters are
 * removed and the five markup characters escaped.
 * @example escapeXml('<b>"a" & b</b>') // '&lt;b&gt;&quot;a&quot; &amp; b&lt;/b&gt;'
 */
export function escapeXml(text: string): string {
  return text.replace(NOT_XML_CHAR, '').replace(/[&<>"']/g, (c) => XML_ESCAPES[c] as string)
}

/** `<name attr="…">escaped text</name>`, or nothing when the text is null or empty. */
export function element(name: string, text: string | null | undefined, attrs: string = ''): string {
  if (text === null || text === undefined || text === '') return ''
  return `<${name}${attrs}>${escapeXml(text)}</${name}>`
}
