// Prepared statements (node/db/prepared.ts), on the store the suite runs on: built and compiled
// once, run with each call's values, in a transaction or not; a builder that uses a value as more
// than a value is refused when first built.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Database } from '../../node/db/database.js';
import { preparedStatement } from '../../node/db/prepared.js';
import { openTestDatabase } from '../_util/database.js';

let database: Database;
let close: () => Promise<void>;
const statements: string[] = [];

beforeAll(async () => {
  ({ database, close } = await openTestDatabase({ onQuery: (query) => statements.push(query.sql) }));
});
afterAll(() => close());

// A small table of two text columns; the statements fix `since`'s first characters as a constant.
const insertRetirement = preparedStatement((db, v: { id: string; since: string }) =>
  db.insertInto('keyring_retirements').values({ keyring_key_id: v.id, since: v.since }),
);

describe('a prepared statement', () => {
  it('is built once and runs with the values of each call, constants kept', async () => {
    const build = vi.fn((db: Parameters<Parameters<typeof preparedStatement>[0]>[0], v: { id: string }) =>
      db.selectFrom('keyring_retirements').select(['keyring_key_id', 'since']).where('keyring_key_id', '=', v.id).where('since', 'like', '2026-%'),
    );
    const byId = preparedStatement(build);
    await insertRetirement.execute(database.db, { id: 'key-a', since: '2026-12-07' });
    await insertRetirement.execute(database.db, { id: 'key-b', since: '2026-12-06' });
    await insertRetirement.execute(database.db, { id: 'key-c', since: '2025-01-01' });
    expect(await byId.rows(database.db, { id: 'key-b' })).toEqual([{ keyring_key_id: 'key-b', since: '2026-12-06' }]);
    expect(await byId.first(database.db, { id: 'key-a' })).toEqual({ keyring_key_id: 'key-a', since: '2026-12-07' });
    expect(await byId.first(database.db, { id: 'key-c' })).toBeUndefined();
    expect(await byId.first(database.db, { id: 'key-z' })).toBeUndefined();
    expect(build).toHaveBeenCalledTimes(1);
    // The same SQL each time, the values as parameters.
    const selects = statements.filter((text) => text.includes('from "keyring_retirements"'));
    expect(selects).toHaveLength(4);
    expect(new Set(selects).size).toBe(1);
    expect(selects[0]).not.toContain('key-');
  });

  it('runs in the transaction it is given, and is rolled back with it', async () => {
    await expect(
      database.transaction(async (tx) => {
        await insertRetirement.execute(tx, { id: 'key-d', since: '2026-12-07' });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await database.db.selectFrom('keyring_retirements').select('since').where('keyring_key_id', '=', 'key-d').execute()).toEqual([]);
  });

  it('refuses a builder that uses a value as more than a value', async () => {
    const structural = preparedStatement((db, v: { newest: boolean }) =>
      db.selectFrom('keyring_retirements').select('since').orderBy('since', v.newest ? 'desc' : 'asc'),
    );
    await expect(structural.rows(database.db, { newest: true })).rejects.toThrow(/newest other than as a value/);
    const listed = preparedStatement((db, v: { keyring_key_id: string; since: string }) => db.insertInto('keyring_retirements').values(v));
    await expect(listed.execute(database.db, { keyring_key_id: 'x', since: 'x' })).rejects.toThrow(/names each of its values/);
  });
});
