// Inquiries: before anything about the person is sent, the sender asks whether the receiver can
// help (needs, urgency, a coarse profile); after the answer it makes the offer on the same
// referral, or withdraws.
import { requireServiceOf } from '../directory/sync.js';
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { components as Fed } from '../../spec/generated/federation.js';
import type { components as Local } from '../../spec/generated/local.js';
import type { NodeContext } from '../context.js';
import type { Tx } from '../db/database.js';
import type { ReferralsTable } from '../db/schema.js';
import type { OkpPublicJwk } from '../identity/keys.js';
import { DomainError } from '../errors.js';
import { envelopeProblem } from '../envelope/problems.js';
import { sealEnvelope } from '../envelope/seal.js';
import type { VerifiedEnvelope } from '../envelope/verify.js';
import { enqueueEnvelope } from '../delivery/outbox.js';
import { noSuchReferral, OFFER_AFTER_INQUIRY } from './lifecycle.js';
import { storePayload } from './payload-store.js';
import { recordEvent } from './timeline.js';
import { recordReceivedConsent, wireConsent } from '../consents/service.js';
import {
  consentForOffer,
  getReferralSummary,
  offerBody,
  peerFor,
  queueOffer,
  type Actor,
  type OfferContent,
  type ReferralOfferBody,
  type ReferralSummary,
} from './service.js';

export const INQUIRY = 'referral.inquiry';
export type ReferralInquiryBody = Fed['schemas']['ReferralInquiryBody'];
export type CreateInquiryRequest = Local['schemas']['CreateInquiryRequest'];

export async function createInquiry(
  ctx: NodeContext,
  actor: Actor,
  request: CreateInquiryRequest,
  afterCommit: () => void = () => {},
): Promise<ReferralSummary> {
  const now = ctx.clock.now();
  const peer = await peerFor(ctx, request.to, true);
  const referralId = randomUUID();
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
  const at = now.toISOString();
  await ctx.database.transaction(async (tx, onCommit) => {
    await tx
      .insertInto('referrals')
      .values({
        id: referralId, direction: 'outgoing', peer_id: peer.id, state: 'inquiry', urgency: request.urgency, local_seq: 1,
        created_by: actor.userId, reply_by: request.reply_by ?? null, created_at: at, updated_at: at,
      })
      .execute();
    await storePayload(tx, ctx.kek, { referralId, kind: INQUIRY, content: body, now });
    await recordEvent(tx, ctx, {
      referralId, at: now, action: INQUIRY, from: null, to: 'inquiry', actor: { kind: 'user', id: actor.userId }, envelopeId: sealed.header.id,
    });
    await enqueueEnvelope(tx, sealed, now);
    onCommit(afterCommit);
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
  afterCommit: () => void = () => {},
): Promise<ReferralSummary> {
  const now = ctx.clock.now();
  const referral = await ctx.database.db.selectFrom('referrals').selectAll().where('id', '=', referralId).executeTakeFirst();
  if (!referral) throw noSuchReferral();
  if (referral.direction !== 'outgoing' || referral.state !== OFFER_AFTER_INQUIRY) {
    throw new DomainError(409, 'illegal-transition', 'Not possible in this state', `An offer follows an answered inquiry this node sent; this referral is ${referral.state}.`);
  }
  const peer = await peerFor(ctx, referral.peer_id, true);
  if (request.service_id) await requireServiceOf(ctx, peer.id, request.service_id);
  const seq = referral.local_seq + 1;
  await ctx.database.transaction(async (tx, onCommit) => {
    const consent = await consentForOffer(tx, request, peer.id, actor, now);
    const body = offerBody(referralId, request, wireConsent(consent, peer.id));
    const changed = await tx
      .updateTable('referrals')
      .set({ state: 'sent', local_seq: seq, urgency: request.urgency, reply_by: request.reply_by ?? null, consent_id: consent.id, updated_at: now.toISOString() })
      .where('id', '=', referralId)
      .where('state', '=', OFFER_AFTER_INQUIRY)
      .where('local_seq', '=', referral.local_seq)
      .executeTakeFirst();
    if (changed.numUpdatedRows !== 1n) throw new DomainError(409, 'illegal-transition', 'Changed meanwhile', 'The referral changed while this was being made; reload it and try again.');
    await storePayload(tx, ctx.kek, { referralId, kind: 'referral.offer', content: body, now });
    await queueOffer(tx, ctx, peer, body, actor, OFFER_AFTER_INQUIRY, now, seq);
    onCommit(afterCommit);
  });
  return (await getReferralSummary(ctx, referralId))!;
}

export async function applyIncomingInquiry(tx: Tx, ctx: NodeContext, envelope: VerifiedEnvelope): Promise<void> {
  const { header } = envelope;
  const body = envelope.body as ReferralInquiryBody;
  if (header.seq !== 1) throw envelopeProblem('out-of-order', 'An inquiry starts a referral: it is message 1.');
  const existing = await tx.selectFrom('referrals').select('id').where('id', '=', header.referral_id).executeTakeFirst();
  if (existing) throw envelopeProblem('illegal-transition', 'A referral with this id already exists on this node.');
  const now = ctx.clock.now();
  const at = now.toISOString();
  await tx
    .insertInto('referrals')
    .values({
      id: header.referral_id, direction: 'incoming', peer_id: envelope.peer.id, state: 'inquiry', urgency: body.urgency, peer_seq: 1,
      created_by: null, reply_by: body.reply_by ?? null, created_at: at, updated_at: at,
    })
    .execute();
  await storePayload(tx, ctx.kek, { referralId: header.referral_id, kind: INQUIRY, content: body, now });
  await recordEvent(tx, ctx, {
    referralId: header.referral_id, at: now, action: INQUIRY, from: null, to: 'inquiry', actor: { kind: 'peer', id: envelope.peer.id }, envelopeId: header.id,
  });
}

/** An offer for a referral this node already holds: allowed only after it answered the sender's inquiry. */
export async function applyOfferAfterInquiry(
  tx: Tx,
  ctx: NodeContext,
  envelope: VerifiedEnvelope,
  referral: Selectable<ReferralsTable>,
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
  await tx
    .updateTable('referrals')
    .set({ state: 'delivered', peer_seq: header.seq, urgency: body.urgency, reply_by: body.reply_by ?? null, consent_id: consent.id, updated_at: now.toISOString() })
    .where('id', '=', referral.id)
    .execute();
  await storePayload(tx, ctx.kek, { referralId: referral.id, kind: 'referral.offer', content: body, now });
  await recordEvent(tx, ctx, {
    referralId: referral.id, at: now, action: 'referral.offer', from: OFFER_AFTER_INQUIRY, to: 'delivered',
    actor: { kind: 'peer', id: envelope.peer.id }, envelopeId: header.id,
  });
}
