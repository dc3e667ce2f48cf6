/** The content under an ETag: without `W/` and without the `-br`/`-gz` suffix a compressed representation carries. */
function contentTag(tag: string): string {
  return tag.replace(/^W\//, '').replace(/-(br|gz)"$/, '"')
}

/**
 * True when an If-None-Match header lists `etag` or is `*`. The comparison is weak, as RFC 9110
 * §13.1.2 asks of If-None-Match: `W/"x"` matches `"x"`, and so does a compressed variant's
 * `"x-br"` or `"x-gz"` (the same content, so a 304 is right whichever coding the client holds).
 * @example etagMatches('W/"abc", "def"', '"abc"') // true
 * @example etagMatches('"abc-gz"', '"abc"') // true
 */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false
  const bare = contentTag(etag)
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim()
    return t === '*' || contentTag(t) === bare
  })
}
