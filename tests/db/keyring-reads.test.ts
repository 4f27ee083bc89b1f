// How often the keyring file is read on the hot path (node/data-keys/keyring.ts): once per write
// transaction for the data keys it keeps, however many (a received message keeps two, and
// transactions share a commit), and again in the next transaction, where another process may have
// changed it; a key this transaction adds is used by its next data key.
import { mkdtempSync, rmSync } from 'node:fs';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { randomBytes } from '../../node/crypto/aead.js';
import { kekFromBytes, type Kek } from '../../node/crypto/kek.js';
import { dataKeysWith, loadKeyring, type DataKeys } from '../../node/data-keys/data-keys.js';
import { openKeyring, type Keyring } from '../../node/data-keys/keyring.js';
import type { Database } from '../../node/db/database.js';
import { openTestDatabase } from '../_util/database.js';

vi.mock('node:fs', async (original) => {
  const actual = await original<typeof import('node:fs')>();
  return { ...actual, readFileSync: vi.fn(actual.readFileSync) };
});

const NOW = new Date('2026-12-07T10:00:00Z');

let folder: string;
let database: Database;
let close: () => Promise<void>;
let kek: Kek;
let keyring: Keyring;
let dataKeys: DataKeys;

beforeEach(async () => {
  folder = mkdtempSync(join(tmpdir(), 'refnet-keyring-reads-'));
  ({ database, close } = await openTestDatabase());
  kek = kekFromBytes(await randomBytes(32));
  keyring = await loadKeyring(join(folder, 'keyring'), kek, database, NOW);
  dataKeys = dataKeysWith(keyring);
});
afterEach(async () => {
  await close();
  rmSync(folder, { recursive: true, force: true });
});

/** Reads of the keyring file while `fn` runs. */
async function keyringReads(fn: () => Promise<unknown>): Promise<number> {
  const readFileSync = vi.mocked(fs.readFileSync);
  const before = readFileSync.mock.calls.filter(([path]) => path === keyring.path).length;
  await fn();
  return readFileSync.mock.calls.filter(([path]) => path === keyring.path).length - before;
}

const prepared = (names: readonly string[]) => Promise.all(names.map((name) => dataKeys.prepare(name, NOW)));
const keyringKeyOf = async (name: string) =>
  (await database.db.selectFrom('data_keys').select('keyring_key_id').where('id', '=', name).executeTakeFirstOrThrow()).keyring_key_id;

describe('the keyring file', () => {
  it('is read once per write transaction for the data keys it keeps, and again in the next', async () => {
    // The month's keyring key exists (the first data key of a month adds it, and reads again after).
    const [warm] = await prepared(['payload:warm']);
    await database.transaction((tx) => dataKeys.keep(tx, warm!));
    const first = await prepared(['payload:a', 'envelope:a', 'payload:b', 'envelope:b']);
    expect(await keyringReads(() => database.transaction(async (tx) => {
      for (const key of first) await dataKeys.keep(tx, key);
    }))).toBe(1);
    const second = await prepared(['payload:c']);
    expect(await keyringReads(() => database.transaction((tx) => dataKeys.keep(tx, second[0]!)))).toBe(1);
  });

  it('read for a transaction still gives the key another process added before it began', async () => {
    const [early] = await prepared(['payload:early']);
    await database.transaction((tx) => dataKeys.keep(tx, early!));
    const december = await keyringKeyOf('payload:early');
    // Another process adds a newer key for the month (a shredding run replacing it does).
    const other = openKeyring(keyring.path, kek);
    await database.transaction(() => other.add('2026-12', NOW));
    const [late] = await prepared(['payload:late']);
    await database.transaction((tx) => dataKeys.keep(tx, late!));
    expect(await keyringKeyOf('payload:late')).not.toBe(december);
  });

  it('is read again within a transaction after this keyring changed it', async () => {
    const [before, after] = await prepared(['payload:before', 'payload:after']);
    await database.transaction(async (tx) => {
      await dataKeys.keep(tx, before!);
      await keyring.add('2026-12', NOW);
      await dataKeys.keep(tx, after!);
    });
    expect(await keyringKeyOf('payload:after')).not.toBe(await keyringKeyOf('payload:before'));
  });
});
