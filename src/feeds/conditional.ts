/**
 * Conditional GET for feeds (RFC 9110 §13). Pure functions: the HTTP layer passes the request's
 * headers in and sends what these decide.
 */

import { etagMatches } from '../lib/etag.js'

/** The request's validators, as sent. */
export interface Conditions {
  ifNoneMatch?: string | undefined
  ifModifiedSince?: string | undefined
}

/** What to send as Last-Modified, and whether it can answer If-Modified-Since. */
export interface LastModified {
  /** Whole seconds, as HTTP dates carry. */
  date: Date
  /** False while the second of the last change is still running (see lastModifiedFor). */
  settled: boolean
}

/**
 * HTTP dates have one-second resolution, so two changes in the same second would share a
 * Last-Modified, and a reader that fetched between them would get a wrong 304. So while the
 * change's second is still running, Last-Modified is reported a second earlier (the reader will
 * fetch again next time) and If-Modified-Since is not trusted. Never in the future, even when
 * the change was stamped by an instance whose clock runs ahead.
 * @example lastModifiedFor(new Date('2026-11-24T13:26:34.369Z'), new Date('2026-11-24T13:27:00Z'))
 *   // { date: 2026-11-24T13:26:34.000Z, settled: true }
 */
export function lastModifiedFor(changedAt: Date, now: Date): LastModified {
  const changed = Math.floor(changedAt.getTime() / 1000) * 1000
  const current = Math.floor(now.getTime() / 1000) * 1000
  if (current > changed) return { date: new Date(changed), settled: true }
  return { date: new Date(Math.min(changed, current) - 1000), settled: false }
}

/**
 * Whether the reader's copy is current, so the answer is 304 with no body. If-None-Match wins
 * over If-Modified-Since when both are sent (§13.2.2); an unparseable date, or one later than
 * now, is ignored (§13.1.3).
 */
export function isNotModified(conditions: Conditions, etag: string, lastModified: LastModified, now: Date) {
  if (conditions.ifNoneMatch !== undefined) return etagMatches(conditions.ifNoneMatch, etag)
  if (conditions.ifModifiedSince === undefined || !lastModified.settled) return false
  const since = Date.parse(conditions.ifModifiedSince)
  if (Number.isNaN(since) || since > now.getTime()) return false
  return since >= lastModified.date.getTime()
}
