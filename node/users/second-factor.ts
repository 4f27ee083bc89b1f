// The optional second factor of the web interface's sign-in: a TOTP authenticator (RFC 6238:
// SHA-1, 6 digits, 30-second steps, the settings every authenticator app reads from a QR code),
// and ten recovery codes for the day the phone is lost.
//
// - The secret (20 random bytes, as RFC 4226 advises) is made here and sealed under a data key of
//   its own (data-keys/), as every other secret at rest: never in the clear in the database, and
//   gone for good once the key is destroyed (at removal, or at a new enrolment).
// - An enrolment takes effect only when the user confirms it with a first code and her password.
// - A code is accepted one step either side of the node's clock (±30 s of drift), and never twice:
//   the step of the last code accepted is kept, and only a later step passes (in one conditional
//   update, so that two processes cannot both accept it).
// - Recovery codes are 79 random bits each, kept as keyed digests (HMAC-SHA-256 under a key derived
//   from the KEK): a copy of the database alone tells none of them. Each works once.
// The only writer of user_second_factors and user_recovery_codes.
import { createHmac, randomUUID } from 'node:crypto';
import type { Database, Db, Tx } from '../db/database.js';
import type { DataKeys } from '../data-keys/data-keys.js';
import { destroyDataKeys, sealedFromText, sealedText } from '../data-keys/data-keys.js';
import type { Kek } from '../crypto/kek.js';
import { randomBytes } from '../crypto/aead.js';
import { loadSodium } from '../crypto/sodium.js';
import { base32, utf8 } from '../crypto/encoding.js';
import { appendAuditEvent } from '../audit-log/append.js';
import type { AuditActor } from '../audit-log/events.js';
import { verifyPassword } from './passwords.js';
import { deleteSessionsOfUser, secondFactorInForce } from './sessions.js';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps accepted either side of the node's clock: a phone a little fast or slow, a code typed as it changed. */
export const TOTP_DRIFT_STEPS = 1;
export const RECOVERY_CODE_COUNT = 10;
const SECRET_BYTES = 20;
/** Recovery codes: 16 characters of these 31 (no i, l, o, 0 or 1: about 79 bits), shown in groups of four. */
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** What a second factor needs of the node: its database, its data keys, and its KEK (for the recovery codes' digests). */
export interface SecondFactorDeps {
  database: Database;
  dataKeys: DataKeys;
  kek: Kek;
}

let otpauth: Promise<typeof import('otpauth')> | undefined;
/** The TOTP package, loaded at the first second factor used (a node starts without it). */
const loadOtpauth = () => (otpauth ??= import('otpauth'));

const dataKeyName = (keyId: string) => `second-factor:${keyId}`;
const secretData = (userId: string, keyId: string) => utf8.encode(`second-factor:${userId}:${keyId}`);

/** What the settings page shows of a user's second factor. */
export interface SecondFactorStatus {
  /** When it was confirmed; undefined when the user has none in force. */
  since?: string | undefined;
  /** An enrolment waits for its first code. */
  pending: boolean;
  recoveryCodesLeft: number;
}

export async function secondFactorStatus(db: Db, userId: string): Promise<SecondFactorStatus> {
  const row = await db.selectFrom('user_second_factors').select(['confirmed_at']).where('user_id', '=', userId).executeTakeFirst();
  const codes = await db
    .selectFrom('user_recovery_codes')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return { since: row?.confirmed_at ?? undefined, pending: row !== undefined && row.confirmed_at === null, recoveryCodesLeft: Number(codes.count) };
}

/** Whether the user has a second factor in force (confirmed): one row read, no recovery codes counted. */
export const hasSecondFactor = secondFactorInForce;

/**
 * Begins an enrolment: a new secret, sealed, not yet in force (an earlier unconfirmed one is
 * replaced). False when the user already has a second factor in force.
 */
export async function startEnrolment(deps: SecondFactorDeps, userId: string, now: Date): Promise<boolean> {
  const secret = await randomBytes(SECRET_BYTES);
  const keyId = randomUUID();
  return deps.database.transaction(async (tx) => {
    const existing = await tx.selectFrom('user_second_factors').select(['key_id', 'confirmed_at']).where('user_id', '=', userId).executeTakeFirst();
    if (existing?.confirmed_at) return false;
    if (existing) {
      await destroyDataKeys(tx, [dataKeyName(existing.key_id)], now);
      await tx.deleteFrom('user_second_factors').where('user_id', '=', userId).execute();
    }
    const sealed = await deps.dataKeys.seal(tx, dataKeyName(keyId), secret, secretData(userId, keyId), now);
    await tx
      .insertInto('user_second_factors')
      .values({ user_id: userId, key_id: keyId, secret_sealed: sealedText(sealed), created_at: now.toISOString(), confirmed_at: null, last_step: null })
      .execute();
    return true;
  });
}

/** An enrolment waiting for its first code, as the user types it into an app: the key (base32, in groups of four) and the otpauth:// URI of the QR code. */
export interface PendingEnrolment {
  key: string;
  uri: string;
}

export async function pendingEnrolment(deps: SecondFactorDeps, user: { id: string; username: string }, issuer: string): Promise<PendingEnrolment | undefined> {
  const row = await deps.database.db.selectFrom('user_second_factors').selectAll().where('user_id', '=', user.id).executeTakeFirst();
  if (!row || row.confirmed_at) return undefined;
  const secret = await openSecret(deps, deps.database.db, row);
  const { Secret, TOTP } = await loadOtpauth();
  const totp = new TOTP({ issuer, label: user.username, secret: new Secret({ buffer: secret.slice().buffer }), algorithm: 'SHA1', digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS });
  return { key: base32(secret).replace(/(.{4})(?=.)/g, '$1 '), uri: totp.toString() };
}

async function openSecret(deps: SecondFactorDeps, db: Db | Tx, row: { user_id: string; key_id: string; secret_sealed: string }): Promise<Uint8Array> {
  const secret = await deps.dataKeys.open(db, dataKeyName(row.key_id), sealedFromText(row.secret_sealed), secretData(row.user_id, row.key_id));
  if (!secret) throw new Error(`The second factor of ${row.user_id} has no data key.`);
  return secret;
}

/** The time step a code of `secret` matches, within the drift allowed; undefined when it matches none. */
async function matchingStep(secret: Uint8Array, code: string, now: Date): Promise<number | undefined> {
  if (!new RegExp(`^\\d{${TOTP_DIGITS}}$`).test(code)) return undefined;
  const { Secret, TOTP } = await loadOtpauth();
  const delta = TOTP.validate({
    token: code,
    secret: new Secret({ buffer: secret.slice().buffer }),
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    timestamp: now.getTime(),
    window: TOTP_DRIFT_STEPS,
  });
  return delta === null ? undefined : Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS) + delta;
}

/** A code as typed: spaces and dashes left out, lower case. */
const normalised = (code: string) => code.replace(/[\s-]/g, '').toLowerCase();

/** A TOTP code of the user's factor, in force or (`pending`) waiting for confirmation: the step it matches, read and checked outside any transaction. */
async function codeStep(deps: SecondFactorDeps, userId: string, code: string, now: Date, pending: boolean): Promise<{ keyId: string; step: number } | undefined> {
  const row = await deps.database.db.selectFrom('user_second_factors').selectAll().where('user_id', '=', userId).executeTakeFirst();
  if (!row || (row.confirmed_at === null) !== pending) return undefined;
  const step = await matchingStep(await openSecret(deps, deps.database.db, row), normalised(code), now);
  return step === undefined ? undefined : { keyId: row.key_id, step };
}

/**
 * Uses a code's step, once only: it is written as the last used in the same statement that checks
 * it is later than the last one (and that the secret is still the one that matched). Inside the
 * caller's transaction; false when the step was used already.
 */
async function useStep(tx: Tx, userId: string, matched: { keyId: string; step: number }, now: Date, confirming: boolean): Promise<boolean> {
  const updated = await tx
    .updateTable('user_second_factors')
    .set({ last_step: matched.step, ...(confirming ? { confirmed_at: now.toISOString() } : {}) })
    .where('user_id', '=', userId)
    .where('key_id', '=', matched.keyId)
    .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', matched.step)]))
    // A confirmation only of a factor not yet in force, a sign-in's code only of one in force: two
    // confirmations at once with codes of two steps cannot both succeed (the second would replace
    // the recovery codes the first showed).
    .where('confirmed_at', confirming ? 'is' : 'is not', null)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) === 1;
}

export type EnrolmentConfirmation = { ok: true; recoveryCodes: string[] } | { ok: false; why: 'wrong-password' | 'wrong-code' | 'no-enrolment' };

/** Confirms an enrolment with the user's password and a first code: the factor is in force, and ten recovery codes are made (shown once). */
export async function confirmEnrolment(deps: SecondFactorDeps, userId: string, given: { password: string; code: string }, now: Date): Promise<EnrolmentConfirmation> {
  const row = await deps.database.db.selectFrom('user_second_factors').select('confirmed_at').where('user_id', '=', userId).executeTakeFirst();
  if (!row || row.confirmed_at) return { ok: false, why: 'no-enrolment' };
  if (!(await passwordIsRight(deps.database.db, userId, given.password))) return { ok: false, why: 'wrong-password' };
  const matched = await codeStep(deps, userId, given.code, now, true);
  if (!matched) return { ok: false, why: 'wrong-code' };
  const codes = await newRecoveryCodes();
  const confirmed = await deps.database.transaction(async (tx) => {
    if (!(await useStep(tx, userId, matched, now, true))) return false;
    await keepRecoveryCodes(deps, tx, userId, codes, now);
    await appendAuditEvent(tx, now, { kind: 'user', id: userId }, { type: 'user.second-factor-enabled', user_id: userId });
    return true;
  });
  return confirmed ? { ok: true, recoveryCodes: codes } : { ok: false, why: 'wrong-code' };
}

async function passwordIsRight(db: Db, userId: string, password: string): Promise<boolean> {
  const user = await db.selectFrom('users').select(['password_hash', 'disabled_at']).where('id', '=', userId).executeTakeFirst();
  return user !== undefined && !user.disabled_at && (await verifyPassword(user.password_hash, password));
}

async function newRecoveryCodes(): Promise<string[]> {
  const sodium = await loadSodium();
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    let code = '';
    while (code.length < 16) code += RECOVERY_ALPHABET[sodium.randombytes_uniform(RECOVERY_ALPHABET.length)];
    return code.replace(/(.{4})(?=.)/g, '$1-');
  });
}

const recoveryDigest = (kek: Kek, userId: string, code: string) =>
  createHmac('sha256', kek.derive('recovery-codes')).update(`${userId}\0${normalised(code)}`).digest('base64url');

/** Replaces the user's recovery codes by these (their digests), inside the caller's transaction. */
async function keepRecoveryCodes(deps: SecondFactorDeps, tx: Tx, userId: string, codes: readonly string[], now: Date): Promise<void> {
  await tx.deleteFrom('user_recovery_codes').where('user_id', '=', userId).execute();
  await tx
    .insertInto('user_recovery_codes')
    .values(codes.map((code) => ({ digest: recoveryDigest(deps.kek, userId, code), user_id: userId, created_at: now.toISOString() })))
    .execute();
}

/**
 * The second step of a sign-in: a TOTP code (once only, within the drift) or an unused recovery
 * code (then used up, with an audit entry). What it was, or undefined when it was neither.
 */
export async function verifySecondFactor(deps: SecondFactorDeps, userId: string, code: string, now: Date): Promise<'totp' | 'recovery-code' | undefined> {
  const given = normalised(code);
  if (given.length === 0 || given.length > 64) return undefined;
  if (/^\d+$/.test(given)) {
    const matched = await codeStep(deps, userId, given, now, false);
    return matched && (await deps.database.transaction((tx) => useStep(tx, userId, matched, now, false))) ? 'totp' : undefined;
  }
  const digest = recoveryDigest(deps.kek, userId, given);
  const used = await deps.database.transaction(async (tx) => {
    const factor = await tx.selectFrom('user_second_factors').select('confirmed_at').where('user_id', '=', userId).executeTakeFirst();
    if (!factor?.confirmed_at) return false;
    const deleted = await tx.deleteFrom('user_recovery_codes').where('digest', '=', digest).where('user_id', '=', userId).executeTakeFirst();
    if (Number(deleted.numDeletedRows) !== 1) return false;
    const left = await tx
      .selectFrom('user_recovery_codes')
      .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    await appendAuditEvent(tx, now, { kind: 'user', id: userId }, { type: 'user.recovery-code-used', user_id: userId, left: Number(left.count) });
    return true;
  });
  return used ? 'recovery-code' : undefined;
}

/** New recovery codes for the user (her password needed): the old ones stop working; the new ones are shown once. */
/**
 * New recovery codes (the old ones stop working): her password and a code (or a recovery code)
 * needed, since the codes are a way past the second factor for good, and a session with the
 * password alone must not make one.
 */
export async function renewRecoveryCodes(
  deps: SecondFactorDeps,
  userId: string,
  given: { password: string; code: string },
  now: Date,
): Promise<string[] | 'wrong-password' | 'wrong-code' | 'not-enrolled'> {
  if (!(await hasSecondFactor(deps.database.db, userId))) return 'not-enrolled';
  if (!(await passwordIsRight(deps.database.db, userId, given.password))) return 'wrong-password';
  if (!(await verifySecondFactor(deps, userId, given.code, now))) return 'wrong-code';
  const codes = await newRecoveryCodes();
  await deps.database.transaction(async (tx) => {
    await keepRecoveryCodes(deps, tx, userId, codes, now);
    await appendAuditEvent(tx, now, { kind: 'user', id: userId }, { type: 'user.recovery-codes-renewed', user_id: userId });
  });
  return codes;
}

/** The user turns her second factor off: her password and a code (or a recovery code) needed. */
export async function turnOffSecondFactor(
  deps: SecondFactorDeps,
  userId: string,
  given: { password: string; code: string },
  now: Date,
): Promise<'removed' | 'wrong-password' | 'wrong-code' | 'not-enrolled'> {
  if (!(await hasSecondFactor(deps.database.db, userId))) return 'not-enrolled';
  if (!(await passwordIsRight(deps.database.db, userId, given.password))) return 'wrong-password';
  if (!(await verifySecondFactor(deps, userId, given.code, now))) return 'wrong-code';
  await removeSecondFactor(deps.database, userId, now, { kind: 'user', id: userId });
  return 'removed';
}

/**
 * Removes the user's second factor, in force or waiting (the secret's data key destroyed, the
 * recovery codes deleted), with an audit entry when one was in force. Done by someone else (an
 * administrator, the command line), it also ends the user's sessions, as a new password does.
 * False when the user had none in force.
 */
export async function removeSecondFactor(database: Database, userId: string, now: Date, actor: AuditActor): Promise<boolean> {
  return database.transaction(async (tx) => {
    const row = await tx.selectFrom('user_second_factors').select(['key_id', 'confirmed_at']).where('user_id', '=', userId).executeTakeFirst();
    if (!row) return false;
    await destroyDataKeys(tx, [dataKeyName(row.key_id)], now);
    await tx.deleteFrom('user_second_factors').where('user_id', '=', userId).execute();
    await tx.deleteFrom('user_recovery_codes').where('user_id', '=', userId).execute();
    if (!row.confirmed_at) return false;
    if (!(actor.kind === 'user' && actor.id === userId)) await deleteSessionsOfUser(tx, userId);
    await appendAuditEvent(tx, now, actor, { type: 'user.second-factor-removed', user_id: userId });
    return true;
  });
}
