import http from 'node:http'
import { waitFor } from './wait-for.js'

/** A wait re-checks on every chunk, and at least this often besides. */
const READER_RECHECK_MS = 200

export interface SseEvent {
  id: string | undefined
  event: string
  data: string
}

/**
 * A real server-sent-events reader over node:http, parsing the stream as EventSource does
 * (records end at a blank line; `:` lines are comments) and keeping everything it got.
 */
export class SseReader {
  readonly events: SseEvent[] = []
  /** Reader counts from `event: presence`, in arrival order. */
  readonly presence: number[] = []
  readonly comments: string[] = []
  status = 0
  headers: http.IncomingHttpHeaders = {}
  /** The body of a non-200 answer. */
  errorBody = ''
  ended = false
  readonly request: http.ClientRequest
  response: http.IncomingMessage | null = null
  #buffer = ''
  #waiters: Array<() => void> = []

  constructor(url: string, headers: Record<string, string> = {}) {
    this.request = http.get(url, { headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      this.response = res
      this.status = res.statusCode ?? 0
      this.headers = res.headers
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        if (this.status !== 200) this.errorBody += chunk
        else this.#parse(chunk)
        this.#wake()
      })
      res.on('end', () => this.#finish())
      res.on('close', () => this.#finish())
      this.#wake()
    })
    this.request.on('error', () => this.#finish())
  }

  #finish() {
    this.ended = true
    this.#wake()
  }

  #parse(chunk: string) {
    this.#buffer += chunk
    let end = this.#buffer.indexOf('\n\n')
    while (end >= 0) {
      const record = this.#buffer.slice(0, end)
      this.#buffer = this.#buffer.slice(end + 2)
      const fields: Record<string, string> = {}
      for (const line of record.split('\n')) {
        if (line.startsWith(':')) {
          this.comments.push(line.slice(1).trim())
          continue
        }
        const colon = line.indexOf(':')
        const name = colon < 0 ? line : line.slice(0, colon)
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '')
        fields[name] = fields[name] === undefined ? value : `${fields[name]}\n${value}`
      }
      // Presence counts come and go with other readers: kept apart, so tests of the log see only the log.
      if (fields.data !== undefined && fields.event === 'presence')
        this.presence.push((JSON.parse(fields.data) as { readers: number }).readers)
      else if (fields.data !== undefined)
        this.events.push({ id: fields.id, event: fields.event ?? 'message', data: fields.data })
      end = this.#buffer.indexOf('\n\n')
    }
  }

  #wake() {
    const waiters = this.#waiters
    this.#waiters = []
    for (const w of waiters) w()
  }

  /** Parsed Event JSON of the story events received (not `reset`), in order. */
  storyEvents(): any[] {
    return this.events.filter((e) => e.event !== 'reset').map((e) => JSON.parse(e.data))
  }

  seqs(): number[] {
    return this.storyEvents().map((e) => e.seq as number)
  }

  /** Resolves once `predicate` holds (checked on every chunk); rejects after `timeoutMs`. */
  waitFor(predicate: (r: SseReader) => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
    return waitFor(what, () => predicate(this), {
      timeoutMs,
      intervalMs: READER_RECHECK_MS,
      changed: () => new Promise((resolve) => this.#waiters.push(resolve)),
      state: () =>
        `status ${this.status}, ${this.events.length} events, seqs ${this.seqs().join(',')}, ended ${this.ended}`,
    })
  }

  /** Resolves once the response has started (status and headers known). */
  opened(timeoutMs = 5000) {
    return this.waitFor((r) => r.status !== 0 || r.ended, timeoutMs, 'the response')
  }

  /** Resolves once the server has sent the `subscribed` comment, i.e. the stream is live. */
  live(timeoutMs = 5000) {
    return this.waitFor((r) => r.comments.some((c) => c.startsWith('subscribed')), timeoutMs, 'subscribed')
  }

  close() {
    this.request.destroy()
  }
}

/** Opens a stream of `story` on `baseUrl` (query and headers optional). */
export async function openStream(
  baseUrl: string,
  story: string,
  options: { query?: string; headers?: Record<string, string> } = {},
): Promise<SseReader> {
  const reader = new SseReader(`${baseUrl}/v1/stories/${story}/stream${options.query ?? ''}`, options.headers)
  await reader.opened()
  return reader
}
