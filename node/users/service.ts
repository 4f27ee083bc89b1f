// Users and API tokens of this node. Tokens are random, shown once, and stored only as a
// SHA-256 digest; a token acts with its user's role.
import { randomUUID } from 'node:crypto';
import type { Database, Db, Tx } from '../db/database.js';
import { b64u, sha256 } from '../crypto/encoding.js';
import { randomBytes } from '../crypto/aead.js';
import { generatePassword, hashPassword, verifyPassword } from './passwords.js';
import { isGuessablePassword } from './password-strength.js';
import { appendAuditEvent } from '../audit-log/append.js';
import type { AuditActor } from '../audit-log/events.js';
import { newestEntriesOfType } from '../audit-log/entries.js';
import { deleteSessionsOfUser } from './sessions.js';
import { ROLES, worksOnReferrals, type Role } from './roles.js';
import { MAX_API_TOKEN_DAYS } from '../config/config.js';
import { oneLineText, type OneLineProblem } from '../util/one-line.js';

export { ROLES, type Role } from './roles.js';

export interface AuthenticatedUser {
  id: string;
  username: string;
  role: Role;
}

export class UserError extends Error {}

const USERNAME = /^[a-z0-9][a-z0-9._-]{1,63}$/;
const TOKEN_PREFIX = 'rn_';
/**
 * API tokens have no sessions; a token used again after this pause counts as a new login in the
 * audit log (DESIGN.md lists logins), without an entry for every request.
 */
const LOGIN_GAP_MS = 30 * 60_000;
/**
 * A token's last use is written at most this often: a request within it of the last write needs
 * no transaction (an API client sending a referral a second would otherwise add a commit to each).
 * It only ever delays the time recorded, so a pause counts as a login once it exceeds
 * LOGIN_GAP_MS by this much at most.
 */
const LAST_USE_PRECISION_MS = 60_000;
const DAY_MS = 86_400_000;
/** Users and tokens made with the CLI on the node's machine: whoever runs it has the data folder. */
const COMMAND_LINE: AuditActor = { kind: 'system', id: 'command-line' };

/** A display name: what people call the user at work, 1 to 100 characters, no control characters. */
export const MAX_DISPLAY_NAME_LENGTH = 100;

/**
 * The display name as kept (spaces trimmed and runs of them made one), or why it cannot be one.
 * A name is not personal data of a client: it is the organisation's own directory of its staff,
 * like the user name, and is never written in the audit log (pages look it up when they show it).
 */
export function displayNameOf(given: string): { ok: true; name: string } | { ok: false; problem: OneLineProblem } {
  const checked = oneLineText(given, MAX_DISPLAY_NAME_LENGTH);
  return checked.ok ? { ok: true, name: checked.text } : checked;
}

/** A work contact: a phone number or an address at work, 1 to 200 characters on one line. */
export const MAX_WORK_CONTACT_LENGTH = 200;

/**
 * The work contact as kept, or why it cannot be one. Like the display name it is the
 * organisation's own staff directory, never a client's; it is sent to a partner organisation
 * (with the name) when the user is responsible for a referral it sent here (referrals/messages.ts).
 */
export function workContactOf(given: string): { ok: true; contact: string } | { ok: false; problem: OneLineProblem } {
  const checked = oneLineText(given, MAX_WORK_CONTACT_LENGTH);
  return checked.ok ? { ok: true, contact: checked.text } : checked;
}

const WORK_CONTACT_PROBLEMS = {
  empty: 'A work contact cannot be empty.',
  'too-long': `A work contact is at most ${MAX_WORK_CONTACT_LENGTH} characters.`,
  'control-characters': 'A work contact is one line of text, without control characters.',
} as const;

const DISPLAY_NAME_PROBLEMS = {
  empty: 'A display name cannot be empty.',
  'too-long': `A display name is at most ${MAX_DISPLAY_NAME_LENGTH} characters.`,
  'control-characters': 'A display name is one line of text, without control characters.',
} as const;

export async function createUser(
  database: Database,
  input: { username: string; role: Role; password?: string; displayName?: string },
  now: Date,
  actor: AuditActor = COMMAND_LINE,
): Promise<{ user: AuthenticatedUser; password: string }> {
  if (!USERNAME.test(input.username)) {
    throw new UserError('A user name is 2 to 64 lower-case letters, digits, dots, dashes or underscores.');
  }
  if (!ROLES.includes(input.role)) throw new UserError(`A role is one of ${ROLES.join(', ')}.`);
  const displayName = input.displayName === undefined ? undefined : displayNameOf(input.displayName);
  if (displayName && !displayName.ok) throw new UserError(DISPLAY_NAME_PROBLEMS[displayName.problem]);
  const taken = await database.db.selectFrom('users').select('id').where('username', '=', input.username).executeTakeFirst();
  if (taken) throw new UserError(`The user name ${input.username} is taken.`);
  if (input.password !== undefined) {
    const problem = await passwordProblem(input.password, [input.username]);
    if (problem) throw new UserError(PASSWORD_PROBLEMS[problem]);
  }
  const password = input.password ?? (await generatePassword());
  const user = { id: randomUUID(), username: input.username, role: input.role };
  const passwordHash = await hashPassword(password);
  await database.transaction(async (tx) => {
    await tx
      .insertInto('users')
      .values({ ...user, password_hash: passwordHash, created_at: now.toISOString(), disabled_at: null, display_name: displayName?.name ?? null })
      .execute();
    await appendAuditEvent(tx, now, actor, { type: 'user.created', user_id: user.id, role: user.role });
  });
  return { user, password };
}

/** What a new API token is for, and how many days it works (REFERRAL_NODE_API_TOKEN_DAYS by default). */
export interface ApiTokenRequest {
  label: string;
  days: number;
}

export async function createApiToken(database: Database, username: string, request: ApiTokenRequest, now: Date, actor: AuditActor = COMMAND_LINE): Promise<string> {
  if (!Number.isInteger(request.days) || request.days < 1 || request.days > MAX_API_TOKEN_DAYS) {
    throw new UserError(`An API token lasts a whole number of days, from 1 to ${MAX_API_TOKEN_DAYS}.`);
  }
  const user = await database.db.selectFrom('users').select(['id', 'disabled_at']).where('username', '=', username).executeTakeFirst();
  if (!user || user.disabled_at) throw new UserError(`No active user ${username}.`);
  const token = TOKEN_PREFIX + b64u.encode(await randomBytes(32));
  const id = randomUUID();
  const expiresAt = new Date(now.getTime() + request.days * DAY_MS).toISOString();
  await database.transaction(async (tx) => {
    await tx
      .insertInto('api_tokens')
      .values({ id, user_id: user.id, token_digest: digestToken(token), label: request.label, created_at: now.toISOString(), last_used_at: null, expires_at: expiresAt })
      .execute();
    await appendAuditEvent(tx, now, actor, { type: 'user.token-created', user_id: user.id, token_id: id });
  });
  return token;
}

/** An API token as listed: never the token, never its digest. */
export interface ApiTokenListing {
  id: string;
  username: string;
  label: string;
  created_at: string;
  last_used_at: string | null;
  /** When it stops working (it may have already). */
  expires_at: string;
}

/** The API tokens of every user, or of `username`, oldest first. */
export async function listApiTokens(db: Db, username?: string): Promise<ApiTokenListing[]> {
  let query = db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select(['api_tokens.id', 'users.username', 'api_tokens.label', 'api_tokens.created_at', 'api_tokens.last_used_at', 'api_tokens.expires_at'])
    .orderBy('api_tokens.created_at')
    .orderBy('api_tokens.id');
  if (username !== undefined) query = query.where('users.username', '=', username);
  return query.execute();
}

/**
 * Revokes the API token `tokenId` (it stops working at once), with an audit entry; false when
 * there is no such token, or when `ownerId` is given and the token is another user's.
 */
export async function revokeApiToken(database: Database, tokenId: string, now: Date, actor: AuditActor = COMMAND_LINE, ownerId?: string): Promise<boolean> {
  return database.transaction(async (tx) => {
    const token = await tx.selectFrom('api_tokens').select(['id', 'user_id']).where('id', '=', tokenId).executeTakeFirst();
    if (!token || (ownerId !== undefined && token.user_id !== ownerId)) return false;
    await tx.deleteFrom('api_tokens').where('id', '=', tokenId).execute();
    await appendAuditEvent(tx, now, actor, { type: 'user.token-revoked', user_id: token.user_id, token_id: token.id });
    return true;
  });
}

const digestToken = (token: string) => b64u.encode(sha256(token));

export async function authenticateToken(database: Database, token: string, now: Date): Promise<(AuthenticatedUser & { tokenId: string }) | undefined> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
  const digest = digestToken(token);
  const row = await database.db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select(['api_tokens.id as token_id', 'api_tokens.last_used_at', 'api_tokens.expires_at', 'users.id', 'users.username', 'users.role', 'users.disabled_at'])
    .where('api_tokens.token_digest', '=', digest)
    .executeTakeFirst();
  if (!row || row.disabled_at || !(now.getTime() < Date.parse(row.expires_at))) return undefined;
  const sinceLastUse = row.last_used_at === null ? Infinity : now.getTime() - Date.parse(row.last_used_at);
  // Written again after a minute, or when the clock went back (a last use "in the future").
  if (!(sinceLastUse >= 0 && sinceLastUse < LAST_USE_PRECISION_MS)) {
    await database.transaction(async (tx) => {
      await tx.updateTable('api_tokens').set({ last_used_at: now.toISOString() }).where('id', '=', row.token_id).execute();
      if (sinceLastUse > LOGIN_GAP_MS) await appendAuditEvent(tx, now, { kind: 'user', id: row.id }, { type: 'user.login', user_id: row.id, token_id: row.token_id });
    });
  }
  return { id: row.id, username: row.username, role: row.role, tokenId: row.token_id };
}

// Managing accounts from the web interface. Expected refusals (a wrong password, the last
// administrator) are results the page turns into a sentence, not exceptions.

/** The shortest password a user may choose (generated ones are longer). */
export const MIN_PASSWORD_LENGTH = 12;
/** Longer than anyone types; argon2id is not given megabytes to hash. */
export const MAX_PASSWORD_LENGTH = 200;
/** Sign-ins looked at, newest first, to tell each user's last one. */
const SIGN_INS_LOOKED_AT = 5_000;

export interface UserAccount {
  id: string;
  username: string;
  role: Role;
  /** The web interface's language; null: English. */
  language: string | null;
  /** The name people know the user by; null: none given (the user name stands for it). */
  display_name: string | null;
  /** A phone number or address at work that partners may use; null: none given. */
  work_contact: string | null;
  created_at: string;
  disabled_at: string | null;
  /** The last sign-in to the web interface, when the audit log still tells it. */
  last_signed_in_at?: string;
}

const ACCOUNT_COLUMNS = ['id', 'username', 'role', 'language', 'display_name', 'work_contact', 'created_at', 'disabled_at'] as const;

/** How pages name a user: the display name, else the user name. */
export const shownName = (user: { username: string; display_name: string | null }): string => user.display_name ?? user.username;

/** Every user of this node, by name, with their last sign-in to the web interface if known. */
export async function listUsers(db: Db): Promise<UserAccount[]> {
  const users = await db.selectFrom('users').select(ACCOUNT_COLUMNS).orderBy('username').execute();
  const last = await lastSignIns(db);
  return users.map((u) => ({ ...u, ...(last.has(u.id) ? { last_signed_in_at: last.get(u.id)! } : {}) }));
}

/** Each user's last sign-in to the web interface, from the latest sign-ins in the audit log. */
async function lastSignIns(db: Db): Promise<Map<string, string>> {
  const signIns = await newestEntriesOfType(db, 'user.signed-in', SIGN_INS_LOOKED_AT);
  const last = new Map<string, string>();
  for (const row of signIns) {
    const userId = (JSON.parse(row.entry) as { user_id?: unknown }).user_id;
    if (typeof userId === 'string' && !last.has(userId)) last.set(userId, row.at);
  }
  return last;
}

/**
 * Each user's id with the name pages show (shownName), for pages that name who did what (no other
 * detail). `withUserName`: the user name beside a display name, a label no one else can share (anyone
 * may choose any display name), for the audit log's pages, where who acted must be beyond doubt.
 */
export async function userNames(db: Db, options: { withUserName?: boolean } = {}): Promise<Map<string, string>> {
  const rows = await db.selectFrom('users').select(['id', 'username', 'display_name']).execute();
  const label = (row: (typeof rows)[number]) => (options.withUserName && row.display_name ? `${row.display_name} (${row.username})` : shownName(row));
  return new Map(rows.map((row) => [row.id, label(row)]));
}

/** One user, with their last sign-in to the web interface if the audit log still tells it. */
export async function findUser(db: Db, id: string): Promise<UserAccount | undefined> {
  const user = await db.selectFrom('users').select(ACCOUNT_COLUMNS).where('id', '=', id).executeTakeFirst();
  if (!user) return undefined;
  const last = (await lastSignIns(db)).get(id);
  return { ...user, ...(last ? { last_signed_in_at: last } : {}) };
}

export type PasswordProblem = 'too-short' | 'too-long' | 'guessable';

/** What the command line says of each problem (the web interface says it in the user's language). */
const PASSWORD_PROBLEMS: Readonly<Record<PasswordProblem, string>> = {
  'too-short': `A password needs at least ${MIN_PASSWORD_LENGTH} characters.`,
  'too-long': `A password may have at most ${MAX_PASSWORD_LENGTH} characters.`,
  'guessable': 'This password is too easy to guess: it is a common or leaked password, or close to one, or to the user name. A few words that have nothing to do with the person or the organisation are better.',
};

/**
 * Why a password a person chose cannot be used, or undefined when it can: too short, too long, or
 * too easy to guess (password-strength.ts; `userInputs` are the user's names, which it must not be made of).
 */
export async function passwordProblem(password: string, userInputs: readonly string[]): Promise<PasswordProblem | undefined> {
  if ([...password].length < MIN_PASSWORD_LENGTH) return 'too-short';
  if (password.length > MAX_PASSWORD_LENGTH) return 'too-long';
  if (await isGuessablePassword(password, userInputs)) return 'guessable';
  return undefined;
}

export type PasswordChange = 'changed' | 'wrong-password' | PasswordProblem | 'not-found';

/**
 * The user's own password change: the current one must be right. Their other web sessions end
 * (the one with `keepSessionCsrf`, the session making the change, stays).
 */
export async function changeOwnPassword(
  database: Database,
  userId: string,
  passwords: { current: string; next: string },
  now: Date,
  keepSessionCsrf: string,
): Promise<PasswordChange> {
  const user = await database.db.selectFrom('users').select(['username', 'password_hash', 'disabled_at']).where('id', '=', userId).executeTakeFirst();
  if (!user || user.disabled_at) return 'not-found';
  if (!(await verifyPassword(user.password_hash, passwords.current))) return 'wrong-password';
  const problem = await passwordProblem(passwords.next, [user.username]);
  if (problem) return problem;
  const hash = await hashPassword(passwords.next);
  await database.transaction(async (tx) => {
    await tx.updateTable('users').set({ password_hash: hash }).where('id', '=', userId).execute();
    await deleteSessionsOfUser(tx, userId, keepSessionCsrf);
    await appendAuditEvent(tx, now, { kind: 'user', id: userId }, { type: 'user.password-changed', user_id: userId });
  });
  return 'changed';
}

/**
 * An administrator gives the user a new generated password (shown once); all the user's sessions
 * end, and so do their API tokens: a reset is what is done when an account may be in other hands.
 */
export async function resetPassword(database: Database, userId: string, now: Date, actor: AuditActor): Promise<{ password: string } | undefined> {
  const user = await database.db.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
  if (!user) return undefined;
  const password = await generatePassword();
  const hash = await hashPassword(password);
  await database.transaction(async (tx) => {
    await tx.updateTable('users').set({ password_hash: hash }).where('id', '=', userId).execute();
    await deleteSessionsOfUser(tx, userId);
    await revokeTokensOf(tx, userId, now, actor);
    await appendAuditEvent(tx, now, actor, { type: 'user.password-reset', user_id: userId });
  });
  return { password };
}

/** Revokes every API token of the user, inside `tx`, each with its `user.token-revoked` entry. */
async function revokeTokensOf(tx: Tx, userId: string, now: Date, actor: AuditActor): Promise<void> {
  const tokens = await tx.selectFrom('api_tokens').select('id').where('user_id', '=', userId).execute();
  if (tokens.length === 0) return;
  await tx.deleteFrom('api_tokens').where('user_id', '=', userId).execute();
  for (const token of tokens) await appendAuditEvent(tx, now, actor, { type: 'user.token-revoked', user_id: userId, token_id: token.id });
}

export type AccountChange = 'changed' | 'unchanged' | 'last-admin' | 'not-found';

/** Whether taking `userId` out of the active administrators would leave none (inside the transaction). */
async function isLastActiveAdmin(tx: Tx, userId: string): Promise<boolean> {
  const admins = await tx.selectFrom('users').select('id').where('role', '=', 'admin').where('disabled_at', 'is', null).execute();
  return admins.length === 1 && admins[0]!.id === userId;
}

/** A new role for the user; the last active administrator keeps theirs. */
export async function changeRole(database: Database, userId: string, role: Role, now: Date, actor: AuditActor): Promise<AccountChange> {
  if (!ROLES.includes(role)) throw new UserError(`A role is one of ${ROLES.join(', ')}.`);
  return database.transaction(async (tx) => {
    const user = await tx.selectFrom('users').select(['role']).where('id', '=', userId).executeTakeFirst();
    if (!user) return 'not-found';
    if (user.role === role) return 'unchanged';
    if (user.role === 'admin' && (await isLastActiveAdmin(tx, userId))) return 'last-admin';
    await tx.updateTable('users').set({ role }).where('id', '=', userId).execute();
    await appendAuditEvent(tx, now, actor, { type: 'user.role-changed', user_id: userId, role });
    return 'changed';
  });
}

/**
 * Disables (the user's sessions end, her API tokens are revoked: an account disabled because it
 * was in other hands must not get its tokens back when enabled) or enables an account; the last
 * active administrator stays.
 */
export async function setUserDisabled(database: Database, userId: string, disabled: boolean, now: Date, actor: AuditActor): Promise<AccountChange> {
  return database.transaction(async (tx) => {
    const user = await tx.selectFrom('users').select(['disabled_at']).where('id', '=', userId).executeTakeFirst();
    if (!user) return 'not-found';
    if ((user.disabled_at !== null) === disabled) return 'unchanged';
    if (disabled && (await isLastActiveAdmin(tx, userId))) return 'last-admin';
    await tx.updateTable('users').set({ disabled_at: disabled ? now.toISOString() : null }).where('id', '=', userId).execute();
    if (disabled) {
      await deleteSessionsOfUser(tx, userId);
      await revokeTokensOf(tx, userId, now, actor);
    }
    await appendAuditEvent(tx, now, actor, { type: disabled ? 'user.disabled' : 'user.enabled', user_id: userId });
    return 'changed';
  });
}

/** The account `id`'s role and whether it is disabled, read where the caller is (inside its transaction, if any). */
export async function accountState(db: Db | Tx, id: string): Promise<Pick<UserAccount, 'role' | 'disabled_at'> | undefined> {
  return db.selectFrom('users').select(['role', 'disabled_at']).where('id', '=', id).executeTakeFirst();
}

/** The account named `username`, as much as a command acting for its user checks (role, whether disabled). */
export async function findUserByName(db: Db, username: string): Promise<Pick<UserAccount, 'id' | 'role' | 'disabled_at'> | undefined> {
  return db.selectFrom('users').select(['id', 'role', 'disabled_at']).where('username', '=', username).executeTakeFirst();
}

/**
 * Gives the user a display name, or takes it away (null: the user name is shown). Written in the
 * audit log without the name. Refused (UserError) when it cannot be one (displayNameOf).
 */
export async function setDisplayName(database: Database, userId: string, given: string | null, now: Date, actor: AuditActor): Promise<AccountChange> {
  const checked = given === null ? undefined : displayNameOf(given);
  if (checked && !checked.ok) throw new UserError(DISPLAY_NAME_PROBLEMS[checked.problem]);
  const name = checked?.name ?? null;
  return database.transaction(async (tx) => {
    const user = await tx.selectFrom('users').select(['display_name']).where('id', '=', userId).executeTakeFirst();
    if (!user) return 'not-found';
    if (user.display_name === name) return 'unchanged';
    await tx.updateTable('users').set({ display_name: name }).where('id', '=', userId).execute();
    await appendAuditEvent(tx, now, actor, { type: 'user.display-name-changed', user_id: userId });
    return 'changed';
  });
}

/**
 * Gives the user a work contact, or takes it away (null). Written in the audit log without the
 * contact. Refused (UserError) when it cannot be one (workContactOf).
 */
export async function setWorkContact(database: Database, userId: string, given: string | null, now: Date, actor: AuditActor): Promise<AccountChange> {
  const checked = given === null ? undefined : workContactOf(given);
  if (checked && !checked.ok) throw new UserError(WORK_CONTACT_PROBLEMS[checked.problem]);
  const contact = checked?.contact ?? null;
  return database.transaction(async (tx) => {
    const user = await tx.selectFrom('users').select(['work_contact']).where('id', '=', userId).executeTakeFirst();
    if (!user) return 'not-found';
    if (user.work_contact === contact) return 'unchanged';
    await tx.updateTable('users').set({ work_contact: contact }).where('id', '=', userId).execute();
    await appendAuditEvent(tx, now, actor, { type: 'user.work-contact-changed', user_id: userId });
    return 'changed';
  });
}

/**
 * The user as a partner organisation is told of her (spec/federation.yaml ResponsibleCaseworker):
 * her display name, and her work contact if any. Undefined (nobody named) for a user without a
 * display name (her user name is half of her sign-in: it is never sent), or who can no longer
 * work on referrals (disabled, or an auditor now).
 */
export async function responsibleCaseworkerOf(db: Db | Tx, userId: string): Promise<{ name: string; contact?: string } | undefined> {
  const user = await db.selectFrom('users').select(['role', 'disabled_at', 'display_name', 'work_contact']).where('id', '=', userId).executeTakeFirst();
  if (!user?.display_name || !worksOnReferrals(user)) return undefined;
  return { name: user.display_name, ...(user.work_contact ? { contact: user.work_contact } : {}) };
}

/** The web interface's language the user chose (a code the interface speaks: the caller checks it). */
export async function setUserLanguage(db: Db, userId: string, language: string): Promise<void> {
  await db.updateTable('users').set({ language }).where('id', '=', userId).execute();
}
