// Users and API tokens of this node. Tokens are random, shown once, and stored only as a
// SHA-256 digest; a token acts with its user's role.
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/database.js';
import type { UsersTable } from '../db/schema.js';
import { b64u, sha256 } from '../crypto/encoding.js';
import { randomBytes } from '../crypto/aead.js';
import { generatePassword, hashPassword } from './passwords.js';
import { appendAuditEvent } from '../audit-log/append.js';
import type { AuditActor } from '../audit-log/events.js';

export type Role = UsersTable['role'];
export const ROLES: readonly Role[] = ['admin', 'caseworker', 'auditor'];

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
/** Users and tokens made with the CLI on the node's machine: whoever runs it has the data folder. */
const COMMAND_LINE: AuditActor = { kind: 'system', id: 'command-line' };

export async function createUser(
  db: Db,
  input: { username: string; role: Role; password?: string },
  now: Date,
  actor: AuditActor = COMMAND_LINE,
): Promise<{ user: AuthenticatedUser; password: string }> {
  if (!USERNAME.test(input.username)) {
    throw new UserError('A user name is 2 to 64 lower-case letters, digits, dots, dashes or underscores.');
  }
  if (!ROLES.includes(input.role)) throw new UserError(`A role is one of ${ROLES.join(', ')}.`);
  const taken = await db.selectFrom('users').select('id').where('username', '=', input.username).executeTakeFirst();
  if (taken) throw new UserError(`The user name ${input.username} is taken.`);
  const password = input.password ?? (await generatePassword());
  const user = { id: randomUUID(), username: input.username, role: input.role };
  const passwordHash = await hashPassword(password);
  await db.transaction().execute(async (tx) => {
    await tx.insertInto('users').values({ ...user, password_hash: passwordHash, created_at: now.toISOString(), disabled_at: null }).execute();
    await appendAuditEvent(tx, now, actor, { type: 'user.created', user_id: user.id, role: user.role });
  });
  return { user, password };
}

export async function createApiToken(db: Db, username: string, label: string, now: Date, actor: AuditActor = COMMAND_LINE): Promise<string> {
  const user = await db.selectFrom('users').select(['id', 'disabled_at']).where('username', '=', username).executeTakeFirst();
  if (!user || user.disabled_at) throw new UserError(`No active user ${username}.`);
  const token = TOKEN_PREFIX + b64u.encode(await randomBytes(32));
  const id = randomUUID();
  await db.transaction().execute(async (tx) => {
    await tx
      .insertInto('api_tokens')
      .values({ id, user_id: user.id, token_digest: digestToken(token), label, created_at: now.toISOString(), last_used_at: null })
      .execute();
    await appendAuditEvent(tx, now, actor, { type: 'user.token-created', user_id: user.id, token_id: id });
  });
  return token;
}

const digestToken = (token: string) => b64u.encode(sha256(token));

export async function authenticateToken(db: Db, token: string, now: Date): Promise<AuthenticatedUser | undefined> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
  const digest = digestToken(token);
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select(['api_tokens.id as token_id', 'api_tokens.last_used_at', 'users.id', 'users.username', 'users.role', 'users.disabled_at'])
    .where('api_tokens.token_digest', '=', digest)
    .executeTakeFirst();
  if (!row || row.disabled_at) return undefined;
  const session = row.last_used_at === null || Date.parse(row.last_used_at) < now.getTime() - LOGIN_GAP_MS;
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('api_tokens').set({ last_used_at: now.toISOString() }).where('id', '=', row.token_id).execute();
    if (session) await appendAuditEvent(tx, now, { kind: 'user', id: row.id }, { type: 'user.login', user_id: row.id, token_id: row.token_id });
  });
  return { id: row.id, username: row.username, role: row.role };
}
