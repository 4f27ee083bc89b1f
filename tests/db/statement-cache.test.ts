// SQLite's prepared statements are kept and used again (node/db/database.ts, withStatementCache):
// a query run many times is compiled once; the least recently used goes first when the cache is
// full; a schema change empties it, and what follows sees the new schema.
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, type SqliteDatabase } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { withStatementCache } from '../../node/db/database.js';

interface Tables {
  t: { id: number; name: string; note?: string | null };
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => close?.());

function counted(size: number) {
  const sqlite = new SQLite(':memory:');
  const prepared: string[] = [];
  const counting: SqliteDatabase = {
    close: () => sqlite.close(),
    prepare: (text) => {
      prepared.push(text);
      return sqlite.prepare(text);
    },
  };
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: withStatementCache(counting, size) }) });
  close = () => db.destroy();
  return { db, prepared };
}

describe('the SQLite statement cache', () => {
  it('compiles a query once however often it runs, with other values each time', async () => {
    const { db, prepared } = counted(10);
    await db.schema.createTable('t').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('name', 'text').execute();
    for (let id = 0; id < 5; id++) await db.insertInto('t').values({ id, name: `name ${id}` }).execute();
    for (let id = 0; id < 5; id++) expect((await db.selectFrom('t').select('name').where('id', '=', id).executeTakeFirst())?.name).toBe(`name ${id}`);
    expect(prepared.filter((s) => s.startsWith('insert'))).toHaveLength(1);
    expect(prepared.filter((s) => s.startsWith('select'))).toHaveLength(1);
  });

  it('lets the least recently used statement go when full', async () => {
    const { db, prepared } = counted(2);
    await db.schema.createTable('t').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('name', 'text').execute();
    const byId = () => db.selectFrom('t').select('name').where('id', '=', 1).execute();
    const byName = () => db.selectFrom('t').select('id').where('name', '=', 'x').execute();
    const all = () => db.selectFrom('t').selectAll().execute();
    await byId();
    await byName();
    await byId(); // used again: byName is now the oldest
    await all(); // evicts byName
    await byId();
    await byName();
    const selects = prepared.filter((s) => s.startsWith('select'));
    expect(selects).toHaveLength(4);
    expect(selects.filter((s) => s.includes('"name" = ?'))).toHaveLength(2);
  });

  it('empties itself on a schema change, and the same query then sees the new column', async () => {
    const { db, prepared } = counted(10);
    await db.schema.createTable('t').addColumn('id', 'integer', (c) => c.primaryKey()).addColumn('name', 'text').execute();
    await db.insertInto('t').values({ id: 1, name: 'a' }).execute();
    expect(Object.keys((await db.selectFrom('t').selectAll().executeTakeFirstOrThrow()))).toEqual(['id', 'name']);
    await db.schema.alterTable('t').addColumn('note', 'text').execute();
    expect(Object.keys((await db.selectFrom('t').selectAll().executeTakeFirstOrThrow()))).toEqual(['id', 'name', 'note']);
    expect(prepared.filter((s) => s.startsWith('select'))).toHaveLength(2);
  });
});
