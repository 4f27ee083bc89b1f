// What every store must guarantee for the node's code to be correct on it, run against the store
// of the suite (`npm test`: SQLite; `npm run test:postgres`: PostgreSQL). The node's modules are
// written against this contract, not against either server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { migrateToLatest, WAL_AUTOCHECKPOINT_PAGES, type Database } from '../../node/db/database.js';
import { migrations } from '../../node/db/migrations/index.js';
import { insertionOrder, isRetryableConflict } from '../../node/db/dialect.js';
import { onPostgres, openTestDatabase } from '../_util/database.js';

let database: Database;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ database, close } = await openTestDatabase());
});
afterAll(() => close());

const at = '2026-12-01T10:00:00.000Z';

async function addUser(id: string, username = id): Promise<void> {
  await database.db.insertInto('users').values({ id, username, password_hash: 'x', role: 'caseworker', created_at: at, disabled_at: null, language: null }).execute();
}

describe('the storage contract', () => {
  it('is the store the suite was asked for', () => {
    expect(database.dialect).toBe(onPostgres ? 'postgres' : 'sqlite');
  });

  it.skipIf(onPostgres)('keeps SQLite durable and erasing: WAL, a full sync at each commit, overwritten deletions, the log copied back every 10,000 pages', async () => {
    const pragma = async (name: string) => Object.values((await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(database.db)).rows[0]!)[0];
    expect(await pragma('journal_mode')).toBe('wal');
    expect(await pragma('synchronous')).toBe(2); // FULL
    expect(await pragma('secure_delete')).toBe(1);
    expect(await pragma('wal_autocheckpoint')).toBe(WAL_AUTOCHECKPOINT_PAGES);
    expect(WAL_AUTOCHECKPOINT_PAGES).toBe(10_000);
  });

  it('migrates to the latest schema again without changing anything', async () => {
    await migrateToLatest(database);
    const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(database.db);
    expect(rows.map((r) => r.name)).toEqual(Object.keys(migrations).sort());
  });

  it('refuses a database that ran a migration this code does not list (a newer version\'s), though all the listed ones ran', async () => {
    await sql`insert into kysely_migration (name, timestamp) values ('999-from-a-newer-version', ${at})`.execute(database.db);
    try {
      await expect(migrateToLatest(database)).rejects.toThrow(/migration/i);
    } finally {
      await sql`delete from kysely_migration where name = '999-from-a-newer-version'`.execute(database.db);
    }
    await migrateToLatest(database);
  });

  it('commits a transaction whole, and a failed one not at all', async () => {
    await database.transaction(async (tx) => {
      await tx.insertInto('services').values({ id: 's-commit', description: '{}', status: 'active', accepting_referrals: 1, created_at: at, updated_at: at }).execute();
    });
    await expect(
      database.transaction(async (tx) => {
        await tx.insertInto('services').values({ id: 's-rollback', description: '{}', status: 'active', accepting_referrals: 1, created_at: at, updated_at: at }).execute();
        throw new Error('refused halfway');
      }),
    ).rejects.toThrow('refused halfway');
    const ids = (await database.db.selectFrom('services').select('id').where('id', 'like', 's-%').execute()).map((r) => r.id);
    expect(ids).toEqual(['s-commit']);
  });

  it('runs after-commit hooks after the commit only, and not for a transaction that failed', async () => {
    const seen: string[] = [];
    await database.transaction(async (tx, onCommit) => {
      onCommit(() => seen.push('committed'));
      await tx.selectFrom('services').select('id').execute();
      seen.push('inside');
    });
    await database
      .transaction(async (_tx, onCommit) => {
        onCommit(() => seen.push('must not run'));
        throw new Error('no');
      })
      .catch(() => undefined);
    expect(seen).toEqual(['inside', 'committed']);
  });

  it('gives concurrent writers the effect of running one after the other (retrying the ones that collided)', async () => {
    await database.db.insertInto('node_settings').values({ id: 1, node_id: 'n', name: 'n', country: 'GR', languages: '0', contact: null, created_at: at }).execute();
    // Each transaction reads the counter and writes it back one higher: a lost update would leave it short.
    const increments = 20;
    await Promise.all(
      Array.from({ length: increments }, () =>
        database.transaction(async (tx) => {
          const row = await tx.selectFrom('node_settings').select('languages').where('id', '=', 1).executeTakeFirstOrThrow();
          await tx.updateTable('node_settings').set({ languages: String(Number(row.languages) + 1) }).where('id', '=', 1).execute();
        }),
      ),
    );
    const row = await database.db.selectFrom('node_settings').select('languages').where('id', '=', 1).executeTakeFirstOrThrow();
    expect(Number(row.languages)).toBe(increments);
  });

  it('lets transactions that waited share one commit, each settling only after it, a failing one rolled back alone', async () => {
    const service = (id: string) => ({ id, description: '{}', status: 'active' as const, accepting_referrals: 1, created_at: at, updated_at: at });
    const before = database.transactionStats();
    const events: string[] = [];
    // Asked for in one go: they run as one group, in the order asked.
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        database
          .transaction(async (tx, onCommit) => {
            await tx.insertInto('services').values(service(`g-${i}`)).execute();
            onCommit(() => events.push(`hook ${i}`));
            if (i === 4) throw new Error('refused halfway');
            return i;
          })
          .then((value) => {
            // Settled after the commit that made it durable, and after its hooks.
            events.push(`settled ${i} after ${database.transactionStats().commits - before.commits} commits`);
            return value;
          }),
      ),
    );
    const after = database.transactionStats();
    expect(after.transactions - before.transactions).toBe(10);
    expect(after.commits - before.commits).toBe(1);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual([0, 1, 2, 3, 'refused halfway', 5, 6, 7, 8, 9]);
    const ids = (await database.db.selectFrom('services').select('id').where('id', 'like', 'g-%').orderBy('id').execute()).map((r) => r.id);
    expect(ids).toEqual(['g-0', 'g-1', 'g-2', 'g-3', 'g-5', 'g-6', 'g-7', 'g-8', 'g-9']);
    expect(events).not.toContain('hook 4');
    for (const i of [0, 1, 2, 3, 5, 6, 7, 8, 9]) {
      expect(events.indexOf(`hook ${i}`)).toBeLessThan(events.indexOf(`settled ${i} after 1 commits`));
    }
  });

  it('runs a transaction asked for while a group commits after that commit, in a group of its own', async () => {
    const before = database.transactionStats();
    const order: string[] = [];
    let later: Promise<void> | undefined;
    await database.transaction(async () => {
      later = database.transaction(async () => {
        order.push('later ran');
      });
      order.push('first ran');
    });
    order.push('first settled');
    await later;
    expect(order).toEqual(['first ran', 'first settled', 'later ran']);
    expect(database.transactionStats().commits - before.commits).toBe(2);
  });

  it('lets a group about to start wait for a transaction it was told to expect, and not for one that will not come', async () => {
    // A store whose groups wait for as long as the test needs.
    const { database: patient, close: closePatient } = await openTestDatabase({ groupWaitMs: 60_000 });
    try {
      const before = patient.transactionStats();
      const asked = patient.expectTransaction();
      const first = patient.transaction(async () => 'first');
      // The group has started its wait; nothing is committed until the expected one is asked for.
      for (let turn = 0; turn < 5; turn++) await new Promise((resume) => setImmediate(resume));
      expect(patient.transactionStats().commits).toBe(before.commits);
      const second = patient.transaction(async () => 'second');
      asked();
      expect(await Promise.all([first, second])).toEqual(['first', 'second']);
      expect(patient.transactionStats().commits - before.commits).toBe(1);

      // One expected that ends without a transaction (a refused request) releases the wait too.
      const refused = patient.expectTransaction();
      const third = patient.transaction(async () => 'third');
      for (let turn = 0; turn < 5; turn++) await new Promise((resume) => setImmediate(resume));
      refused();
      refused();
      expect(await third).toBe('third');
      expect(patient.transactionStats().commits - before.commits).toBe(2);
    } finally {
      await closePatient();
    }
  });

  it('runs a transaction marked alone in a commit of its own, between the groups before and after it', async () => {
    const before = database.transactionStats();
    const order: string[] = [];
    const write = (name: string, alone = false) =>
      database.transaction(async () => {
        order.push(`${name} (commits so far: ${database.transactionStats().commits - before.commits})`);
      }, { alone });
    await Promise.all([write('a'), write('b'), write('shred', true), write('c'), write('d')]);
    expect(order).toEqual(['a (commits so far: 0)', 'b (commits so far: 0)', 'shred (commits so far: 1)', 'c (commits so far: 2)', 'd (commits so far: 2)']);
    expect(database.transactionStats().commits - before.commits).toBe(3);
  });

  it('answers every caller of a group when an after-commit hook throws, and keeps the commit', async () => {
    const failures: unknown[] = [];
    const { database: reporting, close: closeReporting } = await openTestDatabase({ onHookError: (error) => failures.push(error) });
    try {
      const results = await Promise.all(
        ['h-0', 'h-1', 'h-2'].map((id, i) =>
          reporting.transaction(async (tx, onCommit) => {
            await tx.insertInto('services').values({ id, description: '{}', status: 'active', accepting_referrals: 1, created_at: at, updated_at: at }).execute();
            onCommit(() => {
              if (i === 1) throw new Error('hook failed');
            });
            return id;
          }),
        ),
      );
      expect(results).toEqual(['h-0', 'h-1', 'h-2']);
      expect(failures.map((e) => (e as Error).message)).toEqual(['hook failed']);
      const ids = (await reporting.db.selectFrom('services').select('id').where('id', 'like', 'h-%').orderBy('id').execute()).map((r) => r.id);
      expect(ids).toEqual(['h-0', 'h-1', 'h-2']);
      // Alone too: the caller of a committed transaction is not told it failed.
      expect(await reporting.transaction(async (_tx, onCommit) => (onCommit(() => { throw new Error('again'); }), 'kept'))).toBe('kept');
      expect(failures).toHaveLength(2);
    } finally {
      await closeReporting();
    }
  });

  it('undoes nothing of a group when one of its transactions fails on a constraint', async () => {
    await database.db.insertInto('services').values({ id: 'u-taken', description: '{}', status: 'active', accepting_referrals: 1, created_at: at, updated_at: at }).execute();
    const write = (id: string) =>
      database.transaction(async (tx) => {
        await tx.insertInto('services').values({ id: `${id}-first`, description: '{}', status: 'active', accepting_referrals: 1, created_at: at, updated_at: at }).execute();
        await tx.insertInto('services').values({ id, description: '{}', status: 'active', accepting_referrals: 1, created_at: at, updated_at: at }).execute();
      });
    const results = await Promise.allSettled([write('u-0'), write('u-1'), write('u-taken'), write('u-2')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    const ids = (await database.db.selectFrom('services').select('id').where('id', 'like', 'u-%').orderBy('id').execute()).map((r) => r.id);
    // The failed one's first insert went with it; those before and after it in the group committed.
    expect(ids).toEqual(['u-0', 'u-0-first', 'u-1', 'u-1-first', 'u-2', 'u-2-first', 'u-taken']);
  });

  it('tells a conflict worth retrying from any other error', () => {
    expect(isRetryableConflict(Object.assign(new Error('busy'), { code: 'SQLITE_BUSY' }))).toBe(true);
    expect(isRetryableConflict(Object.assign(new Error('could not serialize'), { code: '40001' }))).toBe(true);
    expect(isRetryableConflict(Object.assign(new Error('deadlock'), { code: '40P01' }))).toBe(true);
    expect(isRetryableConflict(Object.assign(new Error('unique'), { code: '23505' }))).toBe(false);
    expect(isRetryableConflict(new Error('plain'))).toBe(false);
  });

  it('refuses a second row with the same unique key, leaving the first', async () => {
    await addUser('u-unique', 'same-name');
    await expect(addUser('u-other', 'same-name')).rejects.toThrow();
    expect(await database.db.selectFrom('users').select('id').where('username', '=', 'same-name').execute()).toEqual([{ id: 'u-unique' }]);
  });

  it('says how many rows an insert that ignores conflicts wrote', async () => {
    const insert = () =>
      database.db.insertInto('service_token_uses').values({ iss: 'https://peer.example', jti: 'j-1', exp: 2_000_000_000 }).onConflict((oc) => oc.doNothing()).executeTakeFirst();
    expect((await insert()).numInsertedOrUpdatedRows).toBe(1n);
    expect((await insert()).numInsertedOrUpdatedRows).toBe(0n);
  });

  it('returns binary columns as the bytes stored, integers and counts as numbers, text as text', async () => {
    const hash = new Uint8Array([0, 1, 2, 253, 254, 255]);
    await database.db.insertInto('audit_tree_nodes').values({ level: 1, idx: 0, hash }).execute();
    const node = await database.db.selectFrom('audit_tree_nodes').selectAll().where('level', '=', 1).executeTakeFirstOrThrow();
    expect(Buffer.from(node.hash).equals(Buffer.from(hash))).toBe(true);
    expect(node.idx).toBe(0);
    // Beyond 2^31: POSIX seconds after 2038 must fit.
    await database.db.insertInto('service_token_uses').values({ iss: 'https://peer.example', jti: 'j-2038', exp: 4_102_444_800 }).execute();
    const token = await database.db.selectFrom('service_token_uses').select('exp').where('jti', '=', 'j-2038').executeTakeFirstOrThrow();
    expect(token.exp).toBe(4_102_444_800);
    const count = await database.db.selectFrom('service_token_uses').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(count.n).toBe(2);
  });

  it('numbers the rows of an auto-increment key itself', async () => {
    const row = { peer_id: 'p', kind: 'same-size-different-root' as const, held_size: 1, held_root_hash: 'a', held_note: 'n', submitted_size: 1, submitted_root_hash: 'b', submitted_note: 'n', proof: '[]', detected_at: at };
    await database.db.insertInto('witness_inconsistencies').values(row).execute();
    await database.db.insertInto('witness_inconsistencies').values({ ...row, held_size: 2 }).execute();
    const ids = (await database.db.selectFrom('witness_inconsistencies').select('id').orderBy('id').execute()).map((r) => r.id);
    expect(ids).toHaveLength(2);
    expect(ids[1]).toBeGreaterThan(ids[0]!);
  });

  it('keeps the insertion order of rows written within the same millisecond', async () => {
    const ids = ['s-c', 's-a', 's-b'];
    for (const id of ids) await database.db.insertInto('services').values({ id, description: '{}', status: 'active', accepting_referrals: 0, created_at: '2026-12-02T00:00:00.000Z', updated_at: at }).execute();
    const rows = await database.db.selectFrom('services').select('id').where('created_at', '=', '2026-12-02T00:00:00.000Z').orderBy(insertionOrder(database.db)).execute();
    expect(rows.map((r) => r.id)).toEqual(ids);
  });

  it('compares ISO timestamps stored as text in time order', async () => {
    const rows = await database.db.selectFrom('services').select('id').where('created_at', '>', '2026-12-01T23:59:59.999Z').execute();
    expect(rows.map((r) => r.id).sort()).toEqual(['s-a', 's-b', 's-c']);
  });
});
