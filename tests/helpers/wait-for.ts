/** How long a wait lasts unless told otherwise. */
export const DEFAULT_WAIT_TIMEOUT_MS = 5000
/** The pause between two checks when nothing signals a change sooner. */
export const DEFAULT_POLL_INTERVAL_MS = 25

export interface WaitForOptions {
  timeoutMs?: number
  intervalMs?: number
  /** Resolves when what is watched may have changed (a frame arrived), to check again at once. */
  changed?: () => Promise<void>
  /** The watched state, for the failure message. */
  state?: () => string
}

/** Holds or not. */
export type Condition = () => boolean | Promise<boolean>
/** Passes by returning, fails by throwing (as `expect` does). */
export type Expectation = () => void | Promise<void>

/**
 * Checks `check` until it passes: a condition that returns true, or an expectation (sync or
 * async) that returns without throwing. Throws after `timeoutMs`, naming `what` was awaited and
 * why the last check failed.
 * @example await waitFor('three deliveries', () => receiver.accepted().length === 3)
 * @example await waitFor('the delivery listed', async () => expect(await list()).toEqual(['1:succeeded']))
 */
export async function waitFor(
  what: string,
  check: Condition | Expectation,
  options: WaitForOptions = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS
  const intervalMs = options.intervalMs ?? DEFAULT_POLL_INTERVAL_MS
  const deadline = Date.now() + timeoutMs
  for (;;) {
    let failure: unknown
    try {
      if ((await check()) !== false) return
    } catch (err) {
      failure = err
    }
    const left = deadline - Date.now()
    if (left <= 0) {
      const why = failure === undefined ? 'the condition never held' : `last check: ${messageOf(failure)}`
      const state = options.state ? `; ${options.state()}` : ''
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${why}${state}`, {
        cause: failure,
      })
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.min(left, intervalMs))
      options.changed?.().then(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}
