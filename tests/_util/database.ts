// Which database the suite runs on. `npm test`: SQLite, a file in each node's data folder.
// `npm run test:postgres` (REFNET_TEST_DATABASE=postgres): PostgreSQL, a fresh database for every
// node a test creates, on the server tests/_util/postgres-setup.ts started (or the one
// REFNET_TEST_POSTGRES_URL names).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { migrateToLatest, openDatabase, postgresTypes, type Database, type DatabaseOptions } from '../../node/db/database.js';
import { createDatabaseOn } from '../../node/demo/postgres-cluster.js';

export const onPostgres = process.env.REFNET_TEST_DATABASE === 'postgres';

/**
 * A new database for one node, or undefined on SQLite: a copy of the migrated template made by
 * tests/_util/postgres-setup.ts (the node's migration finds nothing left to do), or with `empty`
 * one with no tables at all, for a test of migrating itself.
 */
export async function freshDatabaseUrl(options: { empty?: boolean } = {}): Promise<string | undefined> {
  if (!onPostgres) return undefined;
  const admin = process.env.REFNET_TEST_POSTGRES_URL;
  if (!admin) throw new Error('REFNET_TEST_POSTGRES_URL is not set: run the suite with `npm run test:postgres`.');
  const name = `t_${randomBytes(8).toString('hex')}`;
  const template = process.env.REFNET_TEST_POSTGRES_TEMPLATE;
  if (options.empty || !template) return createDatabaseOn(admin, name);
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`create database ${name} template ${template}`);
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
export async function openTestDatabase(options: DatabaseOptions = {}): Promise<{ database: Database; close(): Promise<void> }> {
  // Empty: these tests are of the storage itself, the migrations included.
  const url = await freshDatabaseUrl({ empty: true });
  const dir = url ? undefined : mkdtempSync(join(tmpdir(), 'refnet-db-'));
  const database = openDatabase(url ? { postgresUrl: url } : { sqlitePath: join(dir!, 'test.sqlite') }, options);
  await migrateToLatest(database);
  return {
    database,
    async close() {
      await database.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Row = Record<string, unknown>;

/** The URL a node in `dataDir` recorded at init, if its data is in PostgreSQL. */
function recordedUrl(dataDir: string): string | undefined {
  const file = join(dataDir, 'database-url');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
}

/**
 * Rows read through a connection of the test's own, not the node's (`?` placeholders): what is
 * stored, whatever the node's code would make of it.
 */
export async function readStoredRows(dataDir: string, text: string, ...params: unknown[]): Promise<Row[]> {
  const url = recordedUrl(dataDir);
  if (!url) {
    const db = new SQLite(join(dataDir, 'node.sqlite'), { readonly: true, fileMustExist: true, timeout: 5_000 });
    try {
      return db.prepare(text).all(...params) as Row[];
    } finally {
      db.close();
    }
  }
  let n = 0;
  // 64-bit integers as numbers, as the node reads them and SQLite returns them.
  const client = new pg.Client({ connectionString: url, types: postgresTypes });
  await client.connect();
  try {
    return (await client.query(text.replace(/\?/g, () => `$${++n}`), params)).rows as Row[];
  } finally {
    await client.end();
  }
}

/**
 * Everything the node's database holds, as bytes to search for what must not be there: the SQLite
 * file itself, or on PostgreSQL every value of every table (what a dump would show).
 */
export async function storedBytes(dataDir: string): Promise<Buffer> {
  if (!recordedUrl(dataDir)) return readFileSync(join(dataDir, 'node.sqlite'));
  const tables = await readStoredRows(dataDir, "select table_name from information_schema.tables where table_schema = 'public'");
  const chunks: Buffer[] = [];
  for (const { table_name } of tables) {
    for (const row of await readStoredRows(dataDir, `select * from "${String(table_name)}"`)) {
      for (const value of Object.values(row)) chunks.push(Buffer.isBuffer(value) ? value : Buffer.from(String(value)));
    }
  }
  return Buffer.concat(chunks);
}
