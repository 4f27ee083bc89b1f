// The database wrapper owns the SQLite policy: WAL, synchronous=FULL (a receipt is only issued
// for an envelope that survives a power cut), foreign keys, a busy timeout, and transactions with
// after-commit hooks for work that must follow a commit (like attempting a delivery).
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  sql,
  Kysely,
  Migrator,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type Migration,
  type MigrationProvider,
  type SqliteDialectConfig,
  type Transaction,
} from 'kysely';
import type { Schema } from './schema.js';
import { migrations } from './migrations/index.js';

export type Db = Kysely<Schema>;
export type Tx = Transaction<Schema>;

export interface Database {
  db: Db;
  /** Runs fn in a transaction; hooks registered with onCommit run after it commits. */
  transaction<T>(fn: (tx: Tx, onCommit: (hook: () => void) => void) => Promise<T>): Promise<T>;
  /**
   * After an erasure: copies the write-ahead log into the database file and truncates it, so the
   * old versions of erased rows do not linger in the WAL (secure_delete zeroes them in the file).
   * False when another connection (a CLI command) kept the log from being truncated: the next
   * erasure or retention run tries again.
   */
  purgeErased(): Promise<boolean>;
  close(): Promise<void>;
}

export function openSqlite(path: string): Database {
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // Deleted content is overwritten with zeros, not left in free pages: erasure must erase.
  sqlite.pragma('secure_delete = ON');
  const db = new Kysely<Schema>({ dialect: new ImmediateSqliteDialect({ database: sqlite }) });
  return wrap(db);
}

/**
 * Every transaction here writes. `BEGIN IMMEDIATE` takes the write lock at the start, so a second
 * process on the same file (the CLI beside `serve`) waits for it under busy_timeout, instead of
 * failing with SQLITE_BUSY when a read lock must be upgraded halfway through.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly config: SqliteDialectConfig) {
    super(config);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.config);
  }
}

function wrap(db: Db): Database {
  let closed = false;
  return {
    db,
    async transaction(fn) {
      const hooks: Array<() => void> = [];
      const result = await db.transaction().execute((tx) => fn(tx, (hook) => hooks.push(hook)));
      for (const hook of hooks) hook();
      return result;
    },
    async purgeErased() {
      const { rows } = await sql<{ busy: number }>`pragma wal_checkpoint(TRUNCATE)`.execute(db);
      return rows[0]?.busy === 0;
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
    },
  };
}

class ListedMigrations implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}

export async function migrateToLatest(database: Database): Promise<void> {
  const migrator = new Migrator({ db: database.db, provider: new ListedMigrations() });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
}
