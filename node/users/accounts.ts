// What other concerns need to know of several accounts at once, without their names: each one's
// role, whether it is disabled, and the language she reads (the notification e-mails are written
// in it). Reads only; users/service.ts writes the table.
import type { Db } from '../db/database.js';
import { REFERRAL_ROLES, type Role } from './roles.js';

export interface AccountFacts {
  role: Role;
  disabled: boolean;
  /** The web interface's language she chose; null: none (English). */
  language: string | null;
}

/** The accounts `ids` that exist, by id. */
export async function accountFacts(db: Db, ids: readonly string[]): Promise<Map<string, AccountFacts>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('users').select(['id', 'role', 'disabled_at', 'language']).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, { role: r.role, disabled: r.disabled_at !== null, language: r.language }]));
}

/** The users who can be responsible for a referral now: active caseworkers and administrators. */
export async function usersWorkingOnReferrals(db: Db): Promise<Set<string>> {
  const rows = await db.selectFrom('users').select('id').where('disabled_at', 'is', null).where('role', 'in', REFERRAL_ROLES).execute();
  return new Set(rows.map((row) => row.id));
}
