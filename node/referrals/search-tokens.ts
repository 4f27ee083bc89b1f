// The search index's tables (referrals/search.ts says what is in them): each referral's blind
// tokens, and when it was last indexed. The only writer of `search_tokens` and `search_indexed`.
import type { Db, Tx } from '../db/database.js';

export type SearchField = 'name' | 'dob' | 'phone';

/**
 * The referral's tokens from now on, found in its data as it was at `indexedAt` (its updated_at
 * then). Checked again here, inside the transaction: a referral erased since has no tokens (an
 * erasure that committed meanwhile is not undone), and one changed since is left for the next
 * indexing.
 */
export async function replaceTokens(tx: Tx, referralId: string, tokens: ReadonlyArray<{ field: SearchField; token: string }>, indexedAt: string): Promise<void> {
  const now = await tx.selectFrom('referrals').select(['updated_at', 'erased_at']).where('id', '=', referralId).executeTakeFirst();
  if (!now || (now.updated_at !== indexedAt && !now.erased_at)) return;
  await tx.deleteFrom('search_tokens').where('referral_id', '=', referralId).execute();
  if (tokens.length > 0 && !now.erased_at) {
    await tx.insertInto('search_tokens').values(tokens.map((t) => ({ referral_id: referralId, field: t.field, token: t.token }))).execute();
  }
  await tx
    .insertInto('search_indexed')
    .values({ referral_id: referralId, indexed_at: now.updated_at })
    .onConflict((oc) => oc.column('referral_id').doUpdateSet({ indexed_at: now.updated_at }))
    .execute();
}

/** Her tokens go with her data (erasure, retention): inside the transaction that erases it. */
export async function forgetTokens(tx: Tx, referralId: string): Promise<void> {
  await tx.deleteFrom('search_tokens').where('referral_id', '=', referralId).execute();
  // Nothing of her is left to index: no mark is kept either.
  await tx.deleteFrom('search_indexed').where('referral_id', '=', referralId).execute();
}

/**
 * How far before the latest change indexed the look for stale referrals begins: longer than any
 * transaction that changes a referral, so that one committed after a later one was indexed (its
 * updated_at the earlier) is still found.
 */
const STALE_MARGIN_MS = 10 * 60_000;

/**
 * The referrals changed since they were last indexed (or never indexed), oldest change first, at
 * most `limit`. Unless `everywhere`, looked for among those changed since the latest change
 * indexed (less the margin; never later than `now`, should a clock have run ahead), through the
 * index on updated_at, not over every referral: a search over a large table must not read it
 * whole. Indexing in this order keeps that right after an indexing that stopped half-way (a
 * crash): what is left is newer than what was done. What a clock set back by more than the margin
 * would hide from it, the look `everywhere` finds (search.ts runs one now and then).
 */
export async function staleReferrals(db: Db, limit: number, now: Date, everywhere = false): Promise<Array<{ id: string; updated_at: string }>> {
  const latest = everywhere ? undefined : await db.selectFrom('search_indexed').select((eb) => eb.fn.max('indexed_at').as('at')).executeTakeFirst();
  const since = latest?.at ? new Date(Math.min(Date.parse(latest.at), now.getTime()) - STALE_MARGIN_MS).toISOString() : undefined;
  let query = db
    .selectFrom('referrals')
    .leftJoin('search_indexed', 'search_indexed.referral_id', 'referrals.id')
    .select(['referrals.id', 'referrals.updated_at'])
    .where((eb) => eb.or([eb('search_indexed.indexed_at', 'is', null), eb('search_indexed.indexed_at', '<', eb.ref('referrals.updated_at'))]));
  if (since) query = query.where('referrals.updated_at', '>=', since);
  return query.orderBy('referrals.updated_at').orderBy('referrals.id').limit(limit).execute();
}

/** The referrals that hold every one of `tokens` in `field`. */
export async function referralsWithAll(db: Db, field: SearchField, tokens: readonly string[]): Promise<string[]> {
  const distinct = [...new Set(tokens)];
  if (distinct.length === 0) return [];
  const rows = await db
    .selectFrom('search_tokens')
    .select('referral_id')
    .where('field', '=', field)
    .where('token', 'in', distinct)
    .groupBy('referral_id')
    .having((eb) => eb.fn.count<number>('token').distinct(), '=', distinct.length)
    .execute();
  return rows.map((r) => r.referral_id);
}
