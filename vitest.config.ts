import { defineConfig } from 'vitest/config';

/** `npm run test:postgres`: the same suite, each node on a database of a PostgreSQL server of its own. */
const onPostgres = process.env.REFNET_TEST_DATABASE === 'postgres';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'node/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Multi-process tests start real nodes; two cores are shared, so keep files from crowding.
    maxWorkers: 2,
    // The build first: processes the tests start run dist/, which must be the code under test.
    globalSetup: ['tests/_util/build-setup.ts', ...(onPostgres ? ['tests/_util/postgres-setup.ts'] : [])],
  },
});
