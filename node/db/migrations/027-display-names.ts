// The name people know a user by (issue 18 item 7): the timeline, the audit log's pages and
// assignment show it instead of an id. Optional: a user without one is shown by user name.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('display_name', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('display_name').execute();
}
