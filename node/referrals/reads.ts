// Unread marks, per user (issue 18 item 1): a referral changed since the user last opened it is new
// to her. Opening the referral's page marks it read for her; a later change (a message, a step)
// makes it new again. The lists show the mark, and the overview lists what changed since.
import type { Db, Tx } from '../db/database.js';
import { preparedStatement } from '../db/prepared.js';

const markRead = preparedStatement((db, v: { userId: string; referralId: string; at: string }) =>
  db
    .insertInto('referral_reads')
    .values({ user_id: v.userId, referral_id: v.referralId, read_at: v.at })
    .onConflict((oc) => oc.columns(['user_id', 'referral_id']).doUpdateSet({ read_at: v.at })),
);

/** The user has seen the referral as it was at `at` (its updated_at then). */
export async function markReferralRead(tx: Tx, userId: string, referralId: string, at: Date): Promise<void> {
  await markRead.execute(tx, { userId, referralId, at: at.toISOString() });
}

/** Of `referrals`, those the user has not seen since they last changed (never opened, or changed after). */
export async function unreadAmong(db: Db, userId: string, referrals: ReadonlyArray<{ id: string; updated_at: string }>): Promise<Set<string>> {
  if (referrals.length === 0) return new Set();
  const reads = await db
    .selectFrom('referral_reads')
    .select(['referral_id', 'read_at'])
    .where('user_id', '=', userId)
    .where('referral_id', 'in', referrals.map((r) => r.id))
    .execute();
  const readAt = new Map(reads.map((r) => [r.referral_id, r.read_at]));
  return new Set(referrals.filter((r) => { const at = readAt.get(r.id); return at === undefined || at < r.updated_at; }).map((r) => r.id));
}

/** The referrals changed since the user last opened them, the latest change first (at most `limit`). */
export async function changedSinceRead(db: Db, userId: string, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('referrals')
    .leftJoin('referral_reads', (join) => join.onRef('referral_reads.referral_id', '=', 'referrals.id').on('referral_reads.user_id', '=', userId))
    .select('referrals.id')
    .where((eb) => eb.or([eb('referral_reads.read_at', 'is', null), eb('referral_reads.read_at', '<', eb.ref('referrals.updated_at'))]))
    .orderBy('referrals.updated_at', 'desc')
    .orderBy('referrals.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}
