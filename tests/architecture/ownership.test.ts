// Each table is written by its owner only, and read only inside the owner's concern folder
// (node/db/ownership.ts); transactions go through the database wrapper. The code is scanned for
// kysely's table-naming calls and raw SQL, so a query added in the wrong place fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { concernOf, tableOwners } from '../../node/db/ownership.js';

const root = join(import.meta.dirname, '..', '..');

/** Where the database layer itself lives: it may name any table (migrations, the wrapper). */
const DB_LAYER = 'node/db/';

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

const WRITES = new Set(['insertInto', 'updateTable', 'deleteFrom', 'replaceInto', 'mergeInto']);
const CALL = /\.(selectFrom|insertInto|updateTable|deleteFrom|replaceInto|mergeInto|innerJoin|leftJoin|rightJoin|fullJoin)\(\s*'([a-z_]+)/g;
const RAW_SQL = /sql(?:<[^`]*>)?`([^`]*)`/g;
const RAW_TABLE = /\b(delete\s+from|from|into|update|join)\s+([a-z_]+)/gi;

export interface Access {
  file: string;
  table: string;
  op: 'read' | 'write';
}

function accessesIn(file: string, text: string): Access[] {
  const found: Access[] = [];
  for (const m of text.matchAll(CALL)) found.push({ file, table: m[2]!, op: WRITES.has(m[1]!) ? 'write' : 'read' });
  for (const m of text.matchAll(RAW_SQL)) {
    for (const t of m[1]!.matchAll(RAW_TABLE)) {
      if (t[2]! in tableOwners) found.push({ file, table: t[2]!, op: /^(from|join)$/i.test(t[1]!) ? 'read' : 'write' });
    }
  }
  return found;
}

const code = [...sources('node'), ...sources('admin-ui')].filter((f) => !f.startsWith(DB_LAYER));
const accesses = code.flatMap((file) => accessesIn(file, readFileSync(join(root, file), 'utf8')));

function violation(a: Access): string | undefined {
  const owner = tableOwners[a.table as keyof typeof tableOwners];
  if (!owner) return `${a.file}: ${a.op} ${a.table} (a table no owner is declared for)`;
  if (a.op === 'write' && a.file !== owner.owner) return `${a.file}: write ${a.table}`;
  if (a.op === 'read' && !a.file.startsWith(concernOf(owner.owner))) return `${a.file}: read ${a.table}`;
  return undefined;
}

/** Everything that breaks the rules: queries in the wrong place, owners missing, transactions begun outside the wrapper. */
function violations(): string[] {
  const files = new Set(code);
  return [
    ...accesses.map(violation).filter((v): v is string => v !== undefined),
    ...Object.values(tableOwners).filter((o) => !files.has(o.owner)).map((o) => `${o.owner}: missing owner module`),
    ...code.filter((file) => /\.transaction\(\)/.test(readFileSync(join(root, file), 'utf8'))).map((f) => `${f}: transaction outside the wrapper`),
  ].filter((v, i, all) => all.indexOf(v) === i).sort();
}

describe('table ownership', () => {
  it('finds the queries it checks (the scan itself works)', () => {
    expect(accesses.some((a) => a.table === 'referrals' && a.op === 'write')).toBe(true);
    expect(accessesIn('x.ts', "db.selectFrom('peers as p').innerJoin('referrals', 'r.peer_id', 'p.id')")).toEqual([
      { file: 'x.ts', table: 'peers', op: 'read' },
      { file: 'x.ts', table: 'referrals', op: 'read' },
    ]);
    expect(accessesIn('x.ts', 'sql`delete from envelopes where id = ${id}`')).toEqual([{ file: 'x.ts', table: 'envelopes', op: 'write' }]);
  });

  it('docs/architecture.md names the owner of every table, as the map does', () => {
    const doc = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8');
    const documented = new Map([...doc.matchAll(/^\| `([a-z_]+)` \| `([^`]+)` \|/gm)].map((m) => [m[1]!, m[2]!]));
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(Object.entries(tableOwners).map(([table, o]) => [table, o.owner])));
  });

  it('each table is written by its owner only and read only in its concern; transactions go through the wrapper', () => {
    expect(violations()).toEqual([]);
  });
});
