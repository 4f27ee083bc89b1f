// Which of the migrations listed in migrations/index.ts the database has run, asked in one query
// (kysely's Migrator, to say the same, lists every table with its columns). A node migrates as it
// opens, so on a running node nothing is pending unless another process of an older version holds
// the database or someone restored an older backup under it; /readyz reports it, and a start that
// finds exactly the listed ones run has nothing to do.
import { sql, type Kysely } from 'kysely';
import type { Schema } from './schema.js';
import { migrations } from './migrations/index.js';

/** A node's database, as database.ts opens it (named here without importing it: it imports this). */
type Database = { db: Kysely<Schema> };

/** The names of the migrations the database has run, in order; none on a new database. */
export async function migrationsRun(database: Database): Promise<string[]> {
  try {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(database.db);
    return rows.map((row) => row.name);
  } catch (error) {
    if (noMigrationsTable(error)) return [];
    throw error;
  }
}

/** SQLite's "no such table", PostgreSQL's undefined_table (42P01). */
function noMigrationsTable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return code === '42P01' || (typeof message === 'string' && message.includes('no such table'));
}

/** The names of the listed migrations the database has not run, in order. */
export async function pendingMigrations(database: Database): Promise<string[]> {
  const run = new Set(await migrationsRun(database));
  return Object.keys(migrations).sort().filter((name) => !run.has(name));
}
