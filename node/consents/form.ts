// The scanned consent form: stored encrypted under its own data key (wrapped by the KEK), never
// sent to another node, readable only by admins and caseworkers. Deleting the row erases it.
import type { NodeContext } from '../context.js';
import { AEAD_KEY_BYTES, aeadDecrypt, aeadEncrypt, randomBytes } from '../crypto/aead.js';
import { b64u, utf8 } from '../crypto/encoding.js';
import { appendAuditEvent } from '../audit-log/append.js';
import { DomainError } from '../errors.js';
import type { Db, Tx } from '../db/database.js';
import type { AuditActor } from '../audit-log/events.js';
import { findConsent, type ConsentRow } from './service.js';

export const MAX_FORM_BYTES = 10 * 1024 * 1024;

/** The media types accepted, each with the bytes a file of that type starts with. */
const SIGNATURES: Readonly<Record<string, readonly number[]>> = {
  'application/pdf': [0x25, 0x50, 0x44, 0x46, 0x2d],
  'image/jpeg': [0xff, 0xd8, 0xff],
  'image/png': [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
};

export const isFormMediaType = (mediaType: string): boolean => mediaType in SIGNATURES;

const associatedData = (consentId: string, mediaType: string) => utf8.encode(`consent-form:${consentId}:${mediaType}`);

export async function attachConsentForm(ctx: NodeContext, actor: { userId: string }, consentId: string, mediaType: string, bytes: Uint8Array): Promise<void> {
  const signature = SIGNATURES[mediaType];
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
  const dataKey = await randomBytes(AEAD_KEY_BYTES);
  const sealed = await aeadEncrypt(dataKey, bytes, associatedData(consentId, mediaType));
  const row = {
    consent_id: consentId,
    media_type: mediaType,
    size: bytes.length,
    wrapped_key: await ctx.kek.wrap(dataKey, `consent-form-key:${consentId}`),
    nonce: b64u.encode(sealed.nonce),
    ciphertext: sealed.ciphertext,
    created_at: now.toISOString(),
  };
  await ctx.database.transaction(async (tx) => {
    await tx.deleteFrom('consent_forms').where('consent_id', '=', consentId).execute();
    await tx.insertInto('consent_forms').values(row).execute();
    await appendAuditEvent(tx, now, { kind: 'user', id: actor.userId }, {
      type: 'consent.form-attached', consent_id: consentId, media_type: mediaType, size: bytes.length,
    });
  });
}

export async function readConsentForm(ctx: NodeContext, consentId: string): Promise<{ mediaType: string; bytes: Uint8Array } | undefined> {
  const row = await ctx.database.db.selectFrom('consent_forms').selectAll().where('consent_id', '=', consentId).executeTakeFirst();
  if (!row) return undefined;
  const dataKey = await ctx.kek.unwrap(row.wrapped_key, `consent-form-key:${consentId}`);
  const bytes = await aeadDecrypt(dataKey, { nonce: b64u.decode(row.nonce), ciphertext: new Uint8Array(row.ciphertext) }, associatedData(consentId, row.media_type));
  if (!bytes) throw new Error(`The stored consent form of ${consentId} cannot be decrypted: it was altered.`);
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
  await tx.deleteFrom('consent_forms').where('consent_id', '=', consentId).execute();
  await appendAuditEvent(tx, now, actor, { type: 'consent.form-erased', consent_id: consentId, reason: 'retention' });
}
