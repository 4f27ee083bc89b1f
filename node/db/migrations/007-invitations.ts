// Invitations: a one-time, expiring code by which another organisation's node becomes a trusted
// peer without comparing fingerprints by hand. Only the SHA-256 digest of each secret is kept, so
// a copy of the database cannot be used to redeem an open invitation.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('invitations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    // base64url(SHA-256(secret bytes)); the secret itself is only in the code handed out once.
    .addColumn('secret_digest', 'text', (c) => c.notNull())
    // The user who created it; null when it was made with the CLI on the node's machine.
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text')
    .addColumn('used_at', 'text')
    // The node id of the organisation that redeemed it, and the signing key pinned for it.
    .addColumn('used_by', 'text')
    .addColumn('used_kid', 'text')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('invitations').execute();
}
