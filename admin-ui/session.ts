// Signing in to the web interface, as far as HTTP goes: a session (node/users/sessions.ts keeps
// them) is a random token in an HttpOnly, SameSite=Strict cookie (Secure over https). Every form carries the session's CSRF token, checked in
// constant time; the sign-in form, before there is a session, a token of its own in a cookie
// (double submit). A user with a second factor is between the two in a pending sign-in after her
// password: a token of its own in a cookie of five minutes, which opens only the code's form.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { NodeContext } from '../node/context.js';
import { b64u, utf8 } from '../node/crypto/encoding.js';
import {
  checkCredentials as checkUserCredentials,
  createPendingSignIn,
  createSession,
  deletePendingSignIn,
  deleteSession,
  findPendingSignIn,
  PENDING_SIGN_IN_MS,
  resumeSession,
  SESSION_LIFETIME_MS,
  type SessionUser,
  type SignInOutcome,
} from '../node/users/sessions.js';
import { isLanguage, type Language } from './i18n/catalogue.js';

export const SESSION_COOKIE = 'refnet_session';
export const SIGN_IN_COOKIE = 'refnet_sign_in';
export const PENDING_COOKIE = 'refnet_pending_sign_in';

export interface UiUser {
  id: string;
  username: string;
  role: 'admin' | 'caseworker' | 'auditor';
  language: Language;
}

export interface Session {
  user: UiUser;
  csrf: string;
  /** Whether the user has a second factor in force. */
  secondFactor: boolean;
}

/** A sign-in waiting for the second factor's code: whose, and the code form's token. */
export interface PendingSignIn {
  user: UiUser;
  csrf: string;
}

const token = () => b64u.encode(randomBytes(32));

/** A language the interface does not speak (or none chosen) is shown in English. */
const uiUser = (user: SessionUser): UiUser => ({ ...user, language: isLanguage(user.language) ? user.language : 'en' });

/**
 * Cookies are Secure when the request came over https, or when the node's public address (its
 * node id) is https: behind a proxy that ends TLS the request reaches the node as http, and the
 * cookie must still never travel in the clear.
 */
function cookieOptions(c: Context, maxAgeSeconds: number, publicHttps: boolean) {
  const secure = publicHttps || new URL(c.req.url).protocol === 'https:';
  return { httpOnly: true, sameSite: 'Strict' as const, secure, path: '/ui', maxAge: maxAgeSeconds };
}

/**
 * A notice for the page a redirect goes to (Post/Redirect/Get): that page's path and the catalogue
 * key of what was done, kept in a cookie for a minute and taken when that page is shown, so that
 * reloading it, or its address kept in a bookmark or the history, does not say it again. Another
 * page shown meanwhile (another tab, a redirect to the second factor) leaves it alone.
 */
const NOTICE_COOKIE = 'refnet_notice';

export function leaveNotice(c: Context, path: string, key: string, publicHttps: boolean): void {
  setCookie(c, NOTICE_COOKIE, `${key} ${new URL(path, 'http://ui.invalid').pathname}`, cookieOptions(c, 60, publicHttps));
}

/** The notice left for this page, if any; taken, so that it is shown once. */
export function takeNotice(c: Context): string | undefined {
  const [key, path] = (getCookie(c, NOTICE_COOKIE) ?? '').split(' ');
  if (!key || path !== c.req.path) return undefined;
  deleteCookie(c, NOTICE_COOKIE, { path: '/ui' });
  return key;
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

/**
 * The user if the name and password are right (and the account not disabled); the same answer
 * otherwise; or the wait or lock of the sign-in throttle, when the attempt was not checked.
 */
export async function checkCredentials(
  ctx: NodeContext,
  attempt: { username: string; password: string; address: string },
): Promise<{ ok: true; user: UiUser; secondFactor: boolean } | Exclude<SignInOutcome, { ok: true }>> {
  const outcome = await checkUserCredentials(ctx.database.db, ctx.throttles.signIn, attempt, ctx.clock.now());
  return outcome.ok ? { ok: true, user: uiUser(outcome.user), secondFactor: outcome.secondFactor } : outcome;
}

export async function startSession(c: Context, ctx: NodeContext, user: UiUser, publicHttps: boolean): Promise<void> {
  const value = await createSession(ctx.database, user.id, ctx.clock.now());
  setCookie(c, SESSION_COOKIE, value, cookieOptions(c, SESSION_LIFETIME_MS / 1000, publicHttps));
  deleteCookie(c, SIGN_IN_COOKIE, { path: '/ui' });
}

/** After the right password of a user with a second factor: the pending sign-in and its cookie. */
export async function startPendingSignIn(c: Context, ctx: NodeContext, user: UiUser, publicHttps: boolean): Promise<void> {
  const { token: value } = await createPendingSignIn(ctx.database, user.id, ctx.clock.now());
  setCookie(c, PENDING_COOKIE, value, cookieOptions(c, PENDING_SIGN_IN_MS / 1000, publicHttps));
  deleteCookie(c, SIGN_IN_COOKIE, { path: '/ui' });
}

/** The pending sign-in of the request's cookie, if it is one and still valid. */
export async function currentPendingSignIn(c: Context, ctx: NodeContext): Promise<PendingSignIn | undefined> {
  const value = getCookie(c, PENDING_COOKIE);
  if (!value) return undefined;
  const pending = await findPendingSignIn(ctx.database.db, value, ctx.clock.now());
  return pending ? { user: uiUser(pending.user), csrf: pending.csrf } : undefined;
}

/** Ends the pending sign-in of the request's cookie (the code was right, or it is given up); false when it had ended already. */
export async function endPendingSignIn(c: Context, ctx: NodeContext): Promise<boolean> {
  const value = getCookie(c, PENDING_COOKIE);
  deleteCookie(c, PENDING_COOKIE, { path: '/ui' });
  return value ? deletePendingSignIn(ctx.database.db, value) : false;
}

/** The session of the request's cookie, if it is one and still valid (its use is recorded). */
export async function currentSession(c: Context, ctx: NodeContext): Promise<Session | undefined> {
  const value = getCookie(c, SESSION_COOKIE);
  if (!value) return undefined;
  const session = await resumeSession(ctx.database.db, value, ctx.clock.now());
  return session ? { user: uiUser(session.user), csrf: session.csrf, secondFactor: session.secondFactor } : undefined;
}

export async function endSession(c: Context, ctx: NodeContext, user: UiUser): Promise<void> {
  const value = getCookie(c, SESSION_COOKIE);
  if (value) await deleteSession(ctx.database, value, user.id, ctx.clock.now());
  deleteCookie(c, SESSION_COOKIE, { path: '/ui' });
}
