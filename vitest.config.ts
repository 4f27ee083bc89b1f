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
    // The test nodes are on loopback or in memory (http://node-gr-0.test): a private network, for
    // the nodes and CLI commands run in the tests' processes (node/net/outbound.ts). Tests of the
    // policy itself set it as they need.
    env: { REFERRAL_NODE_PRIVATE_NETWORK: 'true' },
    // The build first: processes the tests start run dist/, which must be the code under test.
    globalSetup: ['tests/_util/build-setup.ts', ...(onPostgres ? ['tests/_util/postgres-setup.ts'] : [])],
  },
});
