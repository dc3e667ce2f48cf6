/**
 * Runs a bench's `main`, then always its `cleanup` (child processes, the throwaway database); a
 * failure is printed and makes the exit code 1.
 * @example await runBench(main, cleanup)
 */
export async function runBench(main: () => Promise<void>, cleanup: () => Promise<void>): Promise<void> {
  try {
    await main()
  } catch (err) {
    console.error(err)
    process.exitCode = 1
  } finally {
    await cleanup()
  }
}
