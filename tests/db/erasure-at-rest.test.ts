// Erasure at rest, on the store the suite runs on. A referral is delivered from A to B, A withdraws
// the consent, B erases. Then B's database is read as someone holding its files would read it: on
// SQLite the database file and its write-ahead log, on PostgreSQL the database's relation files
// and the server's write-ahead log (after a CHECKPOINT), with the KEK and the keyring as they are
// after the erasure. PostgreSQL keeps the deleted rows there (dead tuples, WAL records); what
// must hold is that nothing there can be opened any more. The same for a private key destroyed.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aeadDecrypt } from '../../node/crypto/aead.js';
import { b64u, utf8 } from '../../node/crypto/encoding.js';
import { kekFromBytes, readKekFile } from '../../node/crypto/kek.js';
import { openKeyring } from '../../node/data-keys/keyring.js';
import { completeErasures } from '../../node/data-keys/shredding.js';
import { reloadKeysIfChanged, rotateSigningKey } from '../../node/identity/rotation.js';
import { onPostgres, readStoredRows } from '../_util/database.js';
import { api, createTestNetwork, referralRequest, sentReferral, type TestNetwork, type TestNode } from '../_util/test-node.js';

const CANARY = 'CANARY-at-rest-7Q2';

let net: TestNetwork;
let a: TestNode; // sends, then withdraws the consent
let b: TestNode; // receives and erases

beforeAll(async () => {
  net = await createTestNetwork(2);
  [a, b] = net.nodes as [TestNode, TestNode];
});
afterAll(() => net.close());

interface StoredDataKey {
  name: string;
  wrapped: string;
}

/** B's data keys of the referral as stored: each one's name and wrapped value. */
async function storedDataKeysOf(node: TestNode, referralId: string): Promise<StoredDataKey[]> {
  const payloads = await readStoredRows(node.dataDir, 'select id from payloads where referral_id = ?', referralId);
  const envelopes = await readStoredRows(node.dataDir, 'select id from envelopes where referral_id = ?', referralId);
  const names = [...payloads.map((p) => `payload:${String(p.id)}`), ...envelopes.map((e) => `envelope:${String(e.id)}`)];
  const keys: StoredDataKey[] = [];
  for (const name of names) {
    for (const row of await readStoredRows(node.dataDir, 'select wrapped from data_keys where id = ?', name)) keys.push({ name, wrapped: String(row.wrapped) });
  }
  return keys;
}

/** The files that hold the node's database on disk, write-ahead log included. */
async function databaseFiles(node: TestNode): Promise<string[]> {
  if (!onPostgres) return ['node.sqlite', 'node.sqlite-wal'].map((f) => join(node.dataDir, f)).filter((f) => existsSync(f));
  // Pages still in shared buffers reach the relation files.
  await readStoredRows(node.dataDir, 'checkpoint');
  const [setting] = await readStoredRows(node.dataDir, 'show data_directory');
  const [database] = await readStoredRows(node.dataDir, 'select oid from pg_database where datname = current_database()');
  const dataDirectory = String(setting!.data_directory);
  const folders = [join(dataDirectory, 'base', String(database!.oid)), join(dataDirectory, 'pg_wal')];
  return folders.flatMap((folder) => readdirSync(folder).map((f) => join(folder, f))).filter((f) => statSync(f).isFile());
}

/** Which of `texts` occur somewhere in `files` (read one at a time: the WAL may be large). */
function foundIn(files: readonly string[], texts: readonly string[]): Set<string> {
  const found = new Set<string>();
  for (const file of files) {
    const bytes = readFileSync(file);
    for (const text of texts) if (!found.has(text) && bytes.includes(text)) found.add(text);
  }
  return found;
}

/** The data keys among `stored` that the KEK and the node's keyring, as they are now, unwrap. */
async function unwrappable(node: TestNode, stored: readonly StoredDataKey[]): Promise<string[]> {
  const keyring = openKeyring(join(node.dataDir, 'keyring'), kekFromBytes(readKekFile(join(node.dataDir, 'kek.key'))));
  const opened: string[] = [];
  for (const { name, wrapped } of stored) {
    const [nonce, ciphertext] = wrapped.split('.');
    for (const key of await keyring.keys()) {
      const dataKey = await aeadDecrypt(key.key, { nonce: b64u.decode(nonce!), ciphertext: b64u.decode(ciphertext!) }, utf8.encode(`data-key:${name}:${key.id}`));
      if (dataKey) opened.push(name);
    }
  }
  return opened;
}

describe('erasure on the store the node runs on', () => {
  let erased: string;
  let kept: string;
  let consentId: string;
  let stored: StoredDataKey[];

  beforeAll(async () => {
    ({ referralId: erased, consentId } = await sentReferral(net, a, b, {
      client: { identity: { given_name: CANARY, nationality: 'SY' }, situation: { summary: `${CANARY} in a shelter`, languages_spoken: ['ar'] } },
    }));
    // Another referral, under another consent, made the same month: its data keys share the keyring key.
    ({ referralId: kept } = await sentReferral(net, a, b));
    stored = await storedDataKeysOf(b, erased);
  });

  it('keeps every copy of a referral under data keys the keyring opens, and nothing in the clear', async () => {
    expect((await api(b, 'GET', `/api/v1/referrals/${erased}`)).body.content.client.identity.given_name).toBe(CANARY);
    // The offer, and the envelope (its payload and the JWS as received).
    expect(stored.length).toBeGreaterThanOrEqual(2);
    expect(stored.some((k) => k.name.startsWith('payload:')) && stored.some((k) => k.name.startsWith('envelope:'))).toBe(true);
    // The check used after the erasure opens them now: it can fail.
    expect((await unwrappable(b, stored)).sort()).toEqual(stored.map((k) => k.name).sort());
    const files = await databaseFiles(b);
    expect(foundIn(files, stored.map((k) => k.wrapped)).size).toBe(stored.length);
    expect(foundIn(files, [CANARY]).size).toBe(0);
  });

  it('leaves what the files still hold of it unreadable with everything the node still has', async () => {
    const withdrawn = await api(a, 'POST', `/api/v1/consents/${consentId}/withdraw`, { recipients: [b.id] });
    expect(withdrawn.status).toBe(200);
    await net.settle();
    const detail = (await api(b, 'GET', `/api/v1/referrals/${erased}`)).body;
    expect(detail.erased_at).toBeDefined();
    expect(detail.content).toBeUndefined();
    // Its data keys are gone (the withdrawal and the erasure receipt, envelopes made since, have their own).
    const remaining = new Set((await storedDataKeysOf(b, erased)).map((k) => k.name));
    expect(stored.filter((k) => remaining.has(k.name))).toEqual([]);
    // Nothing waits for shredding: B destroyed the keyring key right after the erasure.
    expect(await readStoredRows(b.dataDir, 'select keyring_key_id from keyring_retirements')).toEqual([]);

    const files = await databaseFiles(b);
    const lingering = foundIn(files, stored.map((k) => k.wrapped));
    if (onPostgres) {
      // PostgreSQL keeps the deleted rows in its files until VACUUM, and in its log: the copies are there...
      expect(lingering.size).toBeGreaterThan(0);
    } else {
      // ...SQLite overwrote them (secure_delete) and truncated its log.
      expect(lingering.size).toBe(0);
    }
    // ...and nothing opens them: the keyring key that wrapped them is gone.
    expect(await unwrappable(b, stored)).toEqual([]);
    expect(foundIn(files, [CANARY]).size).toBe(0);
  });

  it('keeps the other data of the month readable: its keys were wrapped anew', async () => {
    const other = (await api(b, 'GET', `/api/v1/referrals/${kept}`)).body;
    expect(other.content.client).toEqual(referralRequest(b.id).client);
    const otherKeys = await storedDataKeysOf(b, kept);
    expect(otherKeys.length).toBeGreaterThanOrEqual(2);
    expect((await unwrappable(b, otherKeys)).sort()).toEqual(otherKeys.map((k) => k.name).sort());
  });
});

describe('a destroyed private key, on the store the node runs on', () => {
  it('cannot be opened from what the files keep of it', async () => {
    const kid = a.ctx.self.signingKey.kid;
    const name = `node-key:${kid}`;
    const [row] = await readStoredRows(a.dataDir, 'select wrapped from data_keys where id = ?', name);
    const stored = [{ name, wrapped: String(row!.wrapped) }];
    expect(await unwrappable(a, stored)).toEqual([name]);

    await rotateSigningKey(a.ctx.database, a.ctx.dataKeys, a.ctx.self, net.clock.now(), { kind: 'system', id: 'test' });
    await completeErasures(a.ctx);
    expect(await reloadKeysIfChanged(a.ctx)).toBe(true);
    expect(await readStoredRows(a.dataDir, 'select id from data_keys where id = ?', name)).toEqual([]);
    // PostgreSQL still has the old row in its files; SQLite overwrote it.
    expect(foundIn(await databaseFiles(a), [stored[0]!.wrapped]).size).toBe(onPostgres ? 1 : 0);
    expect(await unwrappable(a, stored)).toEqual([]);
    // The node goes on with its new key.
    expect((await api(a, 'GET', '/api/v1/referrals')).status).toBe(200);
  });
});
