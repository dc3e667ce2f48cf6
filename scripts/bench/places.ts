import { resolve } from 'node:path'

/**
 * Where the benches run and write, and the local services they use (run from the repository's
 * root, as `npm run bench…` does). BENCH_REDIS_URL and BENCH_DATABASE_URL point them elsewhere.
 */
export const ROOT = process.cwd()
export const ARTIFACTS = resolve(ROOT, 'test-artifacts')
/** Each run's figures as JSON or text (gitignored), to compare runs. */
export const RESULTS_DIR = resolve(ROOT, 'bench-results')
/** The servers' and load generators' logs. */
export const LOG_DIR = resolve(ARTIFACTS, 'bench-logs')
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
/** A Postgres server URL whose user may CREATE DATABASE (each run makes its own and drops it). */
export const PG_ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
/** Where that server listens, for the benches' counting proxy in front of it. */
export const PG_HOST = new URL(PG_ADMIN_URL).hostname
export const PG_PORT = Number(new URL(PG_ADMIN_URL).port || 5432)
