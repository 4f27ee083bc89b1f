// Service tokens already used, so a captured token cannot be replayed while it is still valid.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('service_token_uses')
    .addColumn('iss', 'text', (c) => c.notNull())
    .addColumn('jti', 'text', (c) => c.notNull())
    .addColumn('exp', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('service_token_uses_pk', ['iss', 'jti'])
    .execute();
  await db.schema.createIndex('service_token_uses_by_exp').on('service_token_uses').column('exp').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('service_token_uses').execute();
}
