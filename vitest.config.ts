import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vitest/config'

const root = fileURLToPath(new URL('.', import.meta.url))

export default defineConfig({
  resolve: {
    // Tests run against the sources, so a stale `dist/` can never hide a bug.
    alias: [
      { find: /^@tollgate\/test$/, replacement: `${root}packages/test/src/index.ts` },
      {
        find: /^@tollgate\/([a-z0-9-]+)$/,
        replacement: `${root}packages/$1/src/exports/index.ts`,
      },
      {
        find: /^@tollgate\/([a-z0-9-]+)\/([a-z0-9-]+)$/,
        replacement: `${root}packages/$1/src/exports/$2.ts`,
      },
    ],
  },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 20_000,
  },
})
