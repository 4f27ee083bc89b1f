// The roles a user of this node has (what each may do: admin-ui/README.md). Apart from the
// service so that the command line can offer them without loading it.
import type { UsersTable } from '../db/schema.js';

export type Role = UsersTable['role'];
export const ROLES: readonly Role[] = ['admin', 'caseworker', 'auditor'];
