/**
 * Preloaded (`--import`) into an instance or load generator under bench: every BENCH_LOOP_DELAY_MS (200) it appends
 * `<wall ms> <longest event-loop delay in that window, ms>` to BENCH_LOOP_DELAY_FILE. A turn of
 * the event loop that runs long holds up every reader of the instance, so this is the server's
 * own view of a storm; in a load generator, how late it saw what reached it.
 */
import { appendFileSync } from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'

// `%p` in the name becomes the process id, for several processes sharing one setting.
const file = process.env.BENCH_LOOP_DELAY_FILE?.replace('%p', String(process.pid))
if (file) {
  const windowMs = Number(process.env.BENCH_LOOP_DELAY_MS ?? 200)
  const delay = monitorEventLoopDelay({ resolution: 5 })
  delay.enable()
  setInterval(() => {
    appendFileSync(file, `${Date.now()} ${(delay.max / 1e6).toFixed(1)}\n`)
    delay.reset()
  }, windowMs).unref()
}
