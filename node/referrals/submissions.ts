// A new-referral form sent once only. The flow's first step gives the form a random submission
// id (a hidden field, carried to Send); on Send the node keeps the SHA-256 of that id with the
// referral it made. The same form sent again (the browser's Back, then Send) finds it and leads
// to that referral instead of making a second one. Nothing about the woman is kept, and the id
// itself is only in the form; rows older than 7 days are deleted as new ones are written.
//
// The row is written (without a referral) before the referral is made, so that two sends at the
// same moment cannot both make one; it is given the referral's id after, or deleted when the
// referral could not be made (the caseworker may try again).
import { randomBytes } from 'node:crypto';
import type { NodeContext } from '../context.js';
import { b64u, sha256, utf8 } from '../crypto/encoding.js';

const KEPT_MS = 7 * 86_400_000;
/** A send under way longer than this has failed without cleaning up (the node stopped): it no longer blocks the form. */
const STALE_MS = 5 * 60_000;
const ID = /^[0-9a-f]{32}$/;

export const newSubmissionId = (): string => randomBytes(16).toString('hex');
export const isSubmissionId = (value: string): boolean => ID.test(value);
const digestOf = (id: string) => b64u.encode(sha256(utf8.encode(id)));

export type Reservation =
  | { state: 'new'; digest: string }
  | { state: 'sent'; referralId: string }
  | { state: 'sending' };

/** Takes the submission id for this send, or says what became of the send that took it before. */
export async function reserveSubmission(ctx: NodeContext, id: string): Promise<Reservation> {
  const now = ctx.clock.now();
  const digest = digestOf(id);
  return ctx.database.transaction(async (tx) => {
    await tx.deleteFrom('referral_submissions').where('created_at', '<', new Date(now.getTime() - KEPT_MS).toISOString()).execute();
    await tx
      .deleteFrom('referral_submissions')
      .where('digest', '=', digest)
      .where('referral_id', 'is', null)
      .where('created_at', '<', new Date(now.getTime() - STALE_MS).toISOString())
      .execute();
    const existing = await tx.selectFrom('referral_submissions').select('referral_id').where('digest', '=', digest).executeTakeFirst();
    if (existing) return existing.referral_id ? { state: 'sent', referralId: existing.referral_id } : { state: 'sending' };
    await tx.insertInto('referral_submissions').values({ digest, referral_id: null, created_at: now.toISOString() }).execute();
    return { state: 'new', digest };
  });
}

/** The referral the reserved send made. */
export async function recordSubmission(ctx: NodeContext, digest: string, referralId: string): Promise<void> {
  await ctx.database.db.updateTable('referral_submissions').set({ referral_id: referralId }).where('digest', '=', digest).execute();
}

/** The reserved send made nothing: the form may be sent again. */
export async function releaseSubmission(ctx: NodeContext, digest: string): Promise<void> {
  await ctx.database.db.deleteFrom('referral_submissions').where('digest', '=', digest).where('referral_id', 'is', null).execute();
}

/** The referral a send of this submission id already made, if one did. */
export async function submittedBefore(ctx: NodeContext, id: string): Promise<string | undefined> {
  if (!isSubmissionId(id)) return undefined;
  const row = await ctx.database.db.selectFrom('referral_submissions').select('referral_id').where('digest', '=', digestOf(id)).executeTakeFirst();
  return row?.referral_id ?? undefined;
}
