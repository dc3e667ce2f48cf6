/**
 * A TCP proxy between one Liveline instance and Postgres that counts the statements it sends:
 * every simple Query ('Q') and every Execute ('E') of the extended protocol, grouped by SQL text
 * (from the Query or the Parse before it). Exact for that instance alone, whatever else uses the
 * database; the bytes pass through unchanged.
 */
import { connect, createServer, type Server, type Socket } from 'node:net'

export interface StatementCounts {
  total: number
  /** `BEGIN` statements: one per transaction the instance opened. */
  transactions: number
  /** Statements by SQL text (whitespace collapsed, cut to 100 characters). */
  bySql: Record<string, number>
}

export interface PgCountingProxy {
  readonly port: number
  counts(): StatementCounts
  close(): Promise<void>
}

const normalize = (sql: string) => sql.replace(/\s+/g, ' ').trim().slice(0, 100)

export async function startPgCountingProxy(
  upstreamHost: string,
  upstreamPort: number,
): Promise<PgCountingProxy> {
  const bySql = new Map<string, number>()
  let total = 0
  let transactions = 0
  const sockets = new Set<Socket>()
  const count = (sql: string) => {
    total++
    const key = normalize(sql)
    if (/^begin\b/i.test(key)) transactions++
    bySql.set(key, (bySql.get(key) ?? 0) + 1)
  }

  const server: Server = createServer((client) => {
    const upstream = connect(upstreamPort, upstreamHost)
    sockets.add(client)
    sockets.add(upstream)
    let pending: Buffer = Buffer.alloc(0)
    let started = false
    /** The SQL of the last unnamed Parse: what the next Execute runs. */
    let lastParsed = ''
    const named = new Map<string, string>()
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk)
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk
      for (;;) {
        if (!started) {
          // Startup, SSLRequest or CancelRequest: an int32 length and no type byte.
          if (pending.length < 8) return
          const length = pending.readInt32BE(0)
          if (pending.length < length) return
          const code = pending.readInt32BE(4)
          pending = pending.subarray(length)
          // SSLRequest (80877103) and GSSENCRequest (80877104) are followed by the real startup.
          if (code !== 80877103 && code !== 80877104) started = true
          continue
        }
        if (pending.length < 5) return
        const type = String.fromCharCode(pending[0] as number)
        const length = pending.readInt32BE(1)
        if (pending.length < length + 1) return
        const body = pending.subarray(5, length + 1)
        pending = pending.subarray(length + 1)
        if (type === 'Q') count(body.toString('utf8', 0, body.indexOf(0)))
        else if (type === 'P') {
          const nameEnd = body.indexOf(0)
          const name = body.toString('utf8', 0, nameEnd)
          const sql = body.toString('utf8', nameEnd + 1, body.indexOf(0, nameEnd + 1))
          if (name) named.set(name, sql)
          else lastParsed = sql
        } else if (type === 'B') {
          // Bind: portal name, then statement name; remember which SQL the Execute will run.
          const portalEnd = body.indexOf(0)
          const statement = body.toString('utf8', portalEnd + 1, body.indexOf(0, portalEnd + 1))
          if (statement) lastParsed = named.get(statement) ?? statement
        } else if (type === 'E') count(lastParsed)
      }
    })
    upstream.on('data', (chunk: Buffer) => client.write(chunk))
    const end = () => {
      client.destroy()
      upstream.destroy()
      sockets.delete(client)
      sockets.delete(upstream)
    }
    client.on('close', end)
    upstream.on('close', end)
    client.on('error', end)
    upstream.on('error', end)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const address = server.address()
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    counts: () => ({ total, transactions, bySql: Object.fromEntries(bySql) }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        server.close(() => resolve())
      }),
  }
}

/** after − before, statement by statement (zero rows left out). */
export function diffCounts(after: StatementCounts, before: StatementCounts): StatementCounts {
  const bySql: Record<string, number> = {}
  for (const [sql, n] of Object.entries(after.bySql)) {
    const d = n - (before.bySql[sql] ?? 0)
    if (d) bySql[sql] = d
  }
  return { total: after.total - before.total, transactions: after.transactions - before.transactions, bySql }
}
