// Several processes on one database (`serve --role web|worker|all`): each process that delivers
// or runs periodic jobs registers itself and says it is alive every few seconds
// (node_processes); an envelope's lease names the process that holds it (lease_owner), so a
// worker releases only its own leases and those of processes that stopped saying they are alive;
// and each periodic job is claimed by one process at a time (job_leases), so it runs once across
// the processes. No personal data in any of it.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('envelopes').addColumn('lease_owner', 'text').execute();
  await db.schema
    .createTable('node_processes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('seen_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('job_leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('claimed_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('job_leases').execute();
  await db.schema.dropTable('node_processes').execute();
  await db.schema.alterTable('envelopes').dropColumn('lease_owner').execute();
}
