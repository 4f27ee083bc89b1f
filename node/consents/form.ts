// The scanned consent form: stored encrypted under its own data key (data-keys/), never sent to
// another node, readable only by admins and caseworkers. Destroying the key and the row erases it;
// a form replaced by a new scan gets a new key, so the old scan goes as if erased.
import type { NodeContext } from '../context.js';
import type { Kek } from '../crypto/kek.js';
import { b64u, utf8 } from '../crypto/encoding.js';
import { DataKeyError, destroyDataKeys, type DataKeys } from '../data-keys/data-keys.js';
import { appendAuditEvent } from '../audit-log/append.js';
import { DomainError } from '../errors.js';
import type { Database, Db, Tx } from '../db/database.js';
import type { AuditActor } from '../audit-log/events.js';
import { findConsent, type ConsentRow } from './service.js';

export const MAX_FORM_BYTES = 10 * 1024 * 1024;

/** The media types accepted, each with the bytes a file of that type starts with. */
const SIGNATURES: Readonly<Record<string, readonly number[]>> = {
  'application/pdf': [0x25, 0x50, 0x44, 0x46, 0x2d],
  'image/jpeg': [0xff, 0xd8, 0xff],
  'image/png': [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
};

// Own properties only: `in` and a plain lookup also find what every object inherits, so a
// Content-Type of `constructor` passed for a form type (and failed with a 500).
export const isFormMediaType = (mediaType: string): boolean => Object.hasOwn(SIGNATURES, mediaType);

const EXTENSIONS: Readonly<Record<string, string>> = { 'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png' };

/** The name a downloaded form is saved under: the consent's id, never anything of hers. */
export const formFileName = (consentId: string, mediaType: string): string => `consent-${consentId}.${Object.hasOwn(EXTENSIONS, mediaType) ? EXTENSIONS[mediaType] : 'bin'}`;

const associatedData = (consentId: string, mediaType: string) => utf8.encode(`consent-form:${consentId}:${mediaType}`);
const dataKeyName = (consentId: string) => `consent-form:${consentId}`;

export async function attachConsentForm(ctx: NodeContext, actor: { userId: string }, consentId: string, mediaType: string, bytes: Uint8Array): Promise<void> {
  const signature = isFormMediaType(mediaType) ? SIGNATURES[mediaType] : undefined;
  if (!signature) throw new DomainError(415, 'unsupported-media-type', 'Unsupported form type', 'Upload the form as application/pdf, image/jpeg or image/png.');
  if (bytes.length === 0 || signature.some((byte, i) => bytes[i] !== byte)) {
    throw new DomainError(422, 'invalid-request', 'Not a form of this type', `The file does not start like a ${mediaType} file; check the Content-Type.`);
  }
  const consent = await findConsent(ctx.database.db, consentId);
  if (!consent) throw new DomainError(404, 'not-found', 'No such consent', 'There is no consent record with this id on this node.');
  if (consent.origin !== 'self' || consent.derived_from) {
    throw new DomainError(409, 'illegal-transition', 'Recorded elsewhere', 'The form belongs with the organisation that recorded this consent.');
  }
  const now = ctx.clock.now();
  await ctx.database.transaction(async (tx) => {
    await destroyDataKeys(tx, [dataKeyName(consentId)], now);
    await tx.deleteFrom('consent_forms').where('consent_id', '=', consentId).execute();
    const sealed = await ctx.dataKeys.seal(tx, dataKeyName(consentId), bytes, associatedData(consentId, mediaType), now);
    await tx
      .insertInto('consent_forms')
      .values({
        consent_id: consentId,
        media_type: mediaType,
        size: bytes.length,
        wrapped_key: '',
        nonce: b64u.encode(sealed.nonce),
        ciphertext: sealed.ciphertext,
        created_at: now.toISOString(),
      })
      .execute();
    await appendAuditEvent(tx, now, { kind: 'user', id: actor.userId }, {
      type: 'consent.form-attached', consent_id: consentId, media_type: mediaType, size: bytes.length,
    });
  });
}

export async function readConsentForm(ctx: NodeContext, consentId: string): Promise<{ mediaType: string; bytes: Uint8Array } | undefined> {
  const row = await ctx.database.db.selectFrom('consent_forms').selectAll().where('consent_id', '=', consentId).executeTakeFirst();
  if (!row) return undefined;
  const sealed = { nonce: b64u.decode(row.nonce), ciphertext: new Uint8Array(row.ciphertext) };
  const bytes = await ctx.dataKeys.open(ctx.database.db, dataKeyName(consentId), sealed, associatedData(consentId, row.media_type));
  if (!bytes) throw new DataKeyError(`The stored consent form of ${consentId} has no data key: it was erased only in part.`);
  return { mediaType: row.media_type, bytes };
}

/** The consents that have a form here, with what says when each ended (the retention run). */
export async function formsWithConsents(db: Db): Promise<Array<Pick<ConsentRow, 'id' | 'recipients' | 'withdrawn_for' | 'withdrawn_at' | 'valid_until'>>> {
  return db
    .selectFrom('consent_forms')
    .innerJoin('consents', 'consents.id', 'consent_forms.consent_id')
    .select(['consents.id', 'consents.recipients', 'consents.withdrawn_for', 'consents.withdrawn_at', 'consents.valid_until'])
    .execute();
}

export async function eraseConsentForm(tx: Tx, consentId: string, now: Date, actor: AuditActor): Promise<void> {
  await destroyDataKeys(tx, [dataKeyName(consentId)], now);
  await tx.deleteFrom('consent_forms').where('consent_id', '=', consentId).execute();
  await appendAuditEvent(tx, now, actor, { type: 'consent.form-erased', consent_id: consentId, reason: 'retention' });
}

/**
 * Forms stored before data keys were kept apart held their data key in the row, wrapped by the
 * KEK: each key moves to the data keys (the ciphertext stays as it is). Run when the node opens.
 */
export async function adoptLegacyFormKeys(database: Database, kek: Kek, dataKeys: DataKeys, now: Date): Promise<number> {
  return database.transaction(async (tx) => {
    const rows = await tx.selectFrom('consent_forms').select(['consent_id', 'wrapped_key']).where('wrapped_key', '!=', '').execute();
    for (const row of rows) {
      await dataKeys.adopt(tx, dataKeyName(row.consent_id), await kek.unwrap(row.wrapped_key, `consent-form-key:${row.consent_id}`), now);
      await tx.updateTable('consent_forms').set({ wrapped_key: '' }).where('consent_id', '=', row.consent_id).execute();
    }
    return rows.length;
  });
}
