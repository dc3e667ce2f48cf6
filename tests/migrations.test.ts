import { resolve } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createStore } from '../src/store/db.js'
import { migrateToLatest } from '../src/store/migrate.js'
import { provided } from './helpers/provided.js'

describe('migrations', () => {
  const name = `liveline_migrate_${provided('runId')}`
  let url: string
  let admin: pg.Client
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: provided('databaseUrl') })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${name}`)
    const u = new URL(provided('databaseUrl'))
    u.pathname = `/${name}`
    url = u.toString()
  })
  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await admin.end()
  })

  it('applies each migration exactly once when two instances start at once', async () => {
    const stores = await Promise.all([
      createStore({ databaseUrl: url, dataDir: '' }),
      createStore({ databaseUrl: url, dataDir: '' }),
    ])
    try {
      const applied = await Promise.all(stores.map((s) => migrateToLatest(s.db, resolve('sql'))))
      expect(applied.flat()).toEqual([
        '001_init',
        '002_webhooks',
        '003_webhook_retention',
        '005_people_workflow',
      ])
      const again = await migrateToLatest(stores[0]!.db, resolve('sql'))
      expect(again).toEqual([])
      const tables = await stores[0]!.db
        .selectFrom('information_schema.tables' as never)
        .select('table_name' as never)
        .where('table_schema' as never, '=', 'public' as never)
        .execute()
      const names = tables.map((t) => (t as { table_name: string }).table_name)
      for (const t of [
        'api_keys',
        'stories',
        'updates',
        'events',
        'idempotency_keys',
        'liveline_migrations',
      ]) {
        expect(names).toContain(t)
      }
    } finally {
      await Promise.all(stores.map((s) => s.close()))
    }
  })
})
