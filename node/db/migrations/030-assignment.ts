// Each referral's responsible caseworker at this node (issue 18 item 3): the creator of a referral
// sent, nobody yet for one received; assigned, taken and handed over on the referral's page
// (referrals/assignment.ts). The referrals sent before are their creators'.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('referrals').addColumn('assignee_id', 'text').execute();
  await assignCreators(db);
}

/** Each referral sent is its creator's; those received are nobody's yet. */
export async function assignCreators(db: Kysely<unknown>): Promise<void> {
  await sql`update referrals set assignee_id = created_by where direction = 'outgoing'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('referrals').dropColumn('assignee_id').execute();
}
