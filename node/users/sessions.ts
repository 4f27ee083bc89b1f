// Sign-ins to the web interface (ui_sessions). A session is known by a random token that only the
// browser holds; the node keeps its SHA-256 alone, so a copy of the database signs no one in. A
// session ends after 8 hours, or after an hour without use, at sign-out, or when the user's
// password changes or the account is disabled. Cookies and forms are the interface's business.
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
}

const newToken = () => b64u.encode(randomBytes(32));
const digestOf = (token: string) => b64u.encode(sha256(utf8.encode(token)));

/** What came of a sign-in attempt: the user, or why not (a wrong name or password: one answer for both). */
export type SignInOutcome =
  | { ok: true; user: SessionUser }
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
  await guard.succeeded(username);
  return { ok: true, user: { id: user.id, username: user.username, role: user.role, language: user.language } };
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
    .where('ui_sessions.token_digest', '=', digestOf(token))
    .executeTakeFirst();
  const at = now.getTime();
  if (!row || row.disabled_at || Date.parse(row.expires_at) <= at || Date.parse(row.last_seen_at) + IDLE_MS <= at) {
    if (row) await db.deleteFrom('ui_sessions').where('token_digest', '=', row.token_digest).execute();
    return undefined;
  }
  await db.updateTable('ui_sessions').set({ last_seen_at: now.toISOString() }).where('token_digest', '=', row.token_digest).execute();
  return { user: { id: row.id, username: row.username, role: row.role, language: row.language }, csrf: row.csrf };
}

/** Signs the user out of the session of this token (in the audit log). */
export async function deleteSession(database: Database, token: string, userId: string, now: Date): Promise<void> {
  await database.transaction(async (tx) => {
    await tx.deleteFrom('ui_sessions').where('token_digest', '=', digestOf(token)).execute();
    await appendAuditEvent(tx, now, { kind: 'user', id: userId }, { type: 'user.signed-out', user_id: userId });
  });
}

/** Ends the user's sessions, all of them or all but the one with the CSRF token `keepCsrf`, inside the caller's transaction. */
export async function deleteSessionsOfUser(tx: Tx, userId: string, keepCsrf?: string): Promise<void> {
  let query = tx.deleteFrom('ui_sessions').where('user_id', '=', userId);
  if (keepCsrf !== undefined) query = query.where('csrf', '!=', keepCsrf);
  await query.execute();
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
