// The key revocation statements held: this node's own (served in its identity document) and its
// peers' (the evidence a peer was revoked for, and why a key is never pinned again). The form of
// a statement is identity/revocation.ts; this module owns the table.
import type { Db, Tx } from '../db/database.js';
import type { KeyRevocationsTable } from '../db/schema.js';

/** Keeps a statement; a second one about the same key (received twice) leaves the first. */
export async function recordKeyRevocation(tx: Tx, revocation: KeyRevocationsTable): Promise<void> {
  await tx.insertInto('key_revocations').values(revocation).onConflict((oc) => oc.column('kid').doNothing()).execute();
}

/** The kids of `nodeId`'s keys declared compromised. */
export async function revokedKidsOf(db: Db | Tx, nodeId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('key_revocations').select('kid').where('node_id', '=', nodeId).execute();
  return new Set(rows.map((r) => r.kid));
}

/** `nodeId`'s revoked keys with when each stopped being trustworthy, oldest first. */
export async function revokedKeysOf(db: Db, nodeId: string): Promise<Array<{ kid: string; revoked_at: string }>> {
  return db.selectFrom('key_revocations').select(['kid', 'revoked_at']).where('node_id', '=', nodeId).orderBy('revoked_at').execute();
}
