import { type Config, loadConfig } from './config.js'
import { listen } from './listen.js'
import { backgroundStdout, createLog } from './log.js'
import { createService } from './service.js'
import { createStore } from './store/db.js'
import { migrateToLatest } from './store/migrate.js'

/** Everything must be down within this long after SIGTERM (Fly sends SIGKILL not long after). */
const SHUTDOWN_DEADLINE_MS = 10_000

async function main(): Promise<void> {
  const command = process.argv[2]
  const config = loadConfig(process.env, process.cwd(), { serving: command !== 'migrate' })
  if (command === 'migrate') return migrateOnly(config)
  const stdout = backgroundStdout()
  const log = createLog(config.logLevel, stdout.destination)
  const service = await createService(config, { log })
  const port = await listen(service, config.port, config.host)

  if (config.adminKeyGenerated) {
    // Printed once, plainly, so a new user can copy it; set LIVELINE_ADMIN_KEY to keep one across restarts.
    // Through the log's stream, so it comes out before the "listening" line, in order.
    stdout.destination.write(
      `\nLiveline admin key (generated for this run, not stored):\n\n  ${config.adminKey}\n\n`,
    )
  }
  log.info(
    {
      port,
      host: config.host,
      database: service.store.describe,
      bus: service.bus.describe,
      migrationsApplied: service.migrated,
    },
    `Liveline listening on http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${port} using ${service.store.describe} and ${service.bus.describe}`,
  )

  let stopping = false
  const shutdown = async (signal: string) => {
    if (stopping) return
    stopping = true
    log.info({ signal }, 'shutting down')
    setTimeout(() => {
      log.error('shutdown deadline passed; exiting')
      void stdout.flush(500).then(() => process.exit(1))
    }, SHUTDOWN_DEADLINE_MS).unref()
    await service.close({ httpGraceMs: SHUTDOWN_DEADLINE_MS - 2000 })
    log.info('stopped')
    await stdout.flush()
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
