// vitest's global set-up for `npm run test:postgres`: a throwaway PostgreSQL server for the whole
// run (tests/_util/database.ts gives each node a database of its own on it), unless
// REFNET_TEST_POSTGRES_URL already names one. The server trades durability for speed: a test
// run has nothing to keep. The schema is migrated once, into a template database that each
// node's database is copied from: a copy costs a third of migrating anew, for the hundreds of
// nodes the suite starts (tests/db/storage-contract.test.ts still migrates an empty database).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrateToLatest, openDatabase } from '../../node/db/database.js';
import { createDatabaseOn, startPostgresCluster } from '../../node/demo/postgres-cluster.js';

async function createMigratedTemplate(adminUrl: string): Promise<string> {
  // A name of this run's own: a server named by REFNET_TEST_POSTGRES_URL may hold an older one.
  const name = `t_template_${randomBytes(6).toString('hex')}`;
  const database = openDatabase({ postgresUrl: await createDatabaseOn(adminUrl, name) });
  try {
    await migrateToLatest(database);
  } finally {
    await database.close();
  }
  return name;
}

async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists ${name}`);
  } finally {
    await client.end();
  }
}

export default async function setup(): Promise<() => Promise<void>> {
  const given = process.env.REFNET_TEST_POSTGRES_URL;
  const dir = given ? undefined : mkdtempSync(join(tmpdir(), 'refnet-postgres-'));
  const cluster = dir ? await startPostgresCluster(dir, { durable: false }) : undefined;
  // Read by the test files and inherited by the node and CLI processes the tests start.
  const adminUrl = given ?? cluster!.url('postgres');
  process.env.REFNET_TEST_POSTGRES_URL = adminUrl;
  const template = await createMigratedTemplate(adminUrl);
  process.env.REFNET_TEST_POSTGRES_TEMPLATE = template;
  return async () => {
    if (cluster) {
      await cluster.stop();
      rmSync(dir!, { recursive: true, force: true });
    } else {
      await dropDatabase(adminUrl, template);
    }
  };
}
