import { createApp } from './app.js'
import { type Config, loadConfig } from './config.js'
import { listen } from './server.js'
import { createStore } from './store/db.js'
import { migrateToLatest } from './store/migrate.js'

/** Everything must be down within this long after SIGTERM (Fly sends SIGKILL not long after). */
const SHUTDOWN_DEADLINE_MS = 10_000

async function main(): Promise<void> {
  const command = process.argv[2]
  const config = loadConfig(process.env, process.cwd(), { serving: command !== 'migrate' })
  if (command === 'migrate') return migrateOnly(config)
  const app = await createApp(config)
  const { log } = app.deps
  const running = await listen(app, config.port, config.host)

  if (config.adminKeyGenerated) {
    // Printed once, plainly, so a new user can copy it; set LIVELINE_ADMIN_KEY to keep one across restarts.
    process.stdout.write(
      `\nLiveline admin key (generated for this run, not stored):\n\n  ${config.adminKey}\n\n`,
    )
  }
  log.info(
    {
      port: running.port,
      host: config.host,
      database: app.store.describe,
      bus: app.bus.describe,
      migrationsApplied: app.migrated,
    },
    `Liveline listening on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${running.port} using ${app.store.describe} and ${app.bus.describe}`,
  )

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    log.info({ signal }, 'shutting down')
    setTimeout(() => {
      log.error('shutdown deadline passed; exiting')
      process.exit(1)
    }, SHUTDOWN_DEADLINE_MS).unref()
    const httpDone = running.stop(SHUTDOWN_DEADLINE_MS - 2000)
    await app.live.close()
    await httpDone
    await app.close()
    log.info('stopped')
    process.exit(0)
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'))
  process.on('SIGINT', () => void shutdown('SIGINT'))
}

/** `npm run migrate` / Fly's release command: apply pending migrations, then exit. */
async function migrateOnly(config: Config): Promise<void> {
  const store = await createStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir })
  try {
    const applied = await migrateToLatest(store.db, config.sqlDir)
    process.stdout.write(
      `${store.describe}: ${applied.length ? `applied ${applied.join(', ')}` : 'already up to date'}\n`,
    )
  } finally {
    await store.close()
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`Liveline failed to start: ${err instanceof Error ? err.stack : String(err)}\n`)
  if (err instanceof Error && err.cause) process.stderr.write(`caused by: ${String(err.cause)}\n`)
  process.exit(1)
})
