import { inject, type ProvidedContext } from 'vitest'

/**
 * A value the integration project's global setup provides (tests/helpers/global-setup.ts).
 * Throws, rather than returning undefined, where no setup ran: a unit test (tests/unit) that
 * reaches for the test database or Redis fails at once instead of quietly falling back to an
 * embedded database or the in-process bus.
 */
export function provided<K extends keyof ProvidedContext>(key: K): ProvidedContext[K] {
  const value = inject(key)
  if (value === undefined)
    throw new Error(
      `${key} comes from the integration project's global setup; tests/unit runs without Postgres and Redis, so a unit test may not use it`,
    )
  return value
}
