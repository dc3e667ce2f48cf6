import { type DestinationStream, type Logger, pino } from 'pino'

/**
 * The service's structured log (JSON lines on stdout). `destination` defaults to pino's: one
 * synchronous write per line.
 * @example const log = createLog('info')
 */
export function createLog(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'liveline' } }
  return destination ? pino(options, destination) : pino(options)
}

/**
 * Stdout written in the background: a line costs no write of its own (lines logged while a
 * write is under way go out together with the next), which matters at one line per request.
 * Nothing waits for a batch. Call `flush` before exiting, or the last lines may be lost.
 */
export function backgroundStdout() {
  const destination = pino.destination({ dest: 1, sync: false })
  return {
    destination,
    /** Writes out what is buffered; resolves when it is written (or after `timeoutMs`). */
    flush(timeoutMs = 2000): Promise<void> {
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, timeoutMs)
        destination.flush(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    },
  }
}
