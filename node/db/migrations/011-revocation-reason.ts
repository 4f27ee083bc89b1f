// Why a peer was revoked: a key revoked because it was compromised is never pinned again, even
// through an invitation; a partner that left may come back with the same key.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('peers').addColumn('revocation_reason', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('peers').dropColumn('revocation_reason').execute();
}
