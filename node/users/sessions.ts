// Sign-ins to the web interface (ui_sessions). A session is known by a random token that only the
// browser holds; the node keeps its SHA-256 alone, so a copy of the database signs no one in. A
// session ends after 8 hours, or after an hour without use, at sign-out, or when the user's
// password changes or the account is disabled. Cookies and forms are the interface's business.
//
// A user with a second factor (second-factor.ts) signs in in two steps: the right password makes
// a pending sign-in (ui_pending_sign_ins), known the same way by a token of its own in the browser,
// that grants nothing but the code's form, lasts five minutes and becomes a session only with the
// code.
import { randomBytes } from 'node:crypto';
import type { Database, Db, Tx } from '../db/database.js';
import type { UsersTable } from '../db/schema.js';
import { b64u, sha256, utf8 } from '../crypto/encoding.js';
import { appendAuditEvent } from '../audit-log/append.js';
import { hashPassword, verifyPassword } from './passwords.js';
import type { SignInGuard } from './sign-in-guard.js';

/** How long a session lasts at most, used or not (the cookie's lifetime too). */
export const SESSION_LIFETIME_MS = 8 * 60 * 60_000;
const IDLE_MS = 60 * 60_000;
/** How long the code of a second factor may be waited for after the password (the pending cookie's lifetime too). */
export const PENDING_SIGN_IN_MS = 5 * 60_000;

export interface SessionUser {
  id: string;
  username: string;
  role: UsersTable['role'];
  /** The interface language the user chose; null: none chosen. */
  language: string | null;
}

export interface UiSession {
  user: SessionUser;
  /** The token every form of this session carries. */
  csrf: string;
  /** Whether the user has a second factor in force. */
  secondFactor: boolean;
}

const newToken = () => b64u.encode(randomBytes(32));
const digestOf = (token: string) => b64u.encode(sha256(utf8.encode(token)));

/**
 * What came of a sign-in attempt: the user (and whether a second factor must follow), or why not
 * (a wrong name or password: one answer for both).
 */
export type SignInOutcome =
  | { ok: true; user: SessionUser; secondFactor: boolean }
  | { ok: false; why: 'credentials' }
  | { ok: false; why: 'wait' | 'locked'; retryAfterSeconds: number };

/**
 * Checks a name and password from `address`, through the sign-in throttle (sign-in-guard.ts): an
 * attempt that must wait, or is locked out, is not checked at all; a failure is counted.
 */
export async function checkCredentials(
  db: Db,
  guard: SignInGuard,
  attempt: { username: string; password: string; address: string },
  now: Date,
): Promise<SignInOutcome> {
  const { username, password, address } = attempt;
  const gate = await guard.gate(username, address);
  if (!gate.open) return { ok: false, why: gate.why, retryAfterSeconds: gate.retryAfterSeconds };
  const user = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  // A wrong name costs an argon2id verification too, so that timing does not tell names apart.
  const ok = await verifyPassword(user?.password_hash ?? (await dummyHash()), password);
  if (!user || !ok || user.disabled_at) {
    await guard.failed(username, address, user?.id, now);
    return { ok: false, why: 'credentials' };
  }
  const secondFactor = await secondFactorInForce(db, user.id);
  // With a second factor, the failures are forgotten only once the code is right too: otherwise
  // whoever knows the password could guess codes without end, the password clearing the count.
  if (!secondFactor) await guard.succeeded(username);
  return { ok: true, user: { id: user.id, username: user.username, role: user.role, language: user.language }, secondFactor };
}

/**
 * Whether the user has a confirmed second factor. Read here, and re-exported by second-factor.ts
 * (its owner) as `hasSecondFactor`: that module depends on this one.
 */
export async function secondFactorInForce(db: Db, userId: string): Promise<boolean> {
  const row = await db.selectFrom('user_second_factors').select('confirmed_at').where('user_id', '=', userId).executeTakeFirst();
  return Boolean(row?.confirmed_at);
}

/** A pending sign-in: the password was right; the code is still to be given. The token for the browser alone, and the code form's token. */
export async function createPendingSignIn(database: Database, userId: string, now: Date): Promise<{ token: string; csrf: string }> {
  const token = newToken();
  const csrf = newToken();
  await database.transaction(async (tx) => {
    await tx.deleteFrom('ui_pending_sign_ins').where('expires_at', '<=', now.toISOString()).execute();
    await tx
      .insertInto('ui_pending_sign_ins')
      .values({ token_digest: digestOf(token), user_id: userId, csrf, expires_at: new Date(now.getTime() + PENDING_SIGN_IN_MS).toISOString() })
      .execute();
  });
  return { token, csrf };
}

/** The pending sign-in of a token, if it is one, not expired and its user still enabled; an expired one is deleted. */
export async function findPendingSignIn(db: Db, token: string, now: Date): Promise<{ user: SessionUser; csrf: string } | undefined> {
  const row = await db
    .selectFrom('ui_pending_sign_ins')
    .innerJoin('users', 'users.id', 'ui_pending_sign_ins.user_id')
    .select(['ui_pending_sign_ins.token_digest', 'ui_pending_sign_ins.csrf', 'ui_pending_sign_ins.expires_at'])
    .select(['users.id', 'users.username', 'users.role', 'users.language', 'users.disabled_at'])
    .where('ui_pending_sign_ins.token_digest', '=', digestOf(token))
    .executeTakeFirst();
  if (!row || row.disabled_at || Date.parse(row.expires_at) <= now.getTime()) {
    if (row) await db.deleteFrom('ui_pending_sign_ins').where('token_digest', '=', row.token_digest).execute();
    return undefined;
  }
  return { user: { id: row.id, username: row.username, role: row.role, language: row.language }, csrf: row.csrf };
}

/** Ends a pending sign-in (the code was given, or the user went back); true when it was still there to end. */
export async function deletePendingSignIn(db: Db, token: string): Promise<boolean> {
  const deleted = await db.deleteFrom('ui_pending_sign_ins').where('token_digest', '=', digestOf(token)).executeTakeFirst();
  return Number(deleted.numDeletedRows) === 1;
}

/** A real argon2id hash of a random password no one knows, for the wrong-name path. */
let dummy: Promise<string> | undefined;
const dummyHash = () => (dummy ??= hashPassword(newToken()));

/** Signs the user in (in the audit log); returns the session's token, for the browser alone. */
export async function createSession(database: Database, userId: string, now: Date): Promise<string> {
  // Sessions left to expire (never signed out of) are cleared as new ones begin.
  await database.db
    .deleteFrom('ui_sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now.toISOString()), eb('last_seen_at', '<=', new Date(now.getTime() - IDLE_MS).toISOString())]))
    .execute();
  const token = newToken();
  await database.transaction(async (tx) => {
    await tx
      .insertInto('ui_sessions')
      .values({
        token_digest: digestOf(token), user_id: userId, csrf: newToken(), created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + SESSION_LIFETIME_MS).toISOString(), last_seen_at: now.toISOString(),
      })
      .execute();
    await appendAuditEvent(tx, now, { kind: 'user', id: userId }, { type: 'user.signed-in', user_id: userId });
  });
  return token;
}

/** The session of a token, if it is one and still valid (its use is recorded); an ended one is deleted. */
export async function resumeSession(db: Db, token: string, now: Date): Promise<UiSession | undefined> {
  const row = await db
    .selectFrom('ui_sessions')
    .innerJoin('users', 'users.id', 'ui_sessions.user_id')
    .select(['ui_sessions.token_digest', 'ui_sessions.csrf', 'ui_sessions.expires_at', 'ui_sessions.last_seen_at'])
    .select(['users.id', 'users.username', 'users.role', 'users.language', 'users.disabled_at'])
    .leftJoin('user_second_factors', 'user_second_factors.user_id', 'ui_sessions.user_id')
    .select('user_second_factors.confirmed_at as second_factor_since')
    .where('ui_sessions.token_digest', '=', digestOf(token))
    .executeTakeFirst();
  const at = now.getTime();
  if (!row || row.disabled_at || Date.parse(row.expires_at) <= at || Date.parse(row.last_seen_at) + IDLE_MS <= at) {
    if (row) await db.deleteFrom('ui_sessions').where('token_digest', '=', row.token_digest).execute();
    return undefined;
  }
  await db.updateTable('ui_sessions').set({ last_seen_at: now.toISOString() }).where('token_digest', '=', row.token_digest).execute();
  return { user: { id: row.id, username: row.username, role: row.role, language: row.language }, csrf: row.csrf, secondFactor: Boolean(row.second_factor_since) };
}

/** Signs the user out of the session of this token (in the audit log). */
export async function deleteSession(database: Database, token: string, userId: string, now: Date): Promise<void> {
  await database.transaction(async (tx) => {
    await tx.deleteFrom('ui_sessions').where('token_digest', '=', digestOf(token)).execute();
    await appendAuditEvent(tx, now, { kind: 'user', id: userId }, { type: 'user.signed-out', user_id: userId });
  });
}

/**
 * Ends the user's sessions, all of them or all but the one with the CSRF token `keepCsrf`, and her
 * sign-ins waiting for a code (made with what may be an old password), inside the caller's transaction.
 */
export async function deleteSessionsOfUser(tx: Tx, userId: string, keepCsrf?: string): Promise<void> {
  let query = tx.deleteFrom('ui_sessions').where('user_id', '=', userId);
  if (keepCsrf !== undefined) query = query.where('csrf', '!=', keepCsrf);
  await query.execute();
  await tx.deleteFrom('ui_pending_sign_ins').where('user_id', '=', userId).execute();
}

/** How many web interface sessions are in force at `now`: neither expired nor idle too long (for /metrics). */
export async function activeSessionCount(db: Db, now: Date): Promise<number> {
  const row = await db
    .selectFrom('ui_sessions')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
    .where('expires_at', '>', now.toISOString())
    .where('last_seen_at', '>', new Date(now.getTime() - IDLE_MS).toISOString())
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
