import { randomBytes } from 'node:crypto'
import { resolve } from 'node:path'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { createStore } from '../../src/store/db.js'
import { migrateToLatest } from '../../src/store/migrate.js'

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string
    redisUrl: string
    /** Unique per run, so parallel runs sharing one Redis never see each other's messages. */
    runId: string
  }
}

/**
 * Each test run gets its own database on the real Postgres (TEST_DATABASE_URL names the server),
 * migrated once here and dropped at the end.
 */
export default async function setup(project: TestProject) {
  const serverUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
  const runId = `${process.pid}_${randomBytes(3).toString('hex')}`
  const dbName = `liveline_test_${runId}`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${dbName}`)
  await admin.end()
  const url = new URL(serverUrl)
  url.pathname = `/${dbName}`
  const databaseUrl = url.toString()

  const store = await createStore({ databaseUrl, dataDir: 'unused' })
  await migrateToLatest(store.db, resolve('sql'))
  await store.close()

  project.provide('databaseUrl', databaseUrl)
  project.provide('redisUrl', redisUrl)
  project.provide('runId', runId)

  return async () => {
    const client = new pg.Client({ connectionString: serverUrl })
    await client.connect()
    await client.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)
    await client.end()
  }
}
