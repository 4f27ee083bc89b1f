// The referral state: the only writer of the `referrals` table. Every change of a referral's state
// or sequence numbers goes through a function here, whether it comes from a person's action, a
// peer's message, a withdrawal, an erasure, the expiry rule or the delivery worker's receipt, and
// each is checked against the lifecycle table (lifecycle.ts) before it is written. Callers check
// the same table earlier to refuse with their own words; the check here is the one that holds.
import { sql, type Insertable, type Selectable } from 'kysely';
import type { Db, Tx } from '../db/database.js';
import { preparedStatement } from '../db/prepared.js';
import { nextCaseReference } from './case-reference.js';
import type { ReferralsTable } from '../db/schema.js';
import { DomainError } from '../errors.js';
import {
  AWAITING_ANSWER,
  CLOSED_STATES,
  erasureNextState,
  nextState,
  OFFER_AFTER_INQUIRY,
  partyOf,
  type ErasureMessage,
  type LifecycleMessage,
  type Party,
  type ReferralState,
} from './lifecycle.js';

export type Referral = Selectable<ReferralsTable>;

/** A referral as it is first recorded: its timestamps are the moment given, and nothing is erased yet. */
export type NewReferral = Omit<Insertable<ReferralsTable>, 'created_at' | 'updated_at' | 'erased_at' | 'erasure_reason' | 'case_ref' | 'assignee_id'>;

/** What the peer has sent for its referrals (both directions), kept here: the stored-bytes quota's measure (quotas.ts). */
export async function storedBytesFromPeer(db: Db | Tx, peerId: string): Promise<number> {
  const row = await db
    .selectFrom('referrals')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('peer_bytes'), eb.lit(0)).as('bytes'))
    .where('peer_id', '=', peerId)
    .executeTakeFirstOrThrow();
  return Number(row.bytes);
}

/** What an offer sets on a referral that began as an inquiry. */
export interface OfferTerms {
  urgency: string;
  replyBy: string | null;
  consentId: string;
}

export const changedMeanwhile = (): DomainError =>
  new DomainError(409, 'illegal-transition', 'Changed meanwhile', 'The referral changed while this was being made; reload it and try again.');

/** Callers check the table before this; reaching it means a caller skipped that check. */
function notAllowed(referral: Pick<Referral, 'id' | 'state'>, cause: string): DomainError {
  return new DomainError(409, 'illegal-transition', 'Not possible in this state', `${cause} is not possible while referral ${referral.id} is ${referral.state}.`);
}

const peerPartyOf = (referral: Pick<Referral, 'direction'>): Party => (partyOf(referral.direction) === 'sender' ? 'receiver' : 'sender');

// Reads: inside node/referrals/ only, and for other concerns the functions below.

export async function findReferral(db: Db | Tx, id: string): Promise<Referral | undefined> {
  return referralById.first(db, { id });
}

const referralById = preparedStatement((db, v: { id: string }) => db.selectFrom('referrals').selectAll().where('id', '=', v.id));

/** Of the referrals `ids`, those this node holds: with whom and which way (pages that name a referral by what it is). */
export async function referralPartners(db: Db | Tx, ids: readonly string[]): Promise<Map<string, { direction: 'incoming' | 'outgoing'; peerId: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('referrals').select(['id', 'direction', 'peer_id']).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, { direction: r.direction, peerId: r.peer_id }]));
}

/** The referral with this case reference, if this node holds it. */
export async function findReferralByCaseRef(db: Db | Tx, caseRef: string): Promise<Referral | undefined> {
  return db.selectFrom('referrals').selectAll().where('case_ref', '=', caseRef).executeTakeFirst();
}

/** The referrals the partner organisation files under `caseRef` (its reference as it sent it), newest first. */
export async function findReferralsByPartnerCaseRef(db: Db | Tx, caseRef: string): Promise<Referral[]> {
  return db.selectFrom('referrals').selectAll().where('partner_case_ref', '=', caseRef).orderBy('updated_at', 'desc').execute();
}

/** The referral `id` made with `peerId`: a peer's message about anyone else's referral finds nothing. */
export async function findReferralWith(db: Db | Tx, id: string, peerId: string): Promise<Referral | undefined> {
  return referralWithPeer.first(db, { id, peerId });
}

const referralWithPeer = preparedStatement((db, v: { id: string; peerId: string }) =>
  db.selectFrom('referrals').selectAll().where('id', '=', v.id).where('peer_id', '=', v.peerId),
);

/** The referrals made under a consent record, oldest first. */
export async function referralsUnderConsent(db: Db | Tx, consentId: string): Promise<Referral[]> {
  return db.selectFrom('referrals').selectAll().where('consent_id', '=', consentId).orderBy('created_at').execute();
}

/** Outgoing referrals under a consent to any of `peerIds` that are not withdrawn yet. */
export async function referralsToWithdraw(tx: Tx, consentId: string, peerIds: readonly string[]): Promise<Referral[]> {
  if (peerIds.length === 0) return [];
  return tx
    .selectFrom('referrals')
    .selectAll()
    .where('consent_id', '=', consentId)
    .where('direction', '=', 'outgoing')
    .where('peer_id', 'in', peerIds)
    .where('state', '!=', 'consent-withdrawn')
    .execute();
}

/** The referrals this node made to pass a received one on (refer-onward) that are not withdrawn yet. */
export async function onwardReferralsToWithdraw(tx: Tx, parentId: string): Promise<Referral[]> {
  return tx
    .selectFrom('referrals')
    .selectAll()
    .where('parent_referral_id', '=', parentId)
    .where('direction', '=', 'outgoing')
    .where('state', '!=', 'consent-withdrawn')
    .execute();
}

/** Referrals past their reply-by date still waiting for an answer. */
export async function overdueReferrals(db: Db, now: Date): Promise<Array<Pick<Referral, 'id' | 'state'>>> {
  return db
    .selectFrom('referrals')
    .select(['id', 'state'])
    .where('state', 'in', AWAITING_ANSWER)
    .where('reply_by', 'is not', null)
    .where('reply_by', '<=', now.toISOString())
    .execute();
}

/** Closed referrals last changed before `cutoff` whose data is still held, oldest first, leaving out `except`. */
export async function closedUnerasedBefore(db: Db, cutoff: string, except: ReadonlySet<string>, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('referrals')
    .select('id')
    .where('erased_at', 'is', null)
    .where('state', 'in', CLOSED_STATES)
    .where('updated_at', '<', cutoff)
    .$if(except.size > 0, (q) => q.where('id', 'not in', [...except]))
    .orderBy('updated_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** Of `consentIds`, those some referral still holds data under. */
export async function consentsWithUnerasedReferrals(db: Db, consentIds: readonly string[]): Promise<Set<string>> {
  if (consentIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('referrals')
    .select('consent_id')
    .distinct()
    .where('consent_id', 'in', consentIds)
    .where('erased_at', 'is', null)
    .execute();
  return new Set(rows.map((r) => r.consent_id!));
}

// Writes.

/** How many referrals `peerId` sent here that are still open, and how many it sent since `since` (the referrals_by_peer index). */
export async function incomingFromPeer(db: Db | Tx, peerId: string, since: Date): Promise<{ open: number; recent: number }> {
  const row = await db
    .selectFrom('referrals')
    .select((eb) => [
      eb.fn.countAll<number>().filterWhere('state', 'not in', CLOSED_STATES).as('open'),
      eb.fn.countAll<number>().filterWhere('created_at', '>=', since.toISOString()).as('recent'),
    ])
    .where('peer_id', '=', peerId)
    .where('direction', '=', 'incoming')
    .executeTakeFirstOrThrow();
  return { open: Number(row.open), recent: Number(row.recent) };
}

/**
 * A reply-by time as kept: in UTC, as toISOString writes it, whatever offset it came with (RFC 3339
 * allows any), so that it compares as text with the other times the node keeps (attention.ts).
 */
export function inUtc(time: string | null): string | null {
  if (time === null) return null;
  const parsed = new Date(time);
  return Number.isNaN(parsed.getTime()) ? time : parsed.toISOString();
}

/** The user responsible for the referral here (null: nobody); with `changedAt`, a change like any other (updated_at). */
export async function setAssignee(tx: Tx, referralId: string, assignee: string | null, changedAt: Date | undefined): Promise<void> {
  await tx
    .updateTable('referrals')
    .set({ assignee_id: assignee, ...(changedAt ? { updated_at: changedAt.toISOString() } : {}) })
    .where('id', '=', referralId)
    .execute();
}

/** The partner organisation's own case reference for the referral, as it last sent it. */
export async function setPartnerCaseReference(tx: Tx, referralId: string, caseReference: string): Promise<void> {
  await tx.updateTable('referrals').set({ partner_case_ref: caseReference }).where('id', '=', referralId).execute();
}

/** Makes the referral's row, with this node's next case reference (`country`: this node's) and its responsible caseworker. */
export async function createReferralRecord(tx: Tx, country: string, referral: NewReferral, now: Date): Promise<void> {
  const at = now.toISOString();
  const caseRef = await nextCaseReference(tx, country, now);
  // The creator of a referral sent is responsible for it; one received waits for someone to take it.
  const assignee = referral.direction === 'outgoing' ? (referral.created_by ?? null) : null;
  await tx
    .insertInto('referrals')
    .values({ ...referral, reply_by: inUtc(referral.reply_by ?? null), case_ref: caseRef, assignee_id: assignee, created_at: at, updated_at: at })
    .execute();
}

/**
 * Moves the referral from the state it was read in; false when it was changed since (by another
 * request, or the CLI in another process). With `localSeq`, our message numbered so must be the
 * next one of ours.
 */
async function move(
  tx: Tx,
  referral: Pick<Referral, 'id' | 'state'>,
  change: { state: ReferralState; localSeq?: number; peer?: PeerMessage; terms?: OfferTerms },
  now: Date,
): Promise<boolean> {
  let update = tx
    .updateTable('referrals')
    .set({
      state: change.state,
      ...(change.localSeq !== undefined ? { local_seq: change.localSeq } : {}),
      // An erased referral keeps none of the peer's bytes, whatever arrives after (a withdrawal, an erasure receipt).
      ...(change.peer ? { peer_seq: change.peer.seq, peer_bytes: sql<number>`case when erased_at is null then peer_bytes + ${change.peer.bytes} else 0 end` } : {}),
      ...(change.terms ? { urgency: change.terms.urgency, reply_by: inUtc(change.terms.replyBy), consent_id: change.terms.consentId } : {}),
      updated_at: now.toISOString(),
    })
    .where('id', '=', referral.id)
    .where('state', '=', referral.state);
  if (change.localSeq !== undefined) update = update.where('local_seq', '=', change.localSeq - 1);
  const result = await update.executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Our lifecycle message number `seq` (see messages.ts, onward.ts); returns the state it leads to, or undefined when the referral changed since it was read. */
export async function applyOwnLifecycleMessage(tx: Tx, referral: Referral, message: LifecycleMessage, seq: number, now: Date): Promise<ReferralState | undefined> {
  const to = nextState(message, partyOf(referral.direction), referral.state as ReferralState);
  if (!to) throw notAllowed(referral, message);
  return (await move(tx, referral, { state: to, localSeq: seq }, now)) ? to : undefined;
}

/**
 * A message of the peer's applied to a referral: its seq (the last applied from the peer), and
 * the bytes it sent (its JWS), which count in the peer's stored-bytes quota (quotas.ts).
 */
export interface PeerMessage {
  seq: number;
  bytes: number;
}

/** The peer's message an envelope carries, as a referral records it. */
export const peerMessageOf = (envelope: { header: { seq: number }; jws: string }): PeerMessage => ({ seq: envelope.header.seq, bytes: envelope.jws.length });

/**
 * The peer's lifecycle message, applied from `current`: the state read, or for an answer made in
 * time the state before this side expired the referral. Returns the new state.
 */
export async function applyPeerLifecycleMessage(
  tx: Tx,
  referral: Referral,
  message: LifecycleMessage,
  peer: PeerMessage,
  current: ReferralState,
  now: Date,
): Promise<ReferralState> {
  const to = nextState(message, peerPartyOf(referral), current);
  if (!to) throw notAllowed(referral, message);
  if (!(await move(tx, referral, { state: to, peer }, now))) throw changedMeanwhile();
  return to;
}

/** The peer's consent.withdraw or erasure.receipt; returns the new state. */
export async function applyPeerErasureMessage(tx: Tx, referral: Referral, message: ErasureMessage, peer: PeerMessage, now: Date): Promise<ReferralState> {
  const to = erasureNextState(message, peerPartyOf(referral), referral.state as ReferralState);
  if (!to) throw notAllowed(referral, message);
  if (!(await move(tx, referral, { state: to, peer }, now))) throw changedMeanwhile();
  return to;
}

/**
 * We withdrew the consent of an outgoing referral: it is consent-withdrawn, and `seq` is our
 * consent.withdraw, or the last seq as it was when nothing reached the peer and nothing was sent.
 */
export async function withdrawOwnReferral(tx: Tx, referral: Referral, seq: number, now: Date): Promise<void> {
  // A draft never left, so the table's rule for the message is not needed for it.
  const to = referral.state === 'draft' ? 'consent-withdrawn' : erasureNextState('consent.withdraw', 'sender', referral.state as ReferralState);
  if (!to || referral.direction !== 'outgoing') throw notAllowed(referral, 'consent.withdraw');
  const applied = await move(tx, referral, { state: to, ...(seq !== referral.local_seq ? { localSeq: seq } : {}) }, now);
  if (!applied) throw changedMeanwhile();
}

/** Our erasure.receipt number `seq` for an incoming referral whose data we erased; the state stays. */
export async function recordOwnErasureReceipt(tx: Tx, referral: Referral, seq: number, now: Date): Promise<void> {
  const to = erasureNextState('erasure.receipt', 'receiver', referral.state as ReferralState);
  if (!to || referral.direction !== 'incoming') throw notAllowed(referral, 'erasure.receipt');
  if (!(await move(tx, referral, { state: to, localSeq: seq }, now))) throw changedMeanwhile();
}

/** Our offer, message `seq`: a draft sent, or the offer after an answered inquiry (with its terms). False when the referral changed since it was read. */
export async function applyOwnOffer(tx: Tx, referral: Referral, seq: number, now: Date, terms?: OfferTerms): Promise<boolean> {
  const from = terms ? OFFER_AFTER_INQUIRY : 'draft';
  if (referral.direction !== 'outgoing' || referral.state !== from) throw notAllowed(referral, 'referral.offer');
  return move(tx, referral, { state: 'sent', localSeq: seq, ...(terms ? { terms } : {}) }, now);
}

/** The peer's offer after the inquiry we answered. */
export async function applyPeerOfferAfterInquiry(tx: Tx, referral: Referral, peer: PeerMessage, terms: OfferTerms, now: Date): Promise<void> {
  if (referral.direction !== 'incoming' || referral.state !== OFFER_AFTER_INQUIRY) throw notAllowed(referral, 'referral.offer');
  if (!(await move(tx, referral, { state: 'delivered', peer, terms }, now))) throw changedMeanwhile();
}

/** The receipt for our offer: a referral still `sent` is `delivered`; returns whether it moved (a reply may have overtaken the receipt). */
export async function applyOfferReceipt(tx: Tx, referralId: string, now: Date): Promise<boolean> {
  return move(tx, { id: referralId, state: 'sent' }, { state: 'delivered' }, now);
}

/** The reply-by date passed without an answer; false when the referral moved on since it was read. */
export async function expireReferral(tx: Tx, referral: Pick<Referral, 'id' | 'state'>, now: Date): Promise<boolean> {
  if (!AWAITING_ANSWER.includes(referral.state as ReferralState)) throw notAllowed(referral, 'expiry');
  return move(tx, referral, { state: 'expired' }, now);
}

/** The personal data of the referral was erased here: when and why, kept for the answer to the sender and the audit. */
export async function markErased(tx: Tx, referralId: string, reason: NonNullable<Referral['erasure_reason']>, now: Date): Promise<void> {
  // The peer's messages were erased with it (their copies): they no longer count in its quota. The
  // partner's reference goes too: a code of its own, whose scheme this node does not know.
  await tx.updateTable('referrals').set({ erased_at: now.toISOString(), erasure_reason: reason, peer_bytes: 0, partner_case_ref: null }).where('id', '=', referralId).execute();
}
