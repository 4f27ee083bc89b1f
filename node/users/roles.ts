// The roles a user of this node has (what each may do: admin-ui/README.md). Apart from the
// service so that the command line can offer them without loading it.
import type { UsersTable } from '../db/schema.js';

export type Role = UsersTable['role'];
export const ROLES: readonly Role[] = ['admin', 'caseworker', 'auditor'];

/** The roles that work on referrals: who may be responsible for one, and is told what happens to it. */
export const REFERRAL_ROLES: readonly Role[] = ['admin', 'caseworker'];

/** Whether the account can work on referrals now: one of REFERRAL_ROLES, not disabled. */
export const worksOnReferrals = (account: { role: Role; disabled_at: string | null } | undefined): boolean =>
  account !== undefined && account.disabled_at === null && REFERRAL_ROLES.includes(account.role);
