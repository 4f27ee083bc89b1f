// Personal data at rest: each payload is encrypted under its own random data key, which is
// stored only wrapped by the KEK. Deleting the row (key and ciphertext) erases the data.
import { randomUUID } from 'node:crypto';
import type { Kek } from '../crypto/kek.js';
import { AEAD_KEY_BYTES, aeadDecrypt, aeadEncrypt, randomBytes } from '../crypto/aead.js';
import { b64u, utf8 } from '../crypto/encoding.js';
import type { Db, Tx } from '../db/database.js';

const associatedData = (payloadId: string, referralId: string, kind: string) =>
  utf8.encode(`payload:${payloadId}:${referralId}:${kind}`);

export async function storePayload(
  tx: Tx,
  kek: Kek,
  entry: { referralId: string; kind: string; content: unknown; now: Date },
): Promise<string> {
  const id = randomUUID();
  const dataKey = await randomBytes(AEAD_KEY_BYTES);
  const sealed = await aeadEncrypt(dataKey, utf8.encode(JSON.stringify(entry.content)), associatedData(id, entry.referralId, entry.kind));
  await tx
    .insertInto('payloads')
    .values({
      id,
      referral_id: entry.referralId,
      kind: entry.kind,
      wrapped_key: await kek.wrap(dataKey, `payload-key:${id}`),
      nonce: b64u.encode(sealed.nonce),
      ciphertext: b64u.encode(sealed.ciphertext),
      created_at: entry.now.toISOString(),
    })
    .execute();
  return id;
}

/** The latest payload of a kind for a referral (e.g. its offer). */
export async function readPayload<T>(db: Db | Tx, kek: Kek, referralId: string, kind: string): Promise<T | undefined> {
  const row = await db
    .selectFrom('payloads')
    .select('id')
    .where('referral_id', '=', referralId)
    .where('kind', '=', kind)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  return row ? readPayloadById<T>(db, kek, row.id) : undefined;
}

export async function readPayloadById<T>(db: Db | Tx, kek: Kek, id: string): Promise<T | undefined> {
  const row = await db.selectFrom('payloads').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const dataKey = await kek.unwrap(row.wrapped_key, `payload-key:${row.id}`);
  const plaintext = await aeadDecrypt(
    dataKey,
    { nonce: b64u.decode(row.nonce), ciphertext: b64u.decode(row.ciphertext) },
    associatedData(row.id, row.referral_id, row.kind),
  );
  if (!plaintext) throw new Error(`Stored payload ${row.id} cannot be decrypted: it was altered.`);
  return JSON.parse(utf8.decode(plaintext)) as T;
}

/** Deletes every payload of the referral with its data key: the erasure itself. Returns how many. */
export async function erasePayloadsOf(tx: Tx, referralId: string): Promise<number> {
  const result = await tx.deleteFrom('payloads').where('referral_id', '=', referralId).executeTakeFirst();
  return Number(result.numDeletedRows);
}
