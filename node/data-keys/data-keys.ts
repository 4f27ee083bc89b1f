// Data keys: every stored payload, envelope copy and consent form is encrypted under a data key of
// its own, kept here apart from the data and wrapped by a key of the keyring (keyring.ts), the
// current key of the month the data key was made in. The only writer of `data_keys`,
// `keyring_retirements` and `keyring_binding`.
//
// Erasure destroys the data keys (the row goes) and marks the keyring key that wrapped them for
// retirement. The shredding run then wraps that key's other data keys under a new key of the same
// month and destroys the old key: from then on, every copy of the erased data still somewhere in
// the database's files (a dead tuple VACUUM has not reclaimed, the write-ahead log, an archive of
// it) is ciphertext under a data key that is itself only readable with a key that no longer
// exists. On SQLite, secure_delete and the log's truncation already overwrite the rows; the keys
// make the guarantee the same on both stores.
import type { Database, Db, Tx } from '../db/database.js';
import { preparedStatement } from '../db/prepared.js';
import { aeadDecrypt, aeadEncrypt, AEAD_KEY_BYTES, randomBytes, type Sealed } from '../crypto/aead.js';
import { b64u, decodeBase64UrlStrict, utf8 } from '../crypto/encoding.js';
import type { Kek } from '../crypto/kek.js';
import { createKeyringFile, keyringExists, KeyringError, openKeyring, periodOf, type Keyring, type KeyringKey } from './keyring.js';

/** Data that cannot be opened: its data key is gone (erased) or the stored bytes were altered. */
export class DataKeyError extends Error {}

/**
 * A data key made ahead of the transaction that keeps it, with what it seals: the key is drawn and
 * wrapped (under the month's keyring key as it is now) before the transaction, so that no crypto
 * runs while the transaction holds the write lock. `keep` then only writes the row.
 */
export interface PreparedKey {
  readonly name: string;
  readonly key: Uint8Array;
  readonly now: Date;
  /** The key wrapped, and by which keyring key; absent when the month had no keyring key yet. */
  readonly wrapped: { by: string; text: string } | undefined;
}

export interface DataKeys {
  readonly keyring: Keyring;
  /**
   * Encrypts `plaintext` under the data key `name` (made now when there is none), with
   * `associatedData` bound to it. Inside a write transaction.
   */
  seal(tx: Tx, name: string, plaintext: Uint8Array, associatedData: Uint8Array, now: Date): Promise<Sealed>;
  /** A new data key for `name` (a name never used before), made and wrapped outside any transaction; see PreparedKey. */
  prepare(name: string, now: Date): Promise<PreparedKey>;
  /** Encrypts under a prepared key (no database, no transaction). */
  sealWith(prepared: PreparedKey, plaintext: Uint8Array, associatedData: Uint8Array): Promise<Sealed>;
  /**
   * Stores a prepared key, inside the write transaction that stores what it sealed. Should the
   * month's keyring key have changed since it was wrapped (a shredding run replaced it), it is
   * wrapped again under the new one: never under a key on its way out.
   */
  keep(tx: Tx, prepared: PreparedKey): Promise<void>;
  /** Decrypts what `seal` made; undefined when the data key was destroyed (the data was erased). */
  open(db: Db | Tx, name: string, sealed: Sealed, associatedData: Uint8Array): Promise<Uint8Array | undefined>;
  /** Whether the data key `name` is held. */
  has(db: Db | Tx, name: string): Promise<boolean>;
  /** Keeps an existing key (one a row held wrapped by the KEK before data keys were kept here) as the data key `name`. */
  adopt(tx: Tx, name: string, key: Uint8Array, now: Date): Promise<void>;
}

const wrapPurpose = (name: string, keyringKeyId: string) => utf8.encode(`data-key:${name}:${keyringKeyId}`);

async function wrap(dataKey: Uint8Array, name: string, by: KeyringKey): Promise<string> {
  return sealedText(await aeadEncrypt(by.key, dataKey, wrapPurpose(name, by.id)));
}

async function unwrap(wrapped: string, name: string, by: KeyringKey): Promise<Uint8Array> {
  const key = await aeadDecrypt(by.key, sealedFromText(wrapped), wrapPurpose(name, by.id));
  if (!key) throw new DataKeyError(`The data key ${name} cannot be unwrapped: it was altered.`);
  return key;
}

const insertDataKey = preparedStatement((db, v: { id: string; by: string; wrapped: string; at: string }) =>
  db.insertInto('data_keys').values({ id: v.id, keyring_key_id: v.by, wrapped: v.wrapped, created_at: v.at }),
);

export function dataKeysWith(keyring: Keyring): DataKeys {
  /** Writes the row of a prepared key; wraps it (again) when the month's current keyring key is not the one it was wrapped by. */
  const keep = async (tx: Tx, prepared: PreparedKey): Promise<void> => {
    const by = await keyring.current(periodOf(prepared.now), prepared.now, tx);
    const wrapped = prepared.wrapped?.by === by.id ? prepared.wrapped.text : await wrap(prepared.key, prepared.name, by);
    await insertDataKey.execute(tx, { id: prepared.name, by: by.id, wrapped, at: prepared.now.toISOString() });
  };
  const insert = (tx: Tx, name: string, key: Uint8Array, now: Date) => keep(tx, { name, key, now, wrapped: undefined });

  /** The data key `name`, or undefined when there is none (never made, or destroyed). */
  const held = async (db: Db | Tx, name: string): Promise<Uint8Array | undefined> => {
    // A shredding run may wrap the key anew and destroy the keyring key between our reading the
    // row and finding its keyring key: then the row, read again, names the new one.
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const row = await db.selectFrom('data_keys').select(['keyring_key_id', 'wrapped']).where('id', '=', name).executeTakeFirst();
      if (!row) return undefined;
      const by = await keyring.find(row.keyring_key_id);
      if (by) return unwrap(row.wrapped, name, by);
    }
    throw new KeyringError(
      `The keyring ${keyring.path} lacks a key the database needs: every process of the node must use the same keyring file (and a restored database the keyring backed up with it).`,
    );
  };

  const prepare = async (name: string, now: Date): Promise<PreparedKey> => {
    const key = await randomBytes(AEAD_KEY_BYTES);
    const by = await keyring.latest(periodOf(now));
    return { name, key, now, wrapped: by ? { by: by.id, text: await wrap(key, name, by) } : undefined };
  };
  const sealWith = (prepared: PreparedKey, plaintext: Uint8Array, associatedData: Uint8Array): Promise<Sealed> => aeadEncrypt(prepared.key, plaintext, associatedData);

  return {
    keyring,
    async seal(tx, name, plaintext, associatedData, now) {
      let key = await held(tx, name);
      if (!key) {
        key = await randomBytes(AEAD_KEY_BYTES);
        await insert(tx, name, key, now);
      }
      return aeadEncrypt(key, plaintext, associatedData);
    },
    prepare,
    sealWith,
    keep,
    async open(db, name, sealed, associatedData) {
      const key = await held(db, name);
      if (!key) return undefined;
      const plaintext = await aeadDecrypt(key, sealed, associatedData);
      if (!plaintext) throw new DataKeyError(`What ${name} opens cannot be decrypted: it was altered.`);
      return plaintext;
    },
    async has(db, name) {
      return (await db.selectFrom('data_keys').select('id').where('id', '=', name).executeTakeFirst()) !== undefined;
    },
    async adopt(tx, name, key, now) {
      await insert(tx, name, key, now);
    },
  };
}

/**
 * Destroys these data keys: what they encrypted is unreadable from now on (fully once the
 * shredding run has replaced the keyring keys that wrapped them). Returns how many were held.
 */
export async function destroyDataKeys(tx: Tx, names: readonly string[], now: Date): Promise<number> {
  if (names.length === 0) return 0;
  const rows = await tx.selectFrom('data_keys').select(['id', 'keyring_key_id']).where('id', 'in', names).execute();
  if (rows.length === 0) return 0;
  await tx.deleteFrom('data_keys').where('id', 'in', rows.map((r) => r.id)).execute();
  for (const keyringKeyId of new Set(rows.map((r) => r.keyring_key_id))) {
    await tx
      .insertInto('keyring_retirements')
      .values({ keyring_key_id: keyringKeyId, since: now.toISOString() })
      .onConflict((oc) => oc.column('keyring_key_id').doNothing())
      .execute();
  }
  return rows.length;
}

/**
 * Records the keyring's id in a database that has none, and refuses a keyring that is not the
 * one recorded: two processes of one node with different keyrings would each lose the other's data.
 */
export async function bindKeyring(database: Database, keyring: Keyring, now: Date): Promise<void> {
  const bound = await database.transaction(async (tx) => {
    const row = await tx.selectFrom('keyring_binding').select('keyring_id').executeTakeFirst();
    if (row) return row.keyring_id;
    await tx.insertInto('keyring_binding').values({ keyring_id: keyring.id(), bound_at: now.toISOString() }).execute();
    return keyring.id();
  });
  if (bound !== keyring.id()) {
    throw new KeyringError(
      `The keyring ${keyring.path} is not the one this node's database was written with. Every process of a node must use the same keyring file: share the data folder, or set REFERRAL_NODE_KEYRING to the shared file.`,
    );
  }
}

/** Whether the database holds data keys (then its keyring must be there: one is never made anew). */
export async function holdsDataKeys(db: Db): Promise<boolean> {
  return (await db.selectFrom('data_keys').select('id').limit(1).executeTakeFirst()) !== undefined;
}

export interface ShreddingOutcome {
  /** Keyring keys replaced because a data key they wrapped was destroyed. */
  replaced: number;
  /** Data keys wrapped anew under the replacements. */
  rewrapped: number;
  /** Keyring keys destroyed: those no data key needs any more. */
  destroyed: number;
}

/**
 * Completes erasures: each keyring key that wrapped a destroyed data key is replaced (its other
 * data keys wrapped under a new key of its month) and destroyed with every other key no data key
 * needs, except the current month's current key. Safe to run from any process at any time, and
 * again after a crash at any point: each step is one transaction, and a key leaves the file only
 * when no row needs it.
 */
export async function shredRetiredKeys(database: Database, keyring: Keyring, now: Date): Promise<ShreddingOutcome> {
  const outcome: ShreddingOutcome = { replaced: 0, rewrapped: 0, destroyed: 0 };
  const due = await database.db.selectFrom('keyring_retirements').select('keyring_key_id').execute();
  for (const { keyring_key_id: retiring } of due) {
    // Alone, never sharing a commit: the keyring file it changes is not rolled back with a group.
    await database.transaction(async (tx) => {
      const still = await tx.selectFrom('keyring_retirements').select('keyring_key_id').where('keyring_key_id', '=', retiring).executeTakeFirst();
      if (!still) return;
      const rows = await tx.selectFrom('data_keys').select(['id', 'wrapped']).where('keyring_key_id', '=', retiring).execute();
      const old = await keyring.find(retiring);
      if (rows.length > 0) {
        if (!old) throw new KeyringError(`The keyring ${keyring.path} lacks the key ${retiring} that ${rows.length} data keys need.`);
        const replacement = await keyring.add(old.period, now);
        for (const row of rows) {
          const key = await unwrap(row.wrapped, row.id, old);
          await tx.updateTable('data_keys').set({ keyring_key_id: replacement.id, wrapped: await wrap(key, row.id, replacement) }).where('id', '=', row.id).execute();
        }
        outcome.replaced += 1;
        outcome.rewrapped += rows.length;
      } else if (old && (await keyring.keys()).filter((k) => k.period === old.period).at(-1)?.id === old.id) {
        // The month's current key wrapped only what was destroyed: the month gets a new one.
        await keyring.add(old.period, now);
        outcome.replaced += 1;
      }
      await tx.deleteFrom('keyring_retirements').where('keyring_key_id', '=', retiring).execute();
    }, { alone: true });
  }
  outcome.destroyed = await destroyUnneededKeys(database, keyring, now);
  return outcome;
}

/** Destroys every keyring key no data key needs, except the current month's current key and those still to be replaced. */
async function destroyUnneededKeys(database: Database, keyring: Keyring, now: Date): Promise<number> {
  // Alone: it must see only committed data keys, never those of a group that may yet roll back.
  return database.transaction(async (tx) => {
    const needed = new Set((await tx.selectFrom('data_keys').select('keyring_key_id').distinct().execute()).map((r) => r.keyring_key_id));
    for (const r of await tx.selectFrom('keyring_retirements').select('keyring_key_id').execute()) needed.add(r.keyring_key_id);
    const keys = await keyring.keys();
    const current = keys.filter((k) => k.period === periodOf(now)).at(-1);
    const doomed = keys.filter((k) => !needed.has(k.id) && k.id !== current?.id).map((k) => k.id);
    await keyring.destroy(doomed);
    return doomed.length;
  }, { alone: true });
}

/** Sealed data as one text column: `nonce.ciphertext` in base64url. */
export const sealedText = (sealed: Sealed): string => `${b64u.encode(sealed.nonce)}.${b64u.encode(sealed.ciphertext)}`;

export function sealedFromText(text: string): Sealed {
  const [nonceText, ciphertextText, extra] = text.split('.');
  const nonce = decodeBase64UrlStrict(nonceText);
  const ciphertext = decodeBase64UrlStrict(ciphertextText);
  if (!nonce || !ciphertext || extra !== undefined) throw new DataKeyError('Stored sealed data is not in the form nonce.ciphertext: it was altered.');
  return { nonce, ciphertext };
}

/**
 * The node's keyring at `path`, bound to its database. A node upgraded from before data keys were
 * kept apart gets an empty one; one whose database already needs a keyring never does (a missing
 * file is an error to repair, from the backup taken with the database).
 */
export async function loadKeyring(path: string, kek: Kek, database: Database, now: Date): Promise<Keyring> {
  if (!keyringExists(path)) {
    const bound = await database.db.selectFrom('keyring_binding').select('keyring_id').executeTakeFirst();
    if (bound || (await holdsDataKeys(database.db))) {
      throw new KeyringError(
        `No keyring at ${path}, and this node's database needs the one it was written with: restore it from the backup taken with the database, share the data folder between the node's processes, or set REFERRAL_NODE_KEYRING to it.`,
      );
    }
    try {
      await createKeyringFile(path);
    } catch (error) {
      // Another process of the node, starting at the same moment, made it: use that one.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  const keyring = openKeyring(path, kek);
  await bindKeyring(database, keyring, now);
  return keyring;
}
