// A full disk on SQLite (node/db/database.ts): SQLite then rolls the whole transaction back itself,
// so that what fails must say so (SQLITE_FULL), not that a rollback or a savepoint found nothing to
// undo; a group sharing the transaction fails as a whole, nothing of it kept; and once there is
// room again the database works as before. PostgreSQL rolls back to a savepoint as asked: the
// storage contract's tests of a failing group member hold there.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../node/db/database.js';
import { onPostgres, openTestDatabase } from '../_util/database.js';

let database: Database;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ database, close } = await openTestDatabase());
});
afterAll(() => close());

/** Lets the database file grow by only a few pages. */
async function leaveLittleRoom(): Promise<void> {
  const { rows } = await sql<{ page_count: number }>`pragma page_count`.execute(database.db);
  await sql.raw(`pragma max_page_count = ${rows[0]!.page_count + 2}`).execute(database.db);
}
const makeRoom = () => sql.raw('pragma max_page_count = 1073741823').execute(database.db);

const retirement = (id: string) => ({ keyring_key_id: id, since: '2026-12-07' });
/** Writes more than a few pages hold. */
const tooMuch = (prefix: string) => async (tx: Parameters<Parameters<Database['transaction']>[0]>[0]) => {
  for (let i = 0; i < 200; i++) await tx.insertInto('keyring_retirements').values(retirement(`${prefix}-${i}-${'x'.repeat(2000)}`)).execute();
};
const kept = async (id: string) =>
  (await database.db.selectFrom('keyring_retirements').select('keyring_key_id').where('keyring_key_id', '=', id).execute()).length;

describe.skipIf(onPostgres)('a full disk (SQLite)', () => {
  it('fails a transaction with SQLITE_FULL, and the database works once there is room', async () => {
    await leaveLittleRoom();
    try {
      await expect(database.transaction(tooMuch('alone'))).rejects.toMatchObject({ code: 'SQLITE_FULL' });
    } finally {
      await makeRoom();
    }
    await database.transaction((tx) => tx.insertInto('keyring_retirements').values(retirement('after-alone')).execute());
    expect(await kept('after-alone')).toBe(1);
  });

  it('fails every transaction of the group that shared it, with SQLITE_FULL, and keeps nothing of them', async () => {
    await leaveLittleRoom();
    let outcomes: PromiseSettledResult<unknown>[];
    try {
      // Asked for in one turn of the event loop: they share one database transaction.
      outcomes = await Promise.allSettled([
        database.transaction((tx) => tx.insertInto('keyring_retirements').values(retirement('before')).execute()),
        database.transaction(tooMuch('group')),
        database.transaction((tx) => tx.insertInto('keyring_retirements').values(retirement('after')).execute()),
      ]);
    } finally {
      await makeRoom();
    }
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const outcome of outcomes) expect((outcome as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_FULL' });
    expect(await kept('before')).toBe(0);
    expect(await kept('after')).toBe(0);
    await database.transaction((tx) => tx.insertInto('keyring_retirements').values(retirement('after-group')).execute());
    expect(await kept('after-group')).toBe(1);
  });
});
