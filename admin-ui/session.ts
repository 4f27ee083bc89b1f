// Signing in to the web interface. A session is a random token in an HttpOnly, SameSite=Strict
// cookie (Secure over https) whose SHA-256 alone is stored; it ends after 8 hours, or after an
// hour without use, or at sign-out. Every form carries the session's CSRF token, checked in
// constant time; the sign-in form, before there is a session, a token of its own in a cookie
// (double submit).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Db } from '../node/db/database.js';
import { b64u, sha256, utf8 } from '../node/crypto/encoding.js';
import { hashPassword, verifyPassword } from '../node/users/passwords.js';
import { appendAuditEvent } from '../node/audit-log/append.js';
import { isLanguage, type Language } from './i18n/catalogue.js';

export const SESSION_COOKIE = 'refnet_session';
export const SIGN_IN_COOKIE = 'refnet_sign_in';
const LIFETIME_MS = 8 * 60 * 60_000;
const IDLE_MS = 60 * 60_000;

export interface UiUser {
  id: string;
  username: string;
  role: 'admin' | 'caseworker' | 'auditor';
  language: Language;
}

export interface Session {
  user: UiUser;
  csrf: string;
}

const token = () => b64u.encode(randomBytes(32));
const digest = (value: string) => b64u.encode(sha256(utf8.encode(value)));

/**
 * Cookies are Secure when the request came over https, or when the node's public address (its
 * node id) is https: behind a proxy that ends TLS the request reaches the node as http, and the
 * cookie must still never travel in the clear.
 */
function cookieOptions(c: Context, maxAgeSeconds: number, publicHttps: boolean) {
  const secure = publicHttps || new URL(c.req.url).protocol === 'https:';
  return { httpOnly: true, sameSite: 'Strict' as const, secure, path: '/ui', maxAge: maxAgeSeconds };
}

export function sameToken(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = utf8.encode(given);
  const b = utf8.encode(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The sign-in form's token, set in its cookie as the form is shown. */
export function signInToken(c: Context, publicHttps: boolean): string {
  const value = getCookie(c, SIGN_IN_COOKIE) ?? token();
  setCookie(c, SIGN_IN_COOKIE, value, cookieOptions(c, 60 * 60, publicHttps));
  return value;
}

export function signInTokenMatches(c: Context, given: unknown): boolean {
  const expected = getCookie(c, SIGN_IN_COOKIE);
  return expected !== undefined && sameToken(given, expected);
}

/** The user if the name and password are right (and the account not disabled); the same answer otherwise. */
export async function checkCredentials(db: Db, username: string, password: string): Promise<UiUser | undefined> {
  const user = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  // A wrong name costs an argon2id verification too, so that timing does not tell names apart.
  const ok = await verifyPassword(user?.password_hash ?? (await dummyHash()), password);
  if (!user || !ok || user.disabled_at) return undefined;
  return { id: user.id, username: user.username, role: user.role, language: isLanguage(user.language) ? user.language : 'en' };
}

/** A real argon2id hash of a random password no one knows, for the wrong-name path. */
let dummy: Promise<string> | undefined;
const dummyHash = () => (dummy ??= hashPassword(token()));

export async function startSession(c: Context, db: Db, user: UiUser, now: Date, publicHttps: boolean): Promise<void> {
  // Sessions left to expire (never signed out of) are cleared as new ones begin.
  await db
    .deleteFrom('ui_sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now.toISOString()), eb('last_seen_at', '<=', new Date(now.getTime() - IDLE_MS).toISOString())]))
    .execute();
  const value = token();
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('ui_sessions')
      .values({
        token_digest: digest(value), user_id: user.id, csrf: token(), created_at: now.toISOString(),
        expires_at: new Date(now.getTime() + LIFETIME_MS).toISOString(), last_seen_at: now.toISOString(),
      })
      .execute();
    await appendAuditEvent(tx, now, { kind: 'user', id: user.id }, { type: 'user.signed-in', user_id: user.id });
  });
  setCookie(c, SESSION_COOKIE, value, cookieOptions(c, LIFETIME_MS / 1000, publicHttps));
  deleteCookie(c, SIGN_IN_COOKIE, { path: '/ui' });
}

/** The session of the request's cookie, if it is one and still valid (its use is recorded). */
export async function currentSession(c: Context, db: Db, now: Date): Promise<Session | undefined> {
  const value = getCookie(c, SESSION_COOKIE);
  if (!value) return undefined;
  const row = await db
    .selectFrom('ui_sessions')
    .innerJoin('users', 'users.id', 'ui_sessions.user_id')
    .select(['ui_sessions.token_digest', 'ui_sessions.csrf', 'ui_sessions.expires_at', 'ui_sessions.last_seen_at'])
    .select(['users.id', 'users.username', 'users.role', 'users.language', 'users.disabled_at'])
    .where('ui_sessions.token_digest', '=', digest(value))
    .executeTakeFirst();
  const at = now.getTime();
  if (!row || row.disabled_at || Date.parse(row.expires_at) <= at || Date.parse(row.last_seen_at) + IDLE_MS <= at) {
    if (row) await db.deleteFrom('ui_sessions').where('token_digest', '=', row.token_digest).execute();
    return undefined;
  }
  await db.updateTable('ui_sessions').set({ last_seen_at: now.toISOString() }).where('token_digest', '=', row.token_digest).execute();
  return { user: { id: row.id, username: row.username, role: row.role, language: isLanguage(row.language) ? row.language : 'en' }, csrf: row.csrf };
}

export async function endSession(c: Context, db: Db, user: UiUser, now: Date): Promise<void> {
  const value = getCookie(c, SESSION_COOKIE);
  if (value) {
    await db.transaction().execute(async (tx) => {
      await tx.deleteFrom('ui_sessions').where('token_digest', '=', digest(value)).execute();
      await appendAuditEvent(tx, now, { kind: 'user', id: user.id }, { type: 'user.signed-out', user_id: user.id });
    });
  }
  deleteCookie(c, SESSION_COOKIE, { path: '/ui' });
}
