// Inquiries: before anything about the person is sent, the sender asks whether the receiver can
// help (needs, urgency, a coarse profile); after the answer it makes the offer on the same
// referral, or withdraws.
import { requireAccepts } from '../peers/capabilities.js';
import { uuidv7 } from '../util/uuidv7.js';
import { checkPeerQuotas } from './quotas.js';
import type { components as Fed } from '../../spec/generated/federation.js';
import type { components as Local } from '../../spec/generated/local.js';
import type { NodeContext } from '../context.js';
import type { Tx } from '../db/database.js';
import type { OkpPublicJwk } from '../identity/keys.js';
import { DomainError } from '../errors.js';
import { envelopeProblem } from '../envelope/problems.js';
import { sealEnvelope } from '../envelope/seal.js';
import type { VerifiedEnvelope } from '../envelope/verify.js';
import { enqueueEnvelope } from '../delivery/outbox.js';
import { requireServiceOf } from '../directory/sync.js';
import { recordReceivedConsent, wireConsent } from '../consents/service.js';
import { INQUIRY, noSuchReferral, OFFER, OFFER_AFTER_INQUIRY } from './lifecycle.js';
import { consentForOffer, offerBody, peerFor, queueOffer, type Actor, type OfferContent, type ReferralOfferBody } from './offer.js';
import { storePayload } from './payload-store.js';
import { getReferralSummary, type ReferralSummary } from './service.js';
import { applyOwnOffer, applyPeerOfferAfterInquiry, changedMeanwhile, createReferralRecord, findReferral, peerMessageOf, type Referral } from './state.js';
import { recordEvent } from './timeline.js';

export { INQUIRY } from './lifecycle.js';
export type ReferralInquiryBody = Fed['schemas']['ReferralInquiryBody'];
export type CreateInquiryRequest = Local['schemas']['CreateInquiryRequest'];

export async function createInquiry(
  ctx: NodeContext,
  actor: Actor,
  request: CreateInquiryRequest,
): Promise<ReferralSummary> {
  const now = ctx.clock.now();
  const peer = await peerFor(ctx, request.to, true);
  requireAccepts(peer, INQUIRY);
  const referralId = uuidv7();
  const body: ReferralInquiryBody = {
    referral_id: referralId,
    needs: request.needs,
    urgency: request.urgency,
    ...(request.reply_by ? { reply_by: request.reply_by } : {}),
    profile: request.profile,
  };
  const sealed = await sealEnvelope({
    type: INQUIRY, from: ctx.self.nodeId, to: peer.id, referralId, seq: 1, createdAt: now, body,
    recipientKey: JSON.parse(peer.encryption_jwk) as OkpPublicJwk, senderKey: ctx.self.encryptionKey.publicJwk,
  });
  await ctx.database.transaction(async (tx) => {
    await createReferralRecord(tx, ctx.self.country, {
      id: referralId, direction: 'outgoing', peer_id: peer.id, state: 'inquiry', urgency: request.urgency, local_seq: 1,
      created_by: actor.userId, reply_by: request.reply_by ?? null,
    }, now);
    await storePayload(tx, ctx.dataKeys, { referralId, kind: INQUIRY, content: body, now });
    await recordEvent(tx, ctx, {
      referralId, at: now, action: INQUIRY, from: null, to: 'inquiry', actor: { kind: 'user', id: actor.userId }, envelopeId: sealed.header.id,
    });
    await enqueueEnvelope(tx, ctx, sealed, now);
  });
  ctx.logger.info({ referral: referralId, peer: peer.id, envelope: sealed.header.id }, 'inquiry queued');
  return (await getReferralSummary(ctx, referralId))!;
}

/** The sender's offer after an answered inquiry: the same checks as any offer. */
export async function offerAfterInquiry(
  ctx: NodeContext,
  actor: Actor,
  referralId: string,
  request: OfferContent,
): Promise<ReferralSummary> {
  const now = ctx.clock.now();
  const referral = await findReferral(ctx.database.db, referralId);
  if (!referral) throw noSuchReferral();
  if (referral.direction !== 'outgoing' || referral.state !== OFFER_AFTER_INQUIRY) {
    throw new DomainError(409, 'illegal-transition', 'Not possible in this state', `An offer follows an answered inquiry this node sent; this referral is ${referral.state}.`);
  }
  const peer = await peerFor(ctx, referral.peer_id, true);
  requireAccepts(peer, OFFER);
  if (request.service_id) await requireServiceOf(ctx, peer.id, request.service_id);
  const seq = referral.local_seq + 1;
  await ctx.database.transaction(async (tx) => {
    const consent = await consentForOffer(tx, request, peer.id, actor, now);
    const body = offerBody(referralId, request, wireConsent(consent, peer.id));
    const terms = { urgency: request.urgency, replyBy: request.reply_by ?? null, consentId: consent.id };
    if (!(await applyOwnOffer(tx, referral, seq, now, terms))) throw changedMeanwhile();
    await storePayload(tx, ctx.dataKeys, { referralId, kind: OFFER, content: body, now });
    await queueOffer(tx, ctx, peer, body, actor, OFFER_AFTER_INQUIRY, now, seq);
  });
  return (await getReferralSummary(ctx, referralId))!;
}

export async function applyIncomingInquiry(tx: Tx, ctx: NodeContext, envelope: VerifiedEnvelope): Promise<void> {
  const { header } = envelope;
  const body = envelope.body as ReferralInquiryBody;
  // A referral id this node holds is checked as any message to a referral is, in the order of
  // spec step 12: not between these two nodes, or erased here → unknown-referral (as for an offer,
  // telling nothing of it); then its order; then the state, where an inquiry, which only starts a
  // referral, is never allowed.
  const existing = await findReferral(tx, header.referral_id);
  if (existing) {
    if (existing.peer_id !== envelope.peer.id || existing.erased_at) throw envelopeProblem('unknown-referral');
    if (header.seq > existing.peer_seq + 1) throw envelopeProblem('out-of-order', `This node has applied message ${existing.peer_seq} of yours; send ${existing.peer_seq + 1} first.`);
    if (header.seq <= existing.peer_seq) throw envelopeProblem('envelope-conflict', 'A message with this sequence number was already applied.');
    throw envelopeProblem('illegal-transition', 'This referral has already begun; an inquiry can only start one.');
  }
  if (header.seq !== 1) throw envelopeProblem('out-of-order', 'An inquiry starts a referral: it is message 1.');
  const now = ctx.clock.now();
  await checkPeerQuotas(tx, ctx, envelope.peer.id, ctx.limits.peerQuotas, now, envelope.jws.length);
  await createReferralRecord(tx, ctx.self.country, {
    id: header.referral_id, direction: 'incoming', peer_id: envelope.peer.id, state: 'inquiry', urgency: body.urgency, peer_seq: 1, peer_bytes: envelope.jws.length,
    created_by: null, reply_by: body.reply_by ?? null,
  }, now);
  await storePayload(tx, ctx.dataKeys, { referralId: header.referral_id, kind: INQUIRY, content: body, now });
  await recordEvent(tx, ctx, {
    referralId: header.referral_id, at: now, action: INQUIRY, from: null, to: 'inquiry', actor: { kind: 'peer', id: envelope.peer.id }, envelopeId: header.id,
  });
}

/** An offer for a referral this node already holds: allowed only after it answered the sender's inquiry. */
export async function applyOfferAfterInquiry(
  tx: Tx,
  ctx: NodeContext,
  envelope: VerifiedEnvelope,
  referral: Referral,
): Promise<void> {
  const { header } = envelope;
  if (referral.peer_id !== envelope.peer.id || referral.direction !== 'incoming') throw envelopeProblem('unknown-referral');
  if (header.seq > referral.peer_seq + 1) throw envelopeProblem('out-of-order', `Send message ${referral.peer_seq + 1} of this referral first.`);
  if (header.seq <= referral.peer_seq) throw envelopeProblem('envelope-conflict', 'A message with this sequence number was already applied.');
  if (referral.state !== OFFER_AFTER_INQUIRY) {
    throw envelopeProblem('illegal-transition', `An offer follows an answered inquiry; this referral is ${referral.state} here.`);
  }
  const body = envelope.body as ReferralOfferBody;
  const now = ctx.clock.now();
  const consent = await recordReceivedConsent(tx, body.consent, envelope.peer.id, now);
  await applyPeerOfferAfterInquiry(tx, referral, peerMessageOf(envelope), { urgency: body.urgency, replyBy: body.reply_by ?? null, consentId: consent.id }, now);
  await storePayload(tx, ctx.dataKeys, { referralId: referral.id, kind: OFFER, content: body, now });
  await recordEvent(tx, ctx, {
    referralId: referral.id, at: now, action: OFFER, from: OFFER_AFTER_INQUIRY, to: 'delivered',
    actor: { kind: 'peer', id: envelope.peer.id }, envelopeId: header.id,
  });
}
