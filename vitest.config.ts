import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const core = (p: string) => fileURLToPath(new URL(`./libs/core/src/${p}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@waddlebot\/core\/testing$/, replacement: core('testing/index.ts') },
      { find: /^@waddlebot\/core$/, replacement: core('index.ts') },
    ],
  },
  test: {
    include: ['libs/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    // Most tests wait on a database, not the CPU: more workers than the 2 cores pays off.
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    globalSetup: ['libs/core/src/testing/global-setup.ts'],
  },
});
