// A verified envelope from a peer, applied inside the receiving transaction: each message type to
// the module that knows it. An offer that opens a referral is applied here; the rest are the
// inquiry's (inquiry.ts), the lifecycle's (messages.ts) and the consent's (consents/withdrawal.ts).
import { checkPeerQuotas } from './quotas.js';
import type { NodeContext } from '../context.js';
import type { Tx } from '../db/database.js';
import { envelopeProblem } from '../envelope/problems.js';
import type { VerifiedEnvelope } from '../envelope/verify.js';
import { recordReceivedConsent } from '../consents/service.js';
import { applyConsentWithdraw, applyErasureReceipt } from '../consents/withdrawal.js';
import { consentViolation } from './consent.js';
import { applyIncomingInquiry, applyOfferAfterInquiry } from './inquiry.js';
import { INQUIRY, isLifecycleMessage, OFFER } from './lifecycle.js';
import { applyLifecycleMessage, detailsOf, type LifecycleContent } from './messages.js';
import type { ReferralOfferBody } from './offer.js';
import { keepPayload, preparePayload, storePayload, type PreparedPayload } from './payload-store.js';
import { createReferralRecord, findReferral } from './state.js';
import { prepareEventDetails, recordEvent } from './timeline.js';

/**
 * What a message stores, sealed before the receiving transaction so that it only writes: an
 * offer's content, a lifecycle message's details (notes, client data). The rarer messages
 * (inquiries, consent withdrawals) seal what they keep inside it, where what they keep is decided.
 */
export interface PreparedIncoming {
  offer?: PreparedPayload;
  details?: PreparedPayload;
}

export async function prepareIncoming(ctx: NodeContext, envelope: VerifiedEnvelope, now: Date): Promise<PreparedIncoming> {
  const { header } = envelope;
  if (header.type === OFFER) {
    return { offer: await preparePayload(ctx.dataKeys, { referralId: header.referral_id, kind: OFFER, content: envelope.body, now }) };
  }
  if (isLifecycleMessage(header.type)) {
    const details = await prepareEventDetails(ctx.dataKeys, { referralId: header.referral_id, action: header.type, details: detailsOf(envelope.body as LifecycleContent), at: now });
    return details ? { details } : {};
  }
  return {};
}

/** Throws a problem (rolling everything back) when the message cannot be applied. */
export async function applyIncomingMessage(tx: Tx, ctx: NodeContext, envelope: VerifiedEnvelope, prepared: PreparedIncoming = {}): Promise<void> {
  const { header } = envelope;
  if (isLifecycleMessage(header.type)) return applyLifecycleMessage(tx, ctx, envelope, header.type, prepared.details);
  if (header.type === 'consent.withdraw') return applyConsentWithdraw(tx, ctx, envelope);
  if (header.type === 'erasure.receipt') return applyErasureReceipt(tx, ctx, envelope);
  if (header.type === INQUIRY) return applyIncomingInquiry(tx, ctx, envelope);
  if (header.type !== OFFER) throw envelopeProblem('unsupported-message-type');
  return applyIncomingOffer(tx, ctx, envelope, prepared.offer);
}

async function applyIncomingOffer(tx: Tx, ctx: NodeContext, envelope: VerifiedEnvelope, prepared: PreparedPayload | undefined): Promise<void> {
  const { header } = envelope;
  const body = envelope.body as ReferralOfferBody;
  const now = ctx.clock.now();
  const violation = consentViolation(body.client, body.consent, ctx.self.nodeId, now);
  if (violation) throw envelopeProblem(violation.problem, violation.detail);
  const existing = await findReferral(tx, header.referral_id);
  if (existing) return applyOfferAfterInquiry(tx, ctx, envelope, existing);
  if (header.seq !== 1) throw envelopeProblem('out-of-order', 'An offer that starts a referral is its message 1.');
  await checkPeerQuotas(tx, ctx, envelope.peer.id, ctx.limits.peerQuotas, now, envelope.jws.length);
  const consent = await recordReceivedConsent(tx, body.consent, envelope.peer.id, now);
  await createReferralRecord(tx, ctx.self.country, {
    id: header.referral_id,
    direction: 'incoming',
    peer_id: envelope.peer.id,
    state: 'delivered',
    urgency: body.urgency,
    peer_seq: header.seq,
    peer_bytes: envelope.jws.length,
    created_by: null,
    consent_id: consent.id,
    reply_by: body.reply_by ?? null,
  }, now);
  if (prepared) await keepPayload(tx, ctx.dataKeys, prepared);
  else await storePayload(tx, ctx.dataKeys, { referralId: header.referral_id, kind: OFFER, content: body, now });
  await recordEvent(tx, ctx, {
    referralId: header.referral_id, at: now, action: OFFER, from: null, to: 'delivered', actor: { kind: 'peer', id: envelope.peer.id }, envelopeId: header.id,
    referral: { peer_id: envelope.peer.id, direction: 'incoming' },
  });
}
