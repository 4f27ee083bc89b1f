// Which database the suite runs on. `npm test`: SQLite, a file in each node's data folder.
// `npm run test:postgres` (REFNET_TEST_DATABASE=postgres): PostgreSQL, a fresh database for every
// node a test creates, on the server tests/_util/postgres-setup.ts started (or the one
// REFNET_TEST_POSTGRES_URL names).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { migrateToLatest, openDatabase, type Database } from '../../node/db/database.js';

export const onPostgres = process.env.REFNET_TEST_DATABASE === 'postgres';

/** A new, empty database for one node, or undefined on SQLite. */
export async function freshDatabaseUrl(): Promise<string | undefined> {
  if (!onPostgres) return undefined;
  const admin = process.env.REFNET_TEST_POSTGRES_URL;
  if (!admin) throw new Error('REFNET_TEST_POSTGRES_URL is not set: run the suite with `npm run test:postgres`.');
  const name = `t_${randomBytes(8).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.href;
}

/** The `init` options that put a new node's data in a fresh database (none on SQLite). */
export async function databaseArgs(): Promise<string[]> {
  const url = await freshDatabaseUrl();
  return url ? ['--database-url', url] : [];
}

/** A migrated database of the suite's kind for a test of the storage itself; `close` also removes it. */
export async function openTestDatabase(): Promise<{ database: Database; close(): Promise<void> }> {
  const url = await freshDatabaseUrl();
  const dir = url ? undefined : mkdtempSync(join(tmpdir(), 'refnet-db-'));
  const database = openDatabase(url ? { postgresUrl: url } : { sqlitePath: join(dir!, 'test.sqlite') });
  await migrateToLatest(database);
  return {
    database,
    async close() {
      await database.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
