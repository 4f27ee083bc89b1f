// Key rotation: when each of the node's keys stopped being the current one, and when its private
// half was destroyed (the public half stays, for signatures and the historical keys).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('node_keys').addColumn('retired_at', 'text').execute();
  await db.schema.alterTable('node_keys').addColumn('destroyed_at', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('node_keys').dropColumn('destroyed_at').execute();
  await db.schema.alterTable('node_keys').dropColumn('retired_at').execute();
}
