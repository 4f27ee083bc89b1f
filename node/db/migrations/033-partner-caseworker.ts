// Whom the partner can call, and how it files the case (issue 18 item 3): a user's work contact
// (a phone number or address at work, sent to the partner beside her name when she is responsible
// for a referral received) and, on a referral, the partner organisation's own case reference
// (sent with referral.accept and referral.handover: a code of the organisation, not about the person).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('work_contact', 'text').execute();
  await db.schema.alterTable('referrals').addColumn('partner_case_ref', 'text').execute();
  // A search may name the partner's reference (referrals/search.ts).
  await db.schema.createIndex('referrals_by_partner_case_ref').on('referrals').column('partner_case_ref').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('referrals_by_partner_case_ref').execute();
  await db.schema.alterTable('referrals').dropColumn('partner_case_ref').execute();
  await db.schema.alterTable('users').dropColumn('work_contact').execute();
}
