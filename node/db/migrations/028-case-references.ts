// Each referral gets a case reference of this node's own (issue 18 item 1): short and readable,
// `GR-2026-0042`, the node's country, the year the referral was made here and its number in that
// year. The numbers come from `case_counters`, one row a year, counted up by the transaction that
// makes the referral (transactions write one at a time: no two referrals get one number). The
// referrals held already are numbered in the order they were made.
import { sql, type Kysely } from 'kysely';
import { caseReference } from '../../referrals/case-reference.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('case_counters')
    .addColumn('year', 'integer', (c) => c.primaryKey())
    .addColumn('last', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('referrals').addColumn('case_ref', 'text').execute();
  await numberHeldReferrals(db);
  await db.schema.createIndex('referrals_by_case_ref').on('referrals').column('case_ref').unique().execute();
}

/** Numbers the referrals held, year by year in the order they were made, and sets each year's counter. */
export async function numberHeldReferrals(db: Kysely<unknown>): Promise<void> {
  const node = await sql<{ country: string }>`select country from node_settings where id = 1`.execute(db);
  const country = (node.rows[0]?.country ?? 'XX').toUpperCase();
  const held = await sql<{ id: string; created_at: string }>`select id, created_at from referrals order by created_at, id`.execute(db);
  const last = new Map<number, number>();
  for (const row of held.rows) {
    const year = new Date(row.created_at).getUTCFullYear();
    const number = (last.get(year) ?? 0) + 1;
    last.set(year, number);
    await sql`update referrals set case_ref = ${caseReference(country, year, number)} where id = ${row.id}`.execute(db);
  }
  for (const [year, number] of last) await sql`insert into case_counters (year, last) values (${year}, ${number})`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('referrals_by_case_ref').execute();
  await db.schema.alterTable('referrals').dropColumn('case_ref').execute();
  await db.schema.dropTable('case_counters').execute();
}
