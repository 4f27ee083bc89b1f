// Finding a woman's referral while her data stays encrypted (issue 18 item 2). Names, her date of
// birth and phone numbers are kept only inside encrypted payloads; beside them, keyed blind
// indexes (as CipherSweet does): each normalised token of a name (accents, case and order
// ignored), the date of birth and the phone number's last nine digits, hashed with HMAC-SHA-256
// under a key of its own derived from the KEK (`search-index-v1`) and truncated to TOKEN_BITS, so
// that in a large table each token stands for several people. A search hashes the words it is
// given the same way, takes the referrals that hold all of them, opens each one's data and keeps
// only those that really match (the truncation's false positives go there). A case reference is
// looked up as it is (it is no personal data).
//
// The index follows the referrals without touching the paths that write them (receiving stays as
// lean as it is): a referral changed since it was last indexed (its updated_at) is indexed again
// before a search answers, from its offer and the further details given in answers; erasure and
// retention remove its tokens in the transaction that erases its data. What a stolen database
// reveals: docs/decisions.md, "Search over encrypted data".
import { createHmac } from 'node:crypto';
import type { NodeContext } from '../context.js';
import type { components as Fed } from '../../spec/generated/federation.js';
import { CASE_REFERENCE } from './case-reference.js';
import { OFFER } from './lifecycle.js';
import type { ReferralOfferBody } from './offer.js';
import { readPayload, readPayloadsOfKinds } from './payload-store.js';
import { initialsOf } from './pseudonym.js';
import { referralsWithAll, replaceTokens, staleReferrals, type SearchField } from './search-tokens.js';
import { findReferralByCaseRef, findReferral, findReferralsByPartnerCaseRef, type Referral } from './state.js';
import type { EventDetails } from './timeline.js';

type ClientData = Fed['schemas']['ClientData'];

/** Bits kept of each keyed hash: 65,536 buckets, so that among tens of thousands of names each token stands for several. */
export const TOKEN_BITS = 16;
/** Referrals indexed again before one search answers, at most (the rest before the next). */
const REINDEX_BATCH = 5_000;
/** Referrals opened to confirm a search, at most: a search that finds more asks for more words. */
export const MAX_CANDIDATES = 200;
const INFO_RESPONSE = 'event:referral.info-response';

/** Letters without accents, in lower case; words of two letters or more, each once. */
export function nameWords(text: string): string[] {
  const plain = text.normalize('NFKD').replace(/\p{M}/gu, '').toLocaleLowerCase('en');
  return [...new Set(plain.split(/[^\p{L}\p{N}]+/u).filter((word) => [...word].length >= 2))];
}

/** The last nine digits of a phone number (country codes and leading zeros left out), or undefined when it has fewer than six. */
export function phoneDigits(text: string): string | undefined {
  const digits = text.replace(/\D/g, '');
  return digits.length >= 6 ? digits.slice(-9) : undefined;
}

/** A date written 2001-03-14, 14.03.2001, 14/03/2001 or 14-03-2001, as 2001-03-14. */
export function dayOf(text: string): string | undefined {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const european = /^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$/.exec(text);
  const [y, m, d] = iso ? [iso[1]!, iso[2]!, iso[3]!] : european ? [european[3]!, european[2]!.padStart(2, '0'), european[1]!.padStart(2, '0')] : [];
  if (!y || !m || !d) return undefined;
  const day = `${y}-${m}-${d}`;
  return new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) === day ? day : undefined;
}

/** The keyed, truncated hash of one normalised value. */
function blind(ctx: Pick<NodeContext, 'kek'>, field: SearchField, value: string): string {
  const bytes = Math.ceil(TOKEN_BITS / 8);
  return createHmac('sha256', ctx.kek.derive('search-index-v1')).update(`${field}\0${value}`).digest().subarray(0, bytes).toString('hex');
}

/** What can be searched of her data, in the clear (for the page only; never stored). */
interface Findable {
  names: Set<string>;
  dob: Set<string>;
  phones: Set<string>;
}

function findableIn(clients: ReadonlyArray<ClientData | undefined>): Findable {
  const found: Findable = { names: new Set(), dob: new Set(), phones: new Set() };
  for (const client of clients) {
    const identity = client?.identity;
    for (const part of [identity?.given_name, identity?.family_name]) if (part) for (const word of nameWords(part)) found.names.add(word);
    if (identity?.date_of_birth) found.dob.add(identity.date_of_birth);
    const phone = client?.contact?.phone ? phoneDigits(client.contact.phone) : undefined;
    if (phone) found.phones.add(phone);
  }
  return found;
}

/** Her data as this node holds it: the offer's client, and what answers to questions added. */
async function findableOf(ctx: NodeContext, referralId: string): Promise<Findable & { initials?: string | undefined }> {
  const offer = await readPayload<ReferralOfferBody>(ctx.database.db, ctx.dataKeys, referralId, OFFER);
  const answers = await readPayloadsOfKinds<EventDetails>(ctx.database.db, ctx.dataKeys, referralId, [INFO_RESPONSE]);
  // Her initials come from the offer opened here: the results page need not open it again.
  return { ...findableIn([offer?.client, ...answers.map((a) => a.client)]), initials: initialsOf(offer) };
}

/** Indexes again every referral changed since it was last indexed, batch after batch. Returns how many. */
export async function refreshSearchIndex(ctx: NodeContext): Promise<number> {
  const now = ctx.clock.now();
  // Now and then every referral is looked at, not only those changed lately (staleReferrals).
  const everywhere = now.getTime() - (lastFullLook.get(ctx) ?? Number.NEGATIVE_INFINITY) >= FULL_LOOK_EVERY_MS;
  let indexed = 0;
  for (;;) {
    const batch = await refreshBatch(ctx, now, everywhere);
    indexed += batch;
    if (batch < REINDEX_BATCH) break;
  }
  if (everywhere) lastFullLook.set(ctx, now.getTime());
  return indexed;
}

/** How often a search's indexing looks at every referral (a few tens of milliseconds at 100,000), in case a node's clock was set back. */
const FULL_LOOK_EVERY_MS = 60 * 60_000;
const lastFullLook = new WeakMap<NodeContext, number>();

/** Referrals indexed in one transaction: opened and hashed before it, written by it in one commit. */
const REINDEX_COMMIT = 500;

async function refreshBatch(ctx: NodeContext, now: Date, everywhere: boolean): Promise<number> {
  const stale = await staleReferrals(ctx.database.db, REINDEX_BATCH, now, everywhere);
  for (let start = 0; start < stale.length; start += REINDEX_COMMIT) {
    const indexed: Array<{ referral: { id: string; updated_at: string }; tokens: Array<{ field: SearchField; token: string }> }> = [];
    for (const referral of stale.slice(start, start + REINDEX_COMMIT)) {
      const found = await findableOf(ctx, referral.id);
      const tokens = [
        ...[...found.names].map((word) => ({ field: 'name' as const, token: blind(ctx, 'name', word) })),
        ...[...found.dob].map((day) => ({ field: 'dob' as const, token: blind(ctx, 'dob', day) })),
        ...[...found.phones].map((phone) => ({ field: 'phone' as const, token: blind(ctx, 'phone', phone) })),
      ];
      indexed.push({ referral, tokens });
    }
    // Each referral checked again inside (replaceTokens): one erased or changed meanwhile is not written back.
    await ctx.database.transaction(async (tx) => {
      for (const { referral, tokens } of indexed) await replaceTokens(tx, referral.id, tokens, referral.updated_at);
    });
  }
  return stale.length;
}

/** A referral found, with the consent it rests on (a search leads to both). */
export interface SearchHit {
  id: string;
  consentId?: string | undefined;
  /** Her initials, when the offer carries her name (read to confirm the match; for the page only). */
  initials?: string | undefined;
}

export type SearchOutcome = { ok: true; hits: SearchHit[] } | { ok: false; reason: 'too-short' | 'too-long' | 'too-many' };

const hitOf = (referral: Referral): SearchHit => ({ id: referral.id, ...(referral.consent_id ? { consentId: referral.consent_id } : {}) });

/** A partner organisation's case reference (spec/federation.yaml CaseReference) with a letter and a digit. */
const PARTNER_REFERENCE = /^(?=.*[A-Za-z])(?=.*\d)[A-Za-z0-9]([A-Za-z0-9./_-]{0,38}[A-Za-z0-9])?$/;

/** Longer than any name, date, number or case reference. */
export const MAX_QUERY_LENGTH = 200;

/**
 * The referrals whose data matches `query`: a case reference; a date of birth; a phone number; or
 * name words, all of which her name holds (in any order). Newest first.
 */
export async function searchReferrals(ctx: NodeContext, query: string): Promise<SearchOutcome> {
  const text = query.trim();
  if (text.length > MAX_QUERY_LENGTH) return { ok: false, reason: 'too-long' };
  if (CASE_REFERENCE.test(text.toUpperCase())) {
    const referral = await findReferralByCaseRef(ctx.database.db, text.toUpperCase());
    if (referral) return { ok: true, hits: [hitOf(referral)] };
  }
  const day = dayOf(text);
  // A partner's reference, in whatever form it gives them (letters and digits together: no name,
  // date or phone number looks so), as it sent it or in capitals.
  if (!day && PARTNER_REFERENCE.test(text)) {
    const found = await findReferralsByPartnerCaseRef(ctx.database.db, text);
    const hits = found.length > 0 || text === text.toUpperCase() ? found : await findReferralsByPartnerCaseRef(ctx.database.db, text.toUpperCase());
    if (hits.length > 0 || CASE_REFERENCE.test(text.toUpperCase())) return { ok: true, hits: hits.map(hitOf) };
  }
  const phone = day ? undefined : /^[+\d\s().-]+$/.test(text) ? phoneDigits(text) : undefined;
  const words = day || phone ? [] : nameWords(text);
  if (!day && !phone && words.length === 0) return { ok: false, reason: 'too-short' };
  // Checked before anything is written: the index is brought up to date only for a search that runs.
  await refreshSearchIndex(ctx);
  const field: SearchField = day ? 'dob' : phone ? 'phone' : 'name';
  const values = day ? [day] : phone ? [phone] : words;
  const candidates = await referralsWithAll(ctx.database.db, field, values.map((v) => blind(ctx, field, v)));
  if (candidates.length > MAX_CANDIDATES) return { ok: false, reason: 'too-many' };
  const matching: Array<{ referral: Referral; initials: string | undefined }> = [];
  for (const id of candidates) {
    // Opened to confirm: a truncated token stands for several values.
    const found = await findableOf(ctx, id);
    const held = field === 'dob' ? found.dob : field === 'phone' ? found.phones : found.names;
    if (!values.every((v) => held.has(v))) continue;
    const referral = await findReferral(ctx.database.db, id);
    if (referral) matching.push({ referral, initials: found.initials });
  }
  matching.sort((a, b) => (a.referral.updated_at < b.referral.updated_at ? 1 : a.referral.updated_at > b.referral.updated_at ? -1 : 0));
  return { ok: true, hits: matching.map(({ referral, initials }) => ({ ...hitOf(referral), ...(initials ? { initials } : {}) })) };
}
