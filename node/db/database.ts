// The database wrapper owns the storage policy for both servers. SQLite (the default, embedded):
// WAL, synchronous=FULL (a receipt is only issued for an envelope that survives a power cut),
// foreign keys, a busy timeout, secure_delete. PostgreSQL (DATABASE_URL=postgres://...): a pool,
// SERIALIZABLE transactions, one writer at a time. On both, every transaction goes through `transaction`, which runs
// again when it lost a race with another writer, and runs after-commit hooks for work that must
// follow a commit (like attempting a delivery). What else differs is in dialect.ts.
import SQLite from 'better-sqlite3';
import { closeSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import type PgModule from 'pg';
import {
  CompiledQuery,
  sql,
  Kysely,
  Migrator,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type Driver,
  type LogEvent,
  type Migration,
  type MigrationProvider,
  type SqliteDatabase,
  type SqliteDialectConfig,
  type SqliteStatement,
  type Transaction,
} from 'kysely';
import type { Schema } from './schema.js';
import { migrations } from './migrations/index.js';
import { migrationsRun } from './migration-status.js';
import { isRetryableConflict, PostgresSchemaPlugin, type DialectName } from './dialect.js';

export type Db = Kysely<Schema>;
export type Tx = Transaction<Schema>;

export interface Database {
  db: Db;
  dialect: DialectName;
  /**
   * Runs fn in a transaction; hooks registered with onCommit run after it commits. fn runs again
   * (from the start, in a new transaction) when the transaction lost a race with another writer,
   * so it must do nothing but database work that a rollback undoes. It may share the database's
   * transaction with others that waited beside it (group commit, see `wrap`), each rolled back
   * alone when it fails; it never starts another transaction (that one would wait for it). The
   * promise settles once what fn wrote is committed and durable.
   */
  transaction<T>(fn: (tx: Tx, onCommit: (hook: () => void) => void) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Registers a hook on the transaction `tx` belongs to, from code that has the transaction but not
   * its onCommit (the outbox, which tells the delivery worker of each envelope it queues): the same
   * as onCommit. Throws when `tx` is not the transaction running now.
   */
  afterCommit(tx: Tx, hook: () => void): void;
  /** How many transactions were asked for and how many commits made them durable (fewer when they shared one: group commit). */
  transactionStats(): { transactions: number; commits: number };
  /**
   * Says that a transaction will be asked for soon (a request past its checks, on its way to
   * writing): a group about to start waits for it, a few milliseconds at most, so that both share
   * one commit. The function returned says it was asked for, or will not be; call it once.
   */
  expectTransaction(): () => void;
  /**
   * After an erasure, on SQLite: copies the write-ahead log into the database file and truncates
   * it, so the old versions of erased rows do not linger in the WAL (secure_delete zeroes them in
   * the file). False when another connection (a CLI command) kept the log from being truncated:
   * the next erasure or retention run tries again. Nothing to do on PostgreSQL.
   */
  purgeErased(): Promise<boolean>;
  /** The driver's own client, for rate-limiter-flexible's store (users/sign-in-guard.ts) and nothing else. */
  limiterStore: LimiterStore;
  close(): Promise<void>;
}

/** What rate-limiter-flexible's SQLite and PostgreSQL stores take: better-sqlite3's connection, or pg's pool. */
export interface LimiterStore {
  storeClient: unknown;
  storeType: 'better-sqlite3' | 'pool';
}

/** Where a node's data is: a SQLite file, or a PostgreSQL database. */
export type DatabaseTarget = { sqlitePath: string } | { postgresUrl: string };

export interface TransactionOptions {
  /**
   * Never share a commit with others: for a transaction with effects outside the database that a
   * rollback would not undo (destroying keyring keys), which must act on committed data only.
   */
  alone?: boolean;
}

/** A statement as it was sent to the database: its SQL and its parameters. */
export interface ExecutedQuery {
  sql: string;
  parameters: readonly unknown[];
}

export interface DatabaseOptions {
  /** Called with each statement executed (tests read the query plans of the hot paths). */
  onQuery?: ((query: ExecutedQuery) => void) | undefined;
  /** How long a group waits for transactions announced with expectTransaction (GROUP_WAIT_MS). */
  groupWaitMs?: number | undefined;
  /** Told of an after-commit hook that threw (the commit stands; the caller is answered as usual). */
  onHookError?: ((error: unknown) => void) | undefined;
}

/** Without onHookError: a process warning naming the error's kind only (errors may quote data). */
const warnHookError = (error: unknown): void =>
  process.emitWarning(`An after-commit hook failed (${error instanceof Error ? error.name : 'error'}); the transaction was committed.`);

/** How long a group about to start waits, at most, for a transaction it was told to expect. */
export const GROUP_WAIT_MS = 3;

export function openDatabase(target: DatabaseTarget, options: DatabaseOptions = {}): Database {
  const log = options.onQuery ? queryLog(options.onQuery) : undefined;
  const grouping: Grouping = { waitMs: options.groupWaitMs ?? GROUP_WAIT_MS, onHookError: options.onHookError ?? warnHookError };
  return 'postgresUrl' in target ? openPostgres(target.postgresUrl, log, grouping) : openSqlite(target.sqlitePath, log, grouping);
}

type QueryLog = (event: LogEvent) => void;

function queryLog(onQuery: (query: ExecutedQuery) => void): QueryLog {
  return (event) => {
    if (event.level === 'query') onQuery({ sql: event.query.sql, parameters: event.query.parameters });
  };
}

/** How transactions are grouped: how long a group waits for announced ones, and who hears of a failing hook. */
interface Grouping {
  waitMs: number;
  onHookError: (error: unknown) => void;
}

function openSqlite(path: string, log: QueryLog | undefined, grouping: Grouping): Database {
  // SQLite makes a new database file 0644 less the process's umask, and its -wal and -shm files
  // with the database file's mode. Made here first, 0600 (which no umask widens), all three are
  // 0600 whatever the umask; an empty file is an empty database to SQLite. Setting the umask around
  // the open instead would change it for the whole process while it lasts, and a chmod after the
  // open would leave the files readable for a moment. An existing file keeps its mode.
  closeSync(openSync(path, 'a', 0o600));
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // The write-ahead log is copied back into the database file once it holds this many pages (40
  // MB), not SQLite's 1,000: the pages every commit rewrites (the last page of each index, a
  // queued envelope's row) are then copied back once for many commits, by the commit that crosses
  // the mark, on the thread that serves requests. docs/decisions.md, "Storage".
  sqlite.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  // Deleted content is overwritten with zeros, not left in free pages: erasure must erase.
  sqlite.pragma('secure_delete = ON');
  const db = new Kysely<Schema>({ dialect: new ImmediateSqliteDialect({ database: withStatementCache(sqlite) }, () => sqlite.inTransaction), ...(log ? { log } : {}) });
  return wrap(db, 'sqlite', grouping, {
    begin: (fn) => db.transaction().execute(fn),
    limiterStore: { storeClient: sqlite, storeType: 'better-sqlite3' },
    async purgeErased() {
      const { rows } = await sql<{ busy: number }>`pragma wal_checkpoint(TRUNCATE)`.execute(db);
      return rows[0]?.busy === 0;
    },
  });
}

/** pg, loaded when a node's data is in PostgreSQL: a node on SQLite never loads it. */
let pgModule: typeof PgModule | undefined;
const pg = (): typeof PgModule => (pgModule ??= createRequire(import.meta.url)('pg') as typeof PgModule);

/** PostgreSQL's 64-bit integers (counts, our `integer` columns) as numbers: none comes near 2^53. Tests reading a node's database use it too. */
const INT8_OID = 20;
export const postgresTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? (value: string) => Number(value) : pg().types.getTypeParser(oid, format ?? 'text')) as typeof PgModule.types.getTypeParser,
};

function openPostgres(url: string, log: QueryLog | undefined, grouping: Grouping): Database {
  const pool = new (pg().Pool)({ connectionString: url, max: 10, types: postgresTypes, application_name: 'referral-node' });
  // An idle connection the server drops (a restart, a failover) must not take the process down.
  pool.on('error', () => undefined);
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }), plugins: [new PostgresSchemaPlugin()], ...(log ? { log } : {}) });
  return wrap(db, 'postgres', grouping, {
    // One writer at a time, as on SQLite (BEGIN IMMEDIATE): every transaction here writes, and
    // nearly all append to the audit log, whose next index each reads; run side by side they would
    // mostly fail each other. LOCK TABLE as the first statement takes the lock before the
    // transaction's snapshot, so each sees what the one before it committed. Readers outside
    // transactions are not blocked (the lock mode lets plain reads through). SERIALIZABLE on top
    // covers the single statements run outside transactions; one that cannot be serialized is
    // refused with 40001 and run again by `transaction`.
    begin: (fn) =>
      db
        .transaction()
        .setIsolationLevel('serializable')
        .execute(async (tx) => {
          await sql`lock table audit_log in share row exclusive mode`.execute(tx);
          return fn(tx);
        }),
    // Deleted rows are not overwritten here: what erasure guarantees on PostgreSQL is in the
    // README ("Erasure and the database").
    purgeErased: async () => true,
    limiterStore: { storeClient: pool, storeType: 'pool' },
  });
}

/** Pages of write-ahead log after which a commit copies it back into the database file (SQLite's default is 1,000). */
export const WAL_AUTOCHECKPOINT_PAGES = 10_000;

/** How many prepared statements a SQLite connection keeps: more than the node's distinct queries. */
export const STATEMENT_CACHE_SIZE = 1_000;

/**
 * kysely prepares every statement anew before running it; SQLite's compiling of the SQL then costs
 * as much as running a short query. The connection handed to kysely keeps the statements it
 * prepared, by their SQL (kysely's SQL text is the same for each call of a query; the values are
 * parameters), the least recently used going first when there are too many. A statement that
 * changes the schema empties the cache (the migrations), though SQLite would prepare the others
 * again itself.
 */
export function withStatementCache(sqlite: SqliteDatabase, size = STATEMENT_CACHE_SIZE): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => sqlite.close(),
    prepare(text) {
      const cached = statements.get(text);
      if (cached) {
        // Most recently used last.
        statements.delete(text);
        statements.set(text, cached);
        return cached;
      }
      const statement = sqlite.prepare(text);
      if (/^\s*(create|alter|drop)\b/i.test(text)) {
        statements.clear();
        return statement;
      }
      statements.set(text, statement);
      if (statements.size > size) statements.delete(statements.keys().next().value!);
      return statement;
    },
  };
}

/**
 * Every transaction here writes. `BEGIN IMMEDIATE` takes the write lock at the start, so a second
 * process on the same file (the CLI beside `serve`) waits for it under busy_timeout, instead of
 * failing with SQLITE_BUSY when a read lock must be upgraded halfway through.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  constructor(
    config: SqliteDialectConfig,
    private readonly inTransaction: () => boolean,
  ) {
    super(config);
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  /**
   * SQLite rolls a whole transaction back itself on some errors (a full disk, an I/O error): a
   * ROLLBACK then fails ("no transaction is active"), and its error would take the place of the
   * one that says what happened.
   */
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.inTransaction()) await super.rollbackTransaction(connection);
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(
    private readonly config: SqliteDialectConfig,
    private readonly inTransaction: () => boolean,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.config, this.inTransaction);
  }
}

interface DialectPolicy {
  begin<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  purgeErased(): Promise<boolean>;
  limiterStore: LimiterStore;
}

/** How often a transaction that lost a race runs again before its error is let through. */
const MAX_ATTEMPTS = 8;

/**
 * What code inside a transaction may remember for the rest of it (the audit log's next index,
 * audit-log/append.ts), so that it need not read it again. The transactions of a group share it,
 * as they share the database transaction (one after the other, each seeing the writes of those
 * before). Forgotten with the writes it describes: when a member's savepoint rolls back, and with
 * the transaction object itself.
 */
const memos = new WeakMap<Tx, Map<symbol, unknown>>();

export function transactionMemo(tx: Tx): Map<symbol, unknown> {
  let memo = memos.get(tx);
  if (!memo) memos.set(tx, (memo = new Map()));
  return memo;
}

/** The savepoints of a group, compiled once: they run twice for every transaction of a group. */
const SAVEPOINT = CompiledQuery.raw('savepoint grouped');
const RELEASE_SAVEPOINT = CompiledQuery.raw('release savepoint grouped');
const ROLLBACK_TO_SAVEPOINT = CompiledQuery.raw('rollback to savepoint grouped');

/** At most this many transactions share one commit (group commit): the write lock is not held for long. */
export const MAX_GROUP = 32;

/** A transaction waiting for its turn: its work, and its caller's promise. */
interface Queued {
  fn: (tx: Tx, onCommit: (hook: () => void) => void) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  alone: boolean;
}

/** What one transaction of a group came to: its result and hooks, or its error (its savepoint rolled back). */
type Outcome = { ok: true; value: unknown; hooks: Array<() => void> } | { ok: false; error: unknown };

/**
 * Transactions run one after the other, as the write lock allows anyway (SQLite's single writer,
 * PostgreSQL's lock on the audit log). Those that arrive together, or while one runs, share one
 * database transaction and so one commit: one fsync for many (group commit). Each runs within a
 * savepoint of its own, so one that fails is rolled back alone and its caller gets its error, while
 * the others commit; every caller's promise settles only after the commit that made its writes
 * durable (a receipt is never given for a message that a crash could still lose). A group that
 * lost a race with another process runs again one transaction at a time.
 */
function wrap(db: Db, dialect: DialectName, { waitMs: groupWaitMs, onHookError }: Grouping, policy: DialectPolicy): Database {
  let closed = false;
  const queue: Queued[] = [];
  let draining = false;
  const stats = { transactions: 0, commits: 0 };
  /** Transactions announced (expectTransaction) and not asked for yet; and the group waiting for them. */
  let expected = 0;
  let stopWaiting: (() => void) | undefined;
  const arrived = () => {
    if (stopWaiting && (expected === 0 || queue.length >= MAX_GROUP)) stopWaiting();
  };
  /** Until every transaction announced has been asked for, or `groupWaitMs`: no spinning, a timer and a wake-up. */
  const waitForExpected = () =>
    new Promise<void>((resume) => {
      const done = () => {
        clearTimeout(timer);
        stopWaiting = undefined;
        resume();
      };
      const timer = setTimeout(done, groupWaitMs);
      stopWaiting = done;
    });

  /** After-commit hooks: one that throws neither stops the others nor undoes the commit; it is reported. */
  const runHooks = (hooks: ReadonlyArray<() => void>): void => {
    for (const hook of hooks) {
      try {
        hook();
      } catch (error) {
        onHookError(error);
      }
    }
  };

  /** The transaction running now (they run one at a time) and where its hooks go: for afterCommit. */
  let running: { tx: Tx; onCommit: (hook: () => void) => void } | undefined;
  const run = async (item: Queued, tx: Tx, hooks: Array<() => void>): Promise<unknown> => {
    const onCommit = (hook: () => void) => void hooks.push(hook);
    running = { tx, onCommit };
    try {
      return await item.fn(tx, onCommit);
    } finally {
      running = undefined;
    }
  };

  /** One transaction alone, run again when it lost a race with another writer. */
  const runAlone = async (item: Queued): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      // Hooks of an attempt that rolled back are dropped with it.
      const hooks: Array<() => void> = [];
      let value: unknown;
      try {
        value = await policy.begin((tx) => run(item, tx, hooks));
      } catch (error) {
        if (attempt >= MAX_ATTEMPTS || !isRetryableConflict(error)) {
          item.reject(error);
          return;
        }
        // Spread the retries out, so the writers that collided do not collide again.
        await new Promise((resume) => setTimeout(resume, Math.random() * 10 * 2 ** attempt));
        continue;
      }
      // Committed: nothing after this point may send the caller an error or run it again.
      stats.commits += 1;
      runHooks(hooks);
      item.resolve(value);
      return;
    }
  };

  /** Several transactions in one, each within a savepoint. */
  const runGroup = async (items: Queued[]): Promise<void> => {
    const outcomes: Outcome[] = [];
    try {
      await policy.begin(async (tx) => {
        for (const item of items) {
          const hooks: Array<() => void> = [];
          await tx.executeQuery(SAVEPOINT);
          try {
            const value = await run(item, tx, hooks);
            await tx.executeQuery(RELEASE_SAVEPOINT);
            outcomes.push({ ok: true, value, hooks });
          } catch (error) {
            // A lost race dooms the whole transaction: the group runs again, one at a time.
            if (isRetryableConflict(error)) throw error;
            // What the rolled-back transaction remembered went with its writes.
            memos.delete(tx);
            try {
              await tx.executeQuery(ROLLBACK_TO_SAVEPOINT);
              await tx.executeQuery(RELEASE_SAVEPOINT);
            } catch {
              // The savepoint is gone: the database rolled the whole transaction back itself (SQLite
              // does on a full disk or an I/O error). The group fails, with the error that caused it.
              throw error;
            }
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      if (isRetryableConflict(error)) {
        for (const item of items) await runAlone(item);
      } else {
        // Nothing of the group was committed.
        for (const item of items) item.reject(error);
      }
      return;
    }
    stats.commits += 1;
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.ok) {
        runHooks(outcome.hooks);
        items[i]!.resolve(outcome.value);
      } else {
        items[i]!.reject(outcome.error);
      }
    }
  };

  // A transaction starts once the event loop has taken in what had arrived (setImmediate runs
  // after the I/O callbacks): requests that came in together, or while a commit's fsync held the
  // thread, then share one commit. better-sqlite3 runs a whole transaction without yielding to
  // I/O, so without this pause none would ever wait beside another.
  const nextTurn = () => new Promise<void>((resume) => setImmediate(resume));

  const drain = async (): Promise<void> => {
    draining = true;
    try {
      do {
        await nextTurn();
        // Requests on their way to a transaction join this one's commit (as PostgreSQL's
        // commit_delay does, only when others are about to commit).
        if (expected > 0 && queue.length < MAX_GROUP) await waitForExpected();
        // A transaction with effects a rollback cannot undo (destroying keyring keys) runs alone:
        // in a group, it could act on another member's writes that the group then rolls back.
        const aloneAt = queue.findIndex((item) => item.alone);
        const group = queue.splice(0, aloneAt === 0 ? 1 : aloneAt > 0 ? Math.min(aloneAt, MAX_GROUP) : MAX_GROUP);
        await (group.length === 1 ? runAlone(group[0]!) : runGroup(group));
      } while (queue.length > 0);
    } finally {
      draining = false;
    }
  };

  return {
    db,
    dialect,
    limiterStore: policy.limiterStore,
    transaction<T>(fn: (tx: Tx, onCommit: (hook: () => void) => void) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
      stats.transactions += 1;
      return new Promise<T>((resolve, reject) => {
        queue.push({ fn, resolve: resolve as (value: unknown) => void, reject, alone: options.alone === true });
        if (!draining) void drain();
        arrived();
      });
    },
    afterCommit(tx, hook) {
      if (running?.tx !== tx) throw new Error('afterCommit was called with a transaction that is not the one running.');
      running.onCommit(hook);
    },
    transactionStats: () => ({ ...stats }),
    expectTransaction() {
      expected += 1;
      let settled = false;
      return () => {
        if (settled) return;
        settled = true;
        expected -= 1;
        arrived();
      };
    },
    purgeErased: () => policy.purgeErased(),
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
  // kysely's Migrator, before it finds that there is nothing to do, lists every table with its
  // columns (twice, at every start): it runs only when the migrations run are not exactly the
  // listed ones (something to run, or a newer version's migration to refuse).
  const listed = Object.keys(migrations).sort();
  const run = await migrationsRun(database);
  if (run.length === listed.length && run.every((name, i) => name === listed[i])) return;
  const migrator = new Migrator({ db: database.db, provider: new ListedMigrations() });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
}
