/**
 * True when an If-None-Match header lists `etag` or is `*`. The comparison is weak, as RFC 9110
 * §13.1.2 asks of If-None-Match: `W/"x"` matches `"x"`.
 * @example etagMatches('W/"abc", "def"', '"abc"') // true
 */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false
  const bare = etag.replace(/^W\//, '')
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim()
    return t === '*' || t.replace(/^W\//, '') === bare
  })
}
