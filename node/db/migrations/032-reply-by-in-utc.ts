// Reply-by times in UTC (issue 18 item 1): kept as toISOString writes them, whatever offset they
// came with, so that the lists' SQL (referrals/attention.ts) compares them as text with the other
// times the node keeps. The referrals held before are rewritten so.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await replyByInUtc(db);
}

export async function replyByInUtc(db: Kysely<unknown>): Promise<void> {
  const held = await sql<{ id: string; reply_by: string }>`select id, reply_by from referrals where reply_by is not null`.execute(db);
  for (const row of held.rows) {
    const parsed = new Date(row.reply_by);
    if (Number.isNaN(parsed.getTime()) || parsed.toISOString() === row.reply_by) continue;
    await sql`update referrals set reply_by = ${parsed.toISOString()} where id = ${row.id}`.execute(db);
  }
}

export async function down(): Promise<void> {
  // The offsets are not kept: the times stay the same instants, written in UTC.
}
