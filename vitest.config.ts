import { configDefaults, defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          // Pure code: no database, no Redis, no global setup (tests/helpers/provided.ts throws here).
          name: 'unit',
          include: ['tests/unit/**/*.test.ts'],
          pool: 'threads',
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'tests/unit/**'],
          globalSetup: ['tests/helpers/global-setup.ts'],
          // Real servers, sockets and child processes: keep files in separate processes.
          pool: 'forks',
        },
      },
      {
        extends: true,
        test: {
          // Property-based fuzzing: a bounded run in `npm test` (150 requests, 25 websocket
          // connections), a long one in `npm run fuzz` (FUZZ_RUNS, FUZZ_WS_RUNS).
          name: 'fuzz',
          include: ['tests/fuzz/**/*.fuzz.ts'],
          globalSetup: ['tests/helpers/global-setup.ts'],
          pool: 'forks',
        },
      },
    ],
  },
})
