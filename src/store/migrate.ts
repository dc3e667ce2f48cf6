import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely'

const MIGRATION_FILE = /^(\d+)_[\w-]+\.sql$/

/** Each `sql/NNN_name.sql` file is one forward-only migration, applied in file-name order. */
class SqlFileMigrationProvider implements MigrationProvider {
  constructor(private readonly dir: string) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(this.dir)).filter((f) => MIGRATION_FILE.test(f)).sort()
    const migrations: Record<string, Migration> = {}
    for (const file of files) {
      const text = await readFile(join(this.dir, file), 'utf8')
      migrations[file.replace(/\.sql$/, '')] = {
        up: async (db) => {
          await sql.raw(text).execute(db)
        },
      }
    }
    return migrations
  }
}

/**
 * Applies pending migrations. Kysely's Migrator takes a Postgres advisory lock and runs them in a
 * transaction, so two instances starting at once apply each migration exactly once.
 * @returns the names of the migrations applied by this call
 */
// biome-ignore lint/suspicious/noExplicitAny: the migrator works on any database schema
export async function migrateToLatest(db: Kysely<any>, sqlDir: string): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: new SqlFileMigrationProvider(sqlDir),
    migrationTableName: 'liveline_migrations',
    migrationLockTableName: 'liveline_migrations_lock',
  })
  const { error, results } = await migrator.migrateToLatest()
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed`, { cause: error })
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
