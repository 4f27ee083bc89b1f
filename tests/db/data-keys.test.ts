// The keyring and the data keys (node/data-keys/): a key destroyed is gone from the file and from
// the file it replaced; the shredding run replaces a key whose data key was destroyed and keeps
// every other data key readable; a node refuses a keyring that is missing or not its own; and
// data stored before data keys were kept apart is adopted when the node opens.
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { aeadDecrypt, randomBytes } from '../../node/crypto/aead.js';
import { b64u, utf8 } from '../../node/crypto/encoding.js';
import { kekFromBytes, readKekFile, type Kek } from '../../node/crypto/kek.js';
import { dataKeysWith, destroyDataKeys, loadKeyring, sealedFromText, shredRetiredKeys, type DataKeys } from '../../node/data-keys/data-keys.js';
import { readPayload } from '../../node/referrals/payload-store.js';
import { createKeyringFile, KeyringError, openKeyring, type Keyring } from '../../node/data-keys/keyring.js';
import type { Database } from '../../node/db/database.js';
import { openTestDatabase, readStoredRows } from '../_util/database.js';
import { api, createTestNetwork, sentReferral, type TestNode } from '../_util/test-node.js';
import { resolveConfig } from '../../node/config/config.js';
import { openNode } from '../../node/node.js';

const NOW = new Date('2026-12-06T10:00:00Z');
const AD = utf8.encode('test');

let folder: string;
let kek: Kek;
beforeEach(async () => {
  folder = mkdtempSync(join(tmpdir(), 'refnet-keyring-'));
  kek = kekFromBytes(await randomBytes(32));
});
afterEach(() => rmSync(folder, { recursive: true, force: true }));

describe('the keyring file', () => {
  it('holds its keys wrapped by the KEK, and forgets a destroyed key in the new file and the old one', async () => {
    const path = join(folder, 'keyring');
    await createKeyringFile(path);
    const keyring = openKeyring(path, kek);
    const first = await keyring.current('2026-12', NOW);
    const second = await keyring.add('2026-12', NOW);
    expect((await keyring.current('2026-12', NOW)).id).toBe(second.id);
    const text = readFileSync(path, 'utf8');
    expect(text).toContain(first.id);
    expect(text).not.toContain(Buffer.from(first.key).toString('base64url'));

    // Whoever still has the old file open (its blocks, as it were) reads only zeros once the key is destroyed.
    const old = openSync(path, 'r');
    try {
      await keyring.destroy([first.id]);
      const size = text.length;
      const bytes = Buffer.alloc(size);
      readSync(old, bytes, 0, size, 0);
      expect(bytes.every((b) => b === 0)).toBe(true);
    } finally {
      closeSync(old);
    }
    expect(readFileSync(path, 'utf8')).not.toContain(first.id);
    expect(await keyring.find(first.id)).toBeUndefined();
    // Another process reading the same file sees the change.
    const elsewhere = openKeyring(path, kek);
    expect((await elsewhere.keys()).map((k) => k.id)).toEqual([second.id]);
    expect(await elsewhere.find(second.id)).toMatchObject({ id: second.id, period: '2026-12' });
  });

  it('is refused when it is not a keyring or was wrapped with another KEK', async () => {
    const path = join(folder, 'keyring');
    await createKeyringFile(path);
    await openKeyring(path, kek).current('2026-12', NOW);
    await expect(openKeyring(path, kekFromBytes(await randomBytes(32))).keys()).rejects.toThrow(/wrong key-encryption key/);
    const broken = join(folder, 'broken');
    writeFileSync(broken, '{"format":"something else"}');
    expect(() => openKeyring(broken, kek)).toThrow(KeyringError);
    expect(() => openKeyring(join(folder, 'absent'), kek)).toThrow(/No keyring at/);
  });
});

describe('data keys and shredding', () => {
  let database: Database;
  let close: () => Promise<void>;
  let keyring: Keyring;
  let dataKeys: DataKeys;

  beforeEach(async () => {
    ({ database, close } = await openTestDatabase());
    keyring = await loadKeyring(join(folder, 'keyring'), kek, database, NOW);
    dataKeys = dataKeysWith(keyring);
  });
  afterEach(() => close());

  const seal = (name: string, text: string, at = NOW) => database.transaction((tx) => dataKeys.seal(tx, name, utf8.encode(text), AD, at));
  const open = async (name: string, sealed: Awaited<ReturnType<typeof seal>>) => {
    const bytes = await dataKeys.open(database.db, name, sealed, AD);
    return bytes && utf8.decode(bytes);
  };

  it('replaces the keyring key of a destroyed data key and keeps the others of its month readable', async () => {
    const gone = await seal('payload:gone', 'CANARY-gone');
    const kept = await seal('payload:kept', 'still here');
    const lastMonth = await seal('payload:november', 'older', new Date('2026-11-20T10:00:00Z'));
    const before = (await keyring.keys()).map((k) => k.id);
    expect(before).toHaveLength(2);
    const december = before.find((id) => id.startsWith('2026-12'))!;

    await database.transaction((tx) => destroyDataKeys(tx, ['payload:gone'], NOW));
    expect(await open('payload:gone', gone)).toBeUndefined();
    expect(await database.db.selectFrom('keyring_retirements').select('keyring_key_id').execute()).toEqual([{ keyring_key_id: december }]);
    const outcome = await shredRetiredKeys(database, keyring, NOW);
    expect(outcome).toEqual({ replaced: 1, rewrapped: 1, destroyed: 1 });

    const after = (await keyring.keys()).map((k) => k.id);
    expect(after).not.toContain(december);
    expect(after).toHaveLength(2);
    expect(readFileSync(keyring.path, 'utf8')).not.toContain(december);
    expect(await open('payload:kept', kept)).toBe('still here');
    expect(await open('payload:november', lastMonth)).toBe('older');
    // A second run finds nothing to do.
    expect(await shredRetiredKeys(database, keyring, NOW)).toEqual({ replaced: 0, rewrapped: 0, destroyed: 0 });
  });

  it('seals the parts of a new name under one key made for it, and refuses a name already held', async () => {
    const parts = [{ plaintext: utf8.encode('payload'), associatedData: utf8.encode('a') }, { plaintext: utf8.encode('jws'), associatedData: utf8.encode('b') }];
    // Made and sealed before the transaction, kept inside it, as the hot path does.
    const sealNew = async (tx: Parameters<DataKeys['keep']>[0], name: string) => {
      const key = await dataKeys.prepare(name, NOW);
      const sealed = await Promise.all(parts.map((part) => dataKeys.sealWith(key, part.plaintext, part.associatedData)));
      await dataKeys.keep(tx, key);
      return sealed;
    };
    const [first, second] = await database.transaction((tx) => sealNew(tx, 'envelope:new'));
    expect(utf8.decode((await dataKeys.open(database.db, 'envelope:new', first!, utf8.encode('a')))!)).toBe('payload');
    expect(utf8.decode((await dataKeys.open(database.db, 'envelope:new', second!, utf8.encode('b')))!)).toBe('jws');
    await expect(database.transaction((tx) => sealNew(tx, 'envelope:new'))).rejects.toThrow();
    expect(await database.db.selectFrom('data_keys').select('id').where('id', '=', 'envelope:new').execute()).toHaveLength(1);
  });

  it('wraps a new data key under the month\'s key another process put in the file meanwhile', async () => {
    await seal('payload:first', 'before');
    const [december] = (await keyring.keys()).map((k) => k.id);
    // Another process of the node (its own view of the same file) erases and shreds: the month's key is replaced.
    const other = openKeyring(keyring.path, kek);
    await database.transaction((tx) => destroyDataKeys(tx, ['payload:first'], NOW));
    await shredRetiredKeys(database, other, NOW);
    expect((await other.keys()).map((k) => k.id)).not.toContain(december);
    // This process seals next: under the new key, never the destroyed one it had read before.
    const sealed = await seal('payload:after', 'after');
    const row = await database.db.selectFrom('data_keys').select('keyring_key_id').where('id', '=', 'payload:after').executeTakeFirstOrThrow();
    expect(row.keyring_key_id).not.toBe(december);
    expect((await other.keys()).map((k) => k.id)).toContain(row.keyring_key_id);
    expect(await open('payload:after', sealed)).toBe('after');
  });

  it('destroys a month\'s keys once nothing needs them, but keeps the current month\'s key', async () => {
    await seal('payload:a', 'a', new Date('2026-10-02T10:00:00Z'));
    await seal('payload:b', 'b');
    await database.transaction(async (tx) => {
      await destroyDataKeys(tx, ['payload:a', 'payload:b'], NOW);
    });
    await shredRetiredKeys(database, keyring, NOW);
    const left = await keyring.keys();
    // October's key is gone with its last data key; December has a fresh, unused current key.
    expect(left.map((k) => k.period)).toEqual(['2026-12']);
    expect(left[0]!.createdAt).toBe(NOW.toISOString());
  });

  it('finishes after a crash between the replacement and the destruction of the old key', async () => {
    const kept = await seal('payload:kept', 'kept');
    await seal('payload:gone', 'gone');
    // As if a run had added the replacement and died: an extra key nothing uses yet.
    await database.transaction(async () => {
      await keyring.add('2026-12', NOW);
    });
    await database.transaction((tx) => destroyDataKeys(tx, ['payload:gone'], NOW));
    await shredRetiredKeys(database, keyring, NOW);
    expect(await keyring.keys()).toHaveLength(1);
    expect(await open('payload:kept', kept)).toBe('kept');
  });

  it('binds the database to its keyring and refuses another', async () => {
    const other = join(folder, 'other-keyring');
    await createKeyringFile(other);
    await expect(loadKeyring(other, kek, database, NOW)).rejects.toThrow(/not the one this node's database was written with/);
    // And never makes a new one for a database that needs its own.
    rmSync(keyring.path);
    await expect(loadKeyring(keyring.path, kek, database, NOW)).rejects.toThrow(/No keyring at .*needs the one it was written with/);
  });
});

describe('a node opened on data stored before data keys were kept apart', () => {
  let nodes: Awaited<ReturnType<typeof createTestNetwork>>;
  afterAll(() => nodes?.close());

  it('moves the KEK-wrapped payload keys to data keys, seals the envelope copies kept in the clear and the private keys', async () => {
    nodes = await createTestNetwork(2);
    const [a, b] = nodes.nodes as [TestNode, TestNode];
    const { referralId } = await sentReferral(nodes, a, b);
    const expected = (await api(b, 'GET', `/api/v1/referrals/${referralId}`)).body.content;

    // Put B's rows back the way an older version stored them: the payload's data key in its row,
    // wrapped by the KEK, and the envelope copies in the clear.
    const ctx = b.ctx;
    const nodeKek = kekFromBytes(readKekFile(join(b.dataDir, 'kek.key')));
    const payloads = await ctx.database.db.selectFrom('payloads').select('id').where('referral_id', '=', referralId).execute();
    const envelopes = await ctx.database.db.selectFrom('envelopes').select(['id', 'payload', 'signed_jws']).where('referral_id', '=', referralId).execute();
    const legacyEnvelopes: Array<{ id: string; payload: string; jws: string | null }> = [];
    for (const e of envelopes) {
      const open = async (part: string, text: string) =>
        utf8.decode((await ctx.dataKeys.open(ctx.database.db, `envelope:${e.id}`, sealedFromText(text), utf8.encode(`envelope:${e.id}:${part}`)))!);
      // A received envelope keeps its JWS only (its payload is the JWS's); an older version kept both.
      const jws = e.signed_jws ? await open('jws', e.signed_jws) : null;
      legacyEnvelopes.push({ id: e.id, payload: e.payload === '' ? utf8.decode(b64u.decode(jws!.split('.')[1]!)) : await open('payload', e.payload), jws });
    }
    await ctx.database.transaction(async (tx) => {
      for (const { id } of payloads) {
        const row = await tx.selectFrom('data_keys').select(['keyring_key_id', 'wrapped']).where('id', '=', `payload:${id}`).executeTakeFirstOrThrow();
        const by = (await ctx.dataKeys.keyring.find(row.keyring_key_id))!;
        const [nonce, ciphertext] = row.wrapped.split('.');
        const key = (await aeadDecrypt(by.key, { nonce: b64u.decode(nonce!), ciphertext: b64u.decode(ciphertext!) }, utf8.encode(`data-key:payload:${id}:${by.id}`)))!;
        await tx.updateTable('payloads').set({ wrapped_key: await nodeKek.wrap(key, `payload-key:${id}`) }).where('id', '=', id).execute();
        await tx.deleteFrom('data_keys').where('id', '=', `payload:${id}`).execute();
      }
      for (const e of legacyEnvelopes) {
        await tx.updateTable('envelopes').set({ payload: e.payload, signed_jws: e.jws }).where('id', '=', e.id).execute();
        await tx.deleteFrom('data_keys').where('id', '=', `envelope:${e.id}`).execute();
      }
      // The encryption key's private half, wrapped by the KEK itself.
      const encryption = ctx.self.encryptionKey;
      await tx.updateTable('node_keys').set({ private_wrapped: await nodeKek.wrap(encryption.privateKey, `node-key:${encryption.kid}`) }).where('kid', '=', encryption.kid).execute();
      await tx.deleteFrom('data_keys').where('id', '=', `node-key:${encryption.kid}`).execute();
    });
    expect(legacyEnvelopes.some((e) => e.payload.startsWith('{'))).toBe(true);

    // Opened again, as after an upgrade.
    const reopened = await openNode({ ...resolveConfig({ data: b.dataDir }, {}), kekFromEnv: undefined }, { clock: nodes.clock });
    try {
      const rows = await readStoredRows(b.dataDir, 'select wrapped_key from payloads where referral_id = ?', referralId);
      expect(rows.every((r) => r.wrapped_key === '')).toBe(true);
      const copies = await readStoredRows(b.dataDir, 'select payload, signed_jws from envelopes where referral_id = ?', referralId);
      expect(copies.every((c) => !String(c.payload).startsWith('{') && (c.signed_jws === null || String(c.signed_jws).split('.').length === 2))).toBe(true);
      expect((await readPayload<{ client: unknown }>(reopened.ctx.database.db, reopened.ctx.dataKeys, referralId, 'referral.offer'))?.client).toEqual(expected.client);
      expect(reopened.ctx.self.encryptionKey.kid).toBe(ctx.self.encryptionKey.kid);
      const [key] = await readStoredRows(b.dataDir, 'select id from data_keys where id = ?', `node-key:${ctx.self.encryptionKey.kid}`);
      expect(key).toBeDefined();
    } finally {
      await reopened.close();
    }
  });
});
