// The sign-in throttle's counters (users/sign-in-guard.ts): failed sign-ins per account and per
// client address, and the waits and locks they led to, shared by every process of the node and
// kept across restarts. The columns are rate-limiter-flexible's own (key, points, expire in ms);
// the keys are keyed digests, never a name or an address.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('sign_in_limits')
    .addColumn('key', 'varchar(255)', (col) => col.primaryKey())
    .addColumn('points', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('expire', 'bigint')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sign_in_limits').execute();
}
