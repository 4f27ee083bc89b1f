// Whether the database's schema is the one this code expects: the migrations listed in
// migrations/index.ts that the database has not run yet. A node migrates as it opens, so on a
// running node this is empty unless another process of an older version holds the database or
// someone restored an older backup under it; /readyz reports it.
import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Database } from './database.js';
import { migrations } from './migrations/index.js';

class ListedMigrations implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}

/** The names of the listed migrations the database has not run, in order. */
export async function pendingMigrations(database: Database): Promise<string[]> {
  const found = await new Migrator({ db: database.db, provider: new ListedMigrations() }).getMigrations();
  return found.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
