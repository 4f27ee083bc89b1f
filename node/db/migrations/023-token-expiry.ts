// API tokens end (issue 17): each has an expiry, chosen when it is made. Tokens made before this
// version get one 90 days after the upgrade, not after their creation: an integration that has run
// for a year is not cut off by the upgrade itself, and its administrator has the time to replace it.
import { sql, type Kysely } from 'kysely';

/** The lifetime given to tokens that existed before expiries did. */
const EXISTING_TOKENS_DAYS = 90;

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('api_tokens').addColumn('expires_at', 'text').execute();
  const expiresAt = new Date(Date.now() + EXISTING_TOKENS_DAYS * 86_400_000).toISOString();
  await sql`UPDATE api_tokens SET expires_at = ${expiresAt}`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('api_tokens').dropColumn('expires_at').execute();
}
