// Whom a referral is about, as the lists show her (issue 18 item 1): a pseudonym the caseworker
// chose, else her initials where her consent covered her identity (the offer carries her name only
// then), else nothing. Both are read from encrypted payloads for the page only and never kept in
// the clear: the pseudonym is a payload of this node's own (`local.pseudonym`), never sent to
// anyone, erased with the referral's other payloads, and not written to the audit log or the logs.
import type { NodeContext } from '../context.js';
import { DomainError } from '../errors.js';
import { oneLineText } from '../util/one-line.js';
import { noSuchReferral, OFFER } from './lifecycle.js';
import type { ReferralOfferBody } from './offer.js';
import { erasePayloadsOfKind, readPayload, storePayload } from './payload-store.js';
import { findReferral } from './state.js';

export const PSEUDONYM = 'local.pseudonym';
export const MAX_PSEUDONYM_LENGTH = 60;

/** The pseudonym as kept (trimmed, runs of spaces made one), or why it cannot be one. */
export const pseudonymOf = (given: string) => oneLineText(given, MAX_PSEUDONYM_LENGTH);

/** Gives the referral a pseudonym, or takes it away (null). Refused once her data was erased here. */
export async function setPseudonym(ctx: NodeContext, referralId: string, given: string | null): Promise<void> {
  const checked = given === null ? undefined : pseudonymOf(given);
  if (checked && !checked.ok) throw new DomainError(422, 'invalid-request', 'Invalid pseudonym', `A pseudonym is one line of 1 to ${MAX_PSEUDONYM_LENGTH} characters.`);
  const now = ctx.clock.now();
  await ctx.database.transaction(async (tx) => {
    const referral = await findReferral(tx, referralId);
    if (!referral) throw noSuchReferral();
    if (referral.erased_at) throw new DomainError(409, 'illegal-transition', 'Erased', 'Her data was erased here: nothing about her is kept any more, not even a pseudonym.');
    await erasePayloadsOfKind(tx, referralId, PSEUDONYM, now);
    if (checked?.ok) await storePayload(tx, ctx.dataKeys, { referralId, kind: PSEUDONYM, content: { pseudonym: checked.text }, now });
  });
}

/** The pseudonym the caseworker chose, if any. */
export async function pseudonymFor(ctx: NodeContext, referralId: string): Promise<string | undefined> {
  return (await readPayload<{ pseudonym: string }>(ctx.database.db, ctx.dataKeys, referralId, PSEUDONYM))?.pseudonym;
}

/** Her initials from the offer ("A. P."), when it carries her name. */
export function initialsOf(offer: Pick<ReferralOfferBody, 'client'> | undefined): string | undefined {
  const identity = offer?.client.identity;
  const names = [identity?.given_name, identity?.family_name].filter((n): n is string => typeof n === 'string' && n.trim() !== '');
  if (names.length === 0) return undefined;
  return names.map((name) => `${[...name.trim()][0]!.toLocaleUpperCase()}.`).join(' ');
}

/** How the lists name her: the pseudonym, else her initials, else nothing. */
export async function whoFor(ctx: NodeContext, referralId: string, offer: Pick<ReferralOfferBody, 'client'> | undefined): Promise<string | undefined> {
  return (await pseudonymFor(ctx, referralId)) ?? initialsOf(offer);
}

/** How the lists name each of the referrals `ids` (those with neither pseudonym nor initials are left out). */
export async function whoOfReferrals(ctx: NodeContext, ids: readonly string[]): Promise<Map<string, string>> {
  const named = new Map<string, string>();
  for (const id of ids) {
    const offer = await readPayload<ReferralOfferBody>(ctx.database.db, ctx.dataKeys, id, OFFER);
    const who = await whoFor(ctx, id, offer);
    if (who) named.set(id, who);
  }
  return named;
}
