import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { Kysely, PostgresDialect, type Transaction } from 'kysely'
import pg from 'pg'
import { PGliteDialect } from './pglite-dialect.js'
import type { Database } from './schema.js'

export type Db = Kysely<Database>
export type Tx = Transaction<Database>
/** Either the database or a transaction: verbs that read take this so they work inside a change too. */
export type Queryable = Kysely<Database> | Transaction<Database>

export interface StoreOptions {
  /** Postgres connection string; unset means embedded PGlite in `dataDir`. */
  databaseUrl?: string | undefined
  /** Where PGlite keeps its files; `memory://` keeps nothing. */
  dataDir: string
  /** Largest number of pooled connections to a real Postgres. */
  poolSize?: number
}

export interface Store {
  db: Db
  kind: 'postgres' | 'pglite'
  /** Human-readable description for the startup log (no password). */
  describe: string
  ping(): Promise<void>
  close(): Promise<void>
}

const UNIQUE_VIOLATION = '23505'

/** True when `err` is Postgres refusing a duplicate key (pg and PGlite both report SQLSTATE 23505). */
export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === UNIQUE_VIOLATION
}

// seq and counts are bigint in SQL; both drivers hand them to us as JS numbers (safe far past any real story).
const INT8_OID = 20
const parseInt8 = (value: string) => Number.parseInt(value, 10)

/**
 * Opens the store: a pg pool when `databaseUrl` is set, else embedded PGlite.
 * @example const store = await createStore({ databaseUrl: process.env.DATABASE_URL, dataDir: './data' })
 */
export async function createStore(options: StoreOptions): Promise<Store> {
  if (options.databaseUrl) return createPostgresStore(options.databaseUrl, options.poolSize ?? 10)
  return createPGliteStore(options.dataDir)
}

function createPostgresStore(url: string, poolSize: number): Store {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // Fail fast when Postgres is down so requests answer 503 instead of hanging.
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8_OID
          ? parseInt8
          : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
    },
  })
  // A client losing its connection (Postgres restart, network cut) emits 'error'; unhandled, that
  // would crash the process. The pool covers idle clients; checked-out ones need their own listener.
  // The query in flight still rejects, and the request answers 503.
  pool.on('error', () => {})
  pool.on('connect', (client) => client.on('error', () => {}))
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  const parsed = new URL(url)
  return {
    db,
    kind: 'postgres',
    describe: `postgres ${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`,
    async ping() {
      const client = await pool.connect()
      try {
        await client.query('select 1')
      } finally {
        client.release()
      }
    },
    async close() {
      await db.destroy()
    },
  }
}

async function createPGliteStore(dataDir: string): Promise<Store> {
  const inMemory = dataDir.startsWith('memory://')
  const location = inMemory ? dataDir : resolve(dataDir)
  if (!inMemory) mkdirSync(location, { recursive: true })
  // Loaded only in embedded mode: a service on a real Postgres never pays for PGlite's code.
  const { PGlite, types } = await import('@electric-sql/pglite')
  const pglite = await PGlite.create(location, { parsers: { [types.INT8]: parseInt8 } })
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) })
  return {
    db,
    kind: 'pglite',
    describe: `embedded Postgres (PGlite) in ${location}`,
    async ping() {
      await pglite.query('select 1')
    },
    async close() {
      await db.destroy()
      // An open PGlite keeps the process alive.
      await pglite.close()
    },
  }
}
