import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import type { Context } from 'hono'
import { routePath } from 'hono/route'
import type { Deps } from '../deps.js'
import { dropLeastRecent, setMostRecent } from '../lib/recency.js'
import type { CounterSeries, HistogramSeries } from '../lib/series-metrics.js'
import { type ContentCoding, negotiateEncoding } from './compress.js'
import { logRequest, requestIdFor } from './middleware/request-log.js'

/** Answers kept ready, per instance; past this the least recently used go first. */
export const READY_ANSWERS_MAX_ENTRIES = 4096
/** Longer request targets are not kept (they are not what crowds of readers ask for). */
export const READY_ANSWERS_MAX_TARGET_LENGTH = 1024

/** What a route says about an answer it built from a cache: how to tell it is still current. */
export interface ReadyMark {
  /** The route pattern, for the request log and metrics. */
  route?: string
  /** True while the answer is still what the route would build now (cheap, synchronous). */
  isCurrent: () => boolean
  /** The bytes the route sent, in `coding` (null: identity); null for a 304. */
  body: Uint8Array | string | null
  coding: ContentCoding | null
}

/** One status's answer: flat [name, value, …] as Node's writeHead takes them, X-Request-Id last. */
interface Sent {
  status: 200 | 304
  headers: string[]
  /** Where this answer's requests are counted and timed, resolved on first use. */
  timing: HistogramSeries | null
}

interface Recorded {
  isCurrent: () => boolean
  route: string
  etag: string
  ok: (Sent & { body: Uint8Array }) | null
  /** The 304 a client holding `etag` gets. */
  notModified: Sent | null
}

type Log = Pick<Deps, 'log' | 'metrics'>

const marks = new WeakMap<Request, ReadyMark>()

/**
 * Called by a route that answered an anonymous read from a cache it keeps current: the answer may
 * be kept ready and sent again, without the router, for as long as `mark.isCurrent()` holds.
 */
export function markReady(c: Context, mark: ReadyMark): void {
  marks.set(c.req.raw, { ...mark, route: routePath(c, -1) })
}

/**
 * Ready answers: the public reads a crowd asks for, kept as the exact status, headers and bytes
 * the router answered, and sent straight from Node's request event while the route's own check
 * says they are current. The router costs more per request than a cached page's lookup (a
 * Request and Response object, Headers, the middleware chain): this is the lookup alone, as a
 * static file server would answer. Anything not kept, or no longer current, goes to the router,
 * which keeps it again. Only GETs without credentials or date conditions are answered here; the
 * key includes what the answer depends on (Host, X-Forwarded-Proto, the target, the coding).
 */
export class ReadyAnswers {
  readonly #entries = new Map<string, Recorded>()
  readonly #maxEntries: number
  readonly #log: Log
  readonly #served: CounterSeries
  readonly #revalidated: CounterSeries
  /** The key last made most recent (the entries' last). */
  #mostRecent: string | null = null

  constructor(log: Log, options: { maxEntries?: number } = {}) {
    this.#log = log
    this.#maxEntries = options.maxEntries ?? READY_ANSWERS_MAX_ENTRIES
    this.#served = log.metrics.readyAnswers.series({ status: '200' })
    this.#revalidated = log.metrics.readyAnswers.series({ status: '304' })
  }

  get size(): number {
    return this.#entries.size
  }

  /** Keeps the router's answer to `request` when its route marked it ready. */
  record(request: Request, response: Response): void {
    const mark = marks.get(request)
    if (!mark) return
    marks.delete(request)
    const key = keyOf(request.method, headersOf(request), targetOf(request.url))
    const etag = response.headers.get('ETag')
    const coding = response.headers.get('Content-Encoding')
    if (!key || !etag) return
    const headers: string[] = []
    // Not kept: Content-Length comes from the kept bytes (below), the request id per request.
    for (const [name, value] of response.headers)
      if (name !== 'x-request-id' && name !== 'content-length') headers.push(name, value)
    // Each request's own id goes in this last slot.
    headers.push('x-request-id', '')
    const route = mark.route ?? 'unmatched'
    // Only the bytes the route handed over, as it handed them (nothing re-encoded them since).
    if (response.status === 200 && mark.body !== null && (coding ?? null) === mark.coding) {
      const body = typeof mark.body === 'string' ? Buffer.from(mark.body) : mark.body
      // Set here as the adapter does, so the answer is not sent chunked.
      headers.splice(-2, 0, 'content-length', String(body.byteLength))
      const ok = { status: 200 as const, headers, body, timing: null }
      this.#store(key, { isCurrent: mark.isCurrent, route, etag, ok, notModified: null })
    } else if (response.status === 304) {
      const kept = this.#entries.get(key)
      if (kept && kept.etag === etag) kept.notModified = { status: 304, headers, timing: null }
    }
  }

  /** Answers from a ready answer, or returns false for the router to answer. */
  serve(req: IncomingMessage, res: ServerResponse): boolean {
    if (this.#entries.size === 0) return false
    const started = performance.now()
    const h = req.headers
    if (h.authorization !== undefined || h['if-modified-since'] !== undefined) return false
    const key = keyOf(req.method ?? '', h, req.url ?? '')
    const kept = key && this.#entries.get(key)
    if (!kept) return false
    if (!kept.isCurrent()) {
      this.#entries.delete(key)
      return false
    }
    const ifNoneMatch = h['if-none-match']
    // A client holding exactly this answer gets its 304; any other condition goes to the router.
    const answer = ifNoneMatch === undefined ? kept.ok : ifNoneMatch === kept.etag ? kept.notModified : null
    if (!answer) return false
    // A crowd asks for one answer over and over: it is already the most recent.
    if (key !== this.#mostRecent) {
      setMostRecent(this.#entries, key, kept)
      this.#mostRecent = key
    }
    const requestId = requestIdFor(h['x-request-id'] as string | undefined)
    const { headers, status } = answer
    // writeHead copies the headers out at once, so the kept array can carry this request's id.
    headers[headers.length - 1] = requestId
    res.writeHead(status, headers)
    res.end(answer === kept.ok ? kept.ok.body : undefined)
    ;(status === 200 ? this.#served : this.#revalidated).inc()
    answer.timing ??= this.#log.metrics.httpRequests.series({
      method: 'GET',
      route: kept.route,
      status: String(status),
    })
    logRequest(
      this.#log,
      {
        requestId,
        method: 'GET',
        route: kept.route,
        path: req.url ?? '',
        status,
        seconds: (performance.now() - started) / 1000,
        keyId: undefined,
      },
      answer.timing,
    )
    return true
  }

  #store(key: string, entry: Recorded): void {
    setMostRecent(this.#entries, key, entry)
    this.#mostRecent = key
    dropLeastRecent(this.#entries, this.#maxEntries)
  }
}

function headersOf(request: Request): IncomingHttpHeaders {
  return {
    host: request.headers.get('host') ?? undefined,
    'x-forwarded-proto': request.headers.get('x-forwarded-proto') ?? undefined,
    'accept-encoding': request.headers.get('accept-encoding') ?? undefined,
  }
}

/** The request target (path and query) of the absolute URL the adapter built, as `req.url` has it. */
function targetOf(url: string): string {
  return url.slice(url.indexOf('/', url.indexOf('//') + 2))
}

/** What an answer depends on, besides credentials and conditions (never kept or served here). */
function keyOf(method: string, h: IncomingHttpHeaders, target: string): string | null {
  if (method !== 'GET' || target.length > READY_ANSWERS_MAX_TARGET_LENGTH) return null
  // Only what publicBaseUrl honours, so made-up values do not each take an entry.
  const forwarded = h['x-forwarded-proto']
  const first = typeof forwarded === 'string' ? forwarded.split(',')[0]?.trim().toLowerCase() : ''
  const proto = first === 'https' || first === 'http' ? first : ''
  return `${h.host ?? ''}|${proto}|${negotiateEncoding(h['accept-encoding']) ?? ''}|${target}`
}
