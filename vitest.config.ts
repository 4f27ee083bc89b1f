import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'node/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Multi-process tests start real nodes; two cores are shared, so keep files from crowding.
    maxWorkers: 2,
  },
});
