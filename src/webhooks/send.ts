import http from 'node:http'
import https from 'node:https'
import { isIP } from 'node:net'
import { signPayload } from './signature.js'
import { addressRefusal, guardedLookup, hostOf, parseTargetUrl, type TargetPolicy } from './target.js'

/** One delivery attempt's outcome, as the attempts log keeps it. */
export interface SendResult {
  ok: boolean
  /** null when no HTTP answer came. */
  statusCode: number | null
  latencyMs: number
  error: string | null
}

export interface SendRequest {
  url: string
  secret: string
  /** During a rotation's overlap, the old secret signs too (a second signature in the header). */
  previousSecret?: string | null
  /** The Standard Webhooks `webhook-id`: the delivery's id, the same on every retry. */
  id: string
  body: string
  timestampSeconds: number
}

/** Keep-alive connections per endpoint host; closed with the sender. */
export interface Sender {
  send(request: SendRequest, signal?: AbortSignal): Promise<SendResult>
  close(): void
}

const USER_AGENT = 'Liveline-Webhooks/1'

/**
 * Posts signed events with outbound safety: the target is checked (form, then every resolved
 * address) on each send, redirects are answered as failures and never followed, and every request
 * ends within `timeoutMs`. Never throws: every failure is a SendResult.
 * @example const r = await createSender({ timeoutMs: 10_000, maxSockets: 16, allowLoopback: false }).send(req)
 */
export function createSender(options: TargetPolicy & { timeoutMs: number; maxSockets: number }): Sender {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets }
  const httpAgent = new http.Agent(agentOptions)
  const httpsAgent = new https.Agent(agentOptions)
  const lookup = guardedLookup(options)

  return {
    async send(request, signal) {
      const started = performance.now()
      const result = (statusCode: number | null, error: string | null): SendResult => ({
        ok: error === null && statusCode !== null && statusCode >= 200 && statusCode < 300,
        statusCode,
        latencyMs: Math.round(performance.now() - started),
        error,
      })
      let url: URL
      try {
        url = parseTargetUrl(request.url)
        // A literal address never goes through lookup, so it is checked here.
        const host = hostOf(url)
        const refused = isIP(host) ? addressRefusal(host, options) : null
        if (refused) return result(null, `refused target: ${refused}`)
      } catch (err) {
        return result(null, `invalid URL: ${(err as Error).message}`)
      }
      const timeout = AbortSignal.timeout(options.timeoutMs)
      const abort = signal ? AbortSignal.any([signal, timeout]) : timeout
      const client = url.protocol === 'https:' ? https : http
      return new Promise<SendResult>((resolve) => {
        const req = client.request(
          url,
          {
            method: 'POST',
            agent: url.protocol === 'https:' ? httpsAgent : httpAgent,
            lookup: lookup as never,
            signal: abort,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(request.body),
              'user-agent': USER_AGENT,
              'webhook-id': request.id,
              'webhook-timestamp': String(request.timestampSeconds),
              // Standard Webhooks: several signatures, space-separated; receivers accept any one.
              'webhook-signature': [request.secret, request.previousSecret]
                .filter((s): s is string => !!s)
                .map((s) => signPayload(s, request.id, request.timestampSeconds, request.body))
                .join(' '),
            },
          },
          (res) => {
            const status = res.statusCode ?? 0
            // The answer's body means nothing to us, but reading it to the end lets the socket be reused.
            res.resume()
            res.on('end', () => {
              if (status >= 300 && status < 400)
                resolve(result(status, `redirect to ${res.headers.location ?? '(none)'} not followed`))
              else resolve(result(status, status >= 200 && status < 300 ? null : `HTTP ${status}`))
            })
            res.on('error', (err) => resolve(result(status, describeError(err, timeout))))
          },
        )
        req.on('error', (err) => resolve(result(null, describeError(err, timeout))))
        req.end(request.body)
      })
    },
    close() {
      httpAgent.destroy()
      httpsAgent.destroy()
    },
  }
}

function describeError(err: Error, timeout: AbortSignal): string {
  if (timeout.aborted) return 'timed out'
  if (err.name === 'TargetError') return err.message
  if (err.name === 'AbortError') return 'aborted (shutting down)'
  const code = (err as { code?: string }).code
  return code ? `${code}: ${err.message}` : err.message
}
