// A whole-database snapshot, to prove that a refused request changed nothing: every row of every
// table the migrations made (a table added later is covered without anyone remembering to), read
// from an in-process test node or from the data folder of a node running in its own process, on
// SQLite or PostgreSQL, in an order that depends only on the rows' contents. `expectUnchanged`
// fails with the rows that appeared and disappeared, table by table.
import { sql } from 'kysely';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { postgresTypes } from '../../node/db/database.js';
import type { OpenNode } from '../../node/node.js';

type Row = Record<string, unknown>;

/** Each table's rows, as JSON text (bytes as hex), sorted. */
export type DatabaseSnapshot = Record<string, string[]>;

/** Per table: leave it out whole ('table'), or leave out these columns of every row. */
export type Exclusions = Record<string, 'table' | readonly string[]>;

/**
 * What a refused request may change, and nothing else. Each is bookkeeping about the caller or
 * the process, never the data the request was about:
 */
export const REFUSED_REQUEST_MAY_CHANGE: Exclusions = {
  // A failed sign-in is refused and counted, by design: the counts are what slows a guesser
  // (users/sign-in-guard.ts). Nothing else of the account changes.
  sign_in_limits: 'table',
  // A valid token's last use is noted (at most once a minute) before the request is looked at;
  // a request refused after that still used the token (users/service.ts). The first use after a
  // long gap also writes a `user.login` audit entry, which is not excluded: use the token once
  // before the first snapshot.
  api_tokens: ['last_used_at'],
  // A session's idle clock restarts on every request it authenticates, refused or not
  // (users/sessions.ts).
  ui_sessions: ['last_seen_at'],
  // A service token's jti is spent as soon as its signature verified, whatever becomes of the
  // request: otherwise a refused request could be replayed (peers/service-token.ts). Old uses are
  // pruned at the same time.
  service_token_uses: 'table',
  // A running process's heartbeat and its periodic jobs' leases (processes/registry.ts): they
  // move with the clock, not with requests.
  node_processes: ['seen_at'],
  job_leases: ['claimed_at', 'owner'],
};

interface Reader {
  tables(): Promise<string[]>;
  rows(table: string): Promise<Row[]>;
  close(): Promise<void>;
}

const TABLES_SQLITE = "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%' order by name";
const TABLES_POSTGRES = "select table_name as name from information_schema.tables where table_schema = 'public' and table_name not like 'kysely_%' order by table_name";

/** Reads through the node's own connection (an in-process test node). */
function nodeReader(node: OpenNode): Reader {
  const { db, dialect } = node.ctx.database;
  return {
    async tables() {
      return (await sql<{ name: string }>`${sql.raw(dialect === 'postgres' ? TABLES_POSTGRES : TABLES_SQLITE)}`.execute(db)).rows.map((r) => r.name);
    },
    async rows(table) {
      return (await sql<Row>`select * from ${sql.table(table)}`.execute(db)).rows;
    },
    async close() {},
  };
}

/** Reads through a connection of the test's own (a node running in its own process). */
async function folderReader(dataDir: string): Promise<Reader> {
  const urlFile = join(dataDir, 'database-url');
  if (!existsSync(urlFile)) {
    const db = new SQLite(join(dataDir, 'node.sqlite'), { readonly: true, fileMustExist: true, timeout: 5_000 });
    return {
      async tables() {
        return (db.prepare(TABLES_SQLITE).all() as { name: string }[]).map((r) => r.name);
      },
      async rows(table) {
        return db.prepare(`select * from "${table}"`).all() as Row[];
      },
      async close() {
        db.close();
      },
    };
  }
  // 64-bit integers as numbers, as the node reads them.
  const client = new pg.Client({ connectionString: readFileSync(urlFile, 'utf8').trim(), types: postgresTypes });
  await client.connect();
  return {
    async tables() {
      return (await client.query<{ name: string }>(TABLES_POSTGRES)).rows.map((r) => r.name);
    },
    async rows(table) {
      return (await client.query<Row>(`select * from "${table}"`)).rows;
    },
    async close() {
      await client.end();
    },
  };
}

function asJson(row: Row): string {
  return JSON.stringify(row, (_key, value: unknown) => {
    if (value instanceof Uint8Array) return `bytes:${Buffer.from(value).toString('hex')}`;
    if (typeof value === 'bigint') return value.toString();
    // Buffer's own toJSON runs before the replacer sees it.
    if (value && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)) {
      return `bytes:${Buffer.from((value as { data: number[] }).data).toString('hex')}`;
    }
    return value;
  });
}

/**
 * Every row of every table of a node's database: `source` is an in-process node (read through
 * its own connection, so uncommitted work of the same connection shows) or the data folder of a
 * node in another process. Rows are sorted by their contents, not by insertion: PostgreSQL has no
 * stable row order (an update that changes nothing still moves a row).
 */
export async function snapshotDatabase(source: OpenNode | string, exclude: Exclusions = REFUSED_REQUEST_MAY_CHANGE): Promise<DatabaseSnapshot> {
  const reader = typeof source === 'string' ? await folderReader(source) : nodeReader(source);
  try {
    const out: DatabaseSnapshot = {};
    for (const table of await reader.tables()) {
      const rule = exclude[table];
      if (rule === 'table') continue;
      const rows = await reader.rows(table);
      out[table] = rows
        .map((row) => {
          if (!rule) return asJson(row);
          const kept: Row = {};
          for (const [column, value] of Object.entries(row)) if (!rule.includes(column)) kept[column] = value;
          return asJson(kept);
        })
        .sort();
    }
    return out;
  } finally {
    await reader.close();
  }
}

const cut = (text: string, max = 400) => (text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text);

/** The rows that disappeared (-) and appeared (+) between two snapshots, table by table; empty if none. */
export function diffSnapshots(before: DatabaseSnapshot, after: DatabaseSnapshot): string[] {
  const lines: string[] = [];
  const tables = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  for (const table of tables) {
    if (!(table in before)) lines.push(`table ${table}: new table`);
    if (!(table in after)) lines.push(`table ${table}: gone`);
    // Rows compared as multisets: a duplicated row counts twice.
    const counts = new Map<string, number>();
    for (const row of before[table] ?? []) counts.set(row, (counts.get(row) ?? 0) + 1);
    const added: string[] = [];
    for (const row of after[table] ?? []) {
      const n = counts.get(row) ?? 0;
      if (n > 0) counts.set(row, n - 1);
      else added.push(row);
    }
    const removed = [...counts].flatMap(([row, n]) => Array<string>(n).fill(row));
    if (removed.length === 0 && added.length === 0) continue;
    lines.push(`table ${table}:`);
    for (const row of removed) lines.push(`  - ${cut(row)}`);
    for (const row of added) lines.push(`  + ${cut(row)}`);
  }
  return lines;
}

/** Throws, with the differences, if anything changed between the two snapshots. */
export function expectUnchanged(before: DatabaseSnapshot, after: DatabaseSnapshot, what = 'the request'): void {
  const diff = diffSnapshots(before, after);
  if (diff.length > 0) throw new Error(`The database changed by ${what}:\n${diff.join('\n')}`);
}
