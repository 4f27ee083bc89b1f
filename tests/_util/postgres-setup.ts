// vitest's global set-up for `npm run test:postgres`: a throwaway PostgreSQL server for the whole
// run (tests/_util/database.ts gives each node a database of its own on it), unless
// REFNET_TEST_POSTGRES_URL already names one. The server trades durability for speed: a test
// run has nothing to keep.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgresCluster } from '../../node/demo/postgres-cluster.js';

export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.REFNET_TEST_POSTGRES_URL) return async () => {};
  const dir = mkdtempSync(join(tmpdir(), 'refnet-postgres-'));
  const cluster = await startPostgresCluster(dir, { durable: false });
  // Read by the test files and inherited by the node and CLI processes the tests start.
  process.env.REFNET_TEST_POSTGRES_URL = cluster.url('postgres');
  return async () => {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
