// Personal data at rest: each payload is encrypted under its own data key, kept apart from it and
// wrapped by the keyring (data-keys/). Erasing destroys the data key and deletes the row.
import { uuidv7 } from '../util/uuidv7.js';
import type { Kek } from '../crypto/kek.js';
import { b64u, utf8 } from '../crypto/encoding.js';
import type { Database, Db, Tx } from '../db/database.js';
import { preparedStatement } from '../db/prepared.js';
import { DataKeyError, destroyDataKeys, type DataKeys, type PreparedKey } from '../data-keys/data-keys.js';
import type { Sealed } from '../crypto/aead.js';
import { forgetTokens } from './search-tokens.js';

const associatedData = (payloadId: string, referralId: string, kind: string) =>
  utf8.encode(`payload:${payloadId}:${referralId}:${kind}`);

const dataKeyName = (payloadId: string) => `payload:${payloadId}`;

/** A payload sealed under a data key of its own before the transaction that stores it (data-keys/: PreparedKey). */
export interface PreparedPayload {
  id: string;
  referralId: string;
  kind: string;
  key: PreparedKey;
  sealed: Sealed;
}

export async function preparePayload(dataKeys: DataKeys, entry: { referralId: string; kind: string; content: unknown; now: Date }): Promise<PreparedPayload> {
  const id = uuidv7();
  const key = await dataKeys.prepare(dataKeyName(id), entry.now);
  const sealed = await dataKeys.sealWith(key, utf8.encode(JSON.stringify(entry.content)), associatedData(id, entry.referralId, entry.kind));
  return { id, referralId: entry.referralId, kind: entry.kind, key, sealed };
}

/** Stores a prepared payload: only writes. Returns its id. */
export async function keepPayload(tx: Tx, dataKeys: DataKeys, prepared: PreparedPayload): Promise<string> {
  await dataKeys.keep(tx, prepared.key);
  await insertPayload.execute(tx, {
    id: prepared.id,
    referralId: prepared.referralId,
    kind: prepared.kind,
    nonce: b64u.encode(prepared.sealed.nonce),
    ciphertext: b64u.encode(prepared.sealed.ciphertext),
    at: prepared.key.now.toISOString(),
  });
  return prepared.id;
}

const insertPayload = preparedStatement((db, v: { id: string; referralId: string; kind: string; nonce: string; ciphertext: string; at: string }) =>
  db.insertInto('payloads').values({ id: v.id, referral_id: v.referralId, kind: v.kind, wrapped_key: '', nonce: v.nonce, ciphertext: v.ciphertext, created_at: v.at }),
);

/** Seals and stores a payload inside the transaction (where what it holds is only known there). */
export async function storePayload(
  tx: Tx,
  dataKeys: DataKeys,
  entry: { referralId: string; kind: string; content: unknown; now: Date },
): Promise<string> {
  return keepPayload(tx, dataKeys, await preparePayload(dataKeys, entry));
}

/** The latest payload of a kind for a referral (e.g. its offer). */
export async function readPayload<T>(db: Db | Tx, dataKeys: DataKeys, referralId: string, kind: string): Promise<T | undefined> {
  const row = await db
    .selectFrom('payloads')
    .select('id')
    .where('referral_id', '=', referralId)
    .where('kind', '=', kind)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return row ? readPayloadById<T>(db, dataKeys, row.id) : undefined;
}

export async function readPayloadById<T>(db: Db | Tx, dataKeys: DataKeys, id: string): Promise<T | undefined> {
  const row = await db.selectFrom('payloads').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const plaintext = await dataKeys.open(
    db,
    dataKeyName(row.id),
    { nonce: b64u.decode(row.nonce), ciphertext: b64u.decode(row.ciphertext) },
    associatedData(row.id, row.referral_id, row.kind),
  );
  if (!plaintext) throw new DataKeyError(`Stored payload ${row.id} has no data key: it was erased only in part.`);
  return JSON.parse(utf8.decode(plaintext)) as T;
}

/** Every payload of the referral of one of `kinds`, opened, oldest first. */
export async function readPayloadsOfKinds<T>(db: Db | Tx, dataKeys: DataKeys, referralId: string, kinds: readonly string[]): Promise<T[]> {
  const rows = await db.selectFrom('payloads').select('id').where('referral_id', '=', referralId).where('kind', 'in', [...kinds]).orderBy('created_at').execute();
  const opened: T[] = [];
  for (const row of rows) {
    const content = await readPayloadById<T>(db, dataKeys, row.id);
    if (content !== undefined) opened.push(content);
  }
  return opened;
}

/** Destroys the data keys of every payload of the referral and deletes the payloads: the erasure itself (its search tokens go too). Returns how many. */
export async function erasePayloadsOf(tx: Tx, referralId: string, now: Date): Promise<number> {
  await forgetTokens(tx, referralId);
  const rows = await tx.selectFrom('payloads').select('id').where('referral_id', '=', referralId).execute();
  await destroyDataKeys(tx, rows.map((r) => dataKeyName(r.id)), now);
  const result = await tx.deleteFrom('payloads').where('referral_id', '=', referralId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Destroys and deletes the referral's payloads of one kind (a local note replaced). */
export async function erasePayloadsOfKind(tx: Tx, referralId: string, kind: string, now: Date): Promise<void> {
  const rows = await tx.selectFrom('payloads').select('id').where('referral_id', '=', referralId).where('kind', '=', kind).execute();
  if (rows.length === 0) return;
  await destroyDataKeys(tx, rows.map((r) => dataKeyName(r.id)), now);
  await tx.deleteFrom('payloads').where('id', 'in', rows.map((r) => r.id)).execute();
}

/**
 * Payloads written before data keys were kept apart held their data key in the row, wrapped by the
 * KEK: each key moves to the data keys (the ciphertext stays as it is). Run when the node opens.
 */
export async function adoptLegacyPayloadKeys(database: Database, kek: Kek, dataKeys: DataKeys, now: Date): Promise<number> {
  let adopted = 0;
  for (;;) {
    // Read inside the transaction: another process opening at the same time adopts each key once.
    const count = await database.transaction(async (tx) => {
      const batch = await tx.selectFrom('payloads').select(['id', 'wrapped_key']).where('wrapped_key', '!=', '').limit(200).execute();
      for (const row of batch) {
        const key = await kek.unwrap(row.wrapped_key, `payload-key:${row.id}`);
        await dataKeys.adopt(tx, dataKeyName(row.id), key, now);
        await tx.updateTable('payloads').set({ wrapped_key: '' }).where('id', '=', row.id).execute();
      }
      return batch.length;
    });
    if (count === 0) return adopted;
    adopted += count;
  }
}
