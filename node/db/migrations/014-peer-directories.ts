// The trusted peers' directories this node holds (directory/sync.ts): the signed document as
// received, its services for matching, and when it was fetched and last checked.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('peer_directories')
    .addColumn('peer_id', 'text', (c) => c.primaryKey())
    .addColumn('jws', 'text')
    .addColumn('etag', 'text')
    .addColumn('iat', 'integer')
    .addColumn('exp', 'integer')
    .addColumn('services', 'text')
    .addColumn('fetched_at', 'text')
    .addColumn('checked_at', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    // Grows with every directory kept: matching rebuilds its index when the sum changes.
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('peer_directories').execute();
}
