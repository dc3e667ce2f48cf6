/**
 * The bench-pages baseline: a bare `node:http` server answering recorded bytes with recorded
 * headers, the least any server can do for the same answer. Reads its answers from the JSON file
 * named by STATIC_ANSWERS (written by scripts/bench-pages.ts), listens on 127.0.0.1:PORT and prints
 * `{"ready":true}`. A request whose Accept-Encoding names gzip or br gets the compressed recording
 * when there is one (Liveline compressed that answer), else the identity one.
 */
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'

export interface RecordedAnswer {
  status: number
  /** Header name/value pairs as Liveline sent them, minus Date and hop-by-hop headers. */
  headers: Array<[string, string]>
  bodyBase64: string
}

export interface RecordedPath {
  path: string
  identity: RecordedAnswer
  compressed: RecordedAnswer | null
}

interface Prepared {
  status: number
  headers: Array<[string, string]>
  body: Buffer
}

const prepare = (answer: RecordedAnswer): Prepared => ({
  status: answer.status,
  headers: answer.headers,
  body: Buffer.from(answer.bodyBase64, 'base64'),
})

const file = process.env.STATIC_ANSWERS
if (!file) throw new Error('STATIC_ANSWERS must name the recorded answers file')
const answers = new Map<string, { identity: Prepared; compressed: Prepared | null }>()
for (const recorded of JSON.parse(readFileSync(file, 'utf8')) as RecordedPath[]) {
  answers.set(recorded.path, {
    identity: prepare(recorded.identity),
    compressed: recorded.compressed ? prepare(recorded.compressed) : null,
  })
}

const wantsCompression = (header: string | undefined) => header !== undefined && /\b(gzip|br)\b/.test(header)

const server = createServer((req, res) => {
  const found = answers.get(req.url ?? '')
  if (!found) {
    res.writeHead(404, { 'content-type': 'text/plain' })
    res.end('not recorded')
    return
  }
  const answer =
    found.compressed && wantsCompression(req.headers['accept-encoding']) ? found.compressed : found.identity
  res.writeHead(answer.status, answer.headers.flat())
  res.end(answer.body)
})
// The same keep-alive settings as Liveline's server (Node's defaults there too).
server.headersTimeout = 10_000
server.requestTimeout = 30_000
server.listen(Number(process.env.PORT), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ ready: true, paths: answers.size })}\n`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
