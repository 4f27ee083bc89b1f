// Onward referral: the receiver refers a case on to a third organisation, only as far as the
// client's consent allows, and tells the original sender. The new offer, the notice and both
// timeline entries commit together.
import { requireAccepts } from '../peers/capabilities.js';
import { uuidv7 } from '../util/uuidv7.js';
import { requireServiceOf } from '../directory/sync.js';
import type { components as Fed } from '../../spec/generated/federation.js';
import type { components as Local } from '../../spec/generated/local.js';
import type { NodeContext } from '../context.js';
import type { OkpPublicJwk } from '../identity/keys.js';
import { DomainError } from '../errors.js';
import { sealEnvelope } from '../envelope/seal.js';
import { enqueueEnvelope } from '../delivery/outbox.js';
import { nextState, noSuchReferral, OFFER, type ReferralState } from './lifecycle.js';
import { codeOf, detailsOf, type LifecycleContent } from './messages.js';
import { readPayload, storePayload } from './payload-store.js';
import { recordEvent } from './timeline.js';
import { categoriesPresent } from './consent.js';
import { consentRowViolation, deriveOnwardConsent, findConsent, wireConsent } from '../consents/service.js';
import { checkConsent, peerFor, queueOffer, type Actor, type ReferralOfferBody } from './offer.js';
import { getReferralSummary, type ReferralSummary } from './service.js';
import { applyOwnLifecycleMessage, changedMeanwhile, createReferralRecord, findReferral } from './state.js';
import { findPeer } from '../peers/store.js';

export type ReferOnwardRequest = Local['schemas']['ReferOnwardRequest'];
type ConsentRecord = Fed['schemas']['ConsentRecord'];

const ONWARD = 'referral.onward';

function refuse(detail: string): never {
  throw new DomainError(422, 'consent-violation', 'Not covered by consent', detail);
}

export async function referOnward(
  ctx: NodeContext,
  actor: Actor,
  referralId: string,
  request: ReferOnwardRequest,
): Promise<ReferralSummary> {
  const now = ctx.clock.now();
  const { db } = ctx.database;
  const original = await findReferral(db, referralId);
  if (!original) throw noSuchReferral();
  if (original.direction !== 'incoming' || nextState(ONWARD, 'receiver', original.state as ReferralState) === undefined) {
    throw new DomainError(409, 'illegal-transition', 'Not possible in this state', `Only a received referral that is delivered, accepted or in progress can be referred on; this one is ${original.direction} and ${original.state}.`);
  }
  const offer = await readPayload<ReferralOfferBody>(db, ctx.dataKeys, referralId, OFFER);
  if (!offer) throw new DomainError(404, 'not-found', 'No such referral', 'The referral\'s content is no longer held here.');
  const third = await peerFor(ctx, request.to, true);
  requireAccepts(third, OFFER);
  if (third.id === original.peer_id) throw new DomainError(422, 'invalid-request', 'Back to the sender', 'To hand the case back to the organisation that sent it, decline or complete the referral instead.');
  const permission = offer.consent.onward_referral;
  if (!permission?.allowed) refuse('The client did not agree to be referred on to another organisation.');
  if (permission.recipients && !permission.recipients.includes(third.id)) refuse('The client agreed to onward referral only to other organisations than this one.');

  const received = original.consent_id ? await findConsent(db, original.consent_id) : undefined;
  if (!received) refuse('The consent of this referral is no longer held here.');
  const receivedViolation = consentRowViolation(received, undefined, ctx.self.nodeId, now);
  if (receivedViolation) refuse(receivedViolation);

  if (request.service_id) await requireServiceOf(ctx, third.id, request.service_id);
  const onwardId = uuidv7();
  const client = request.client ?? offer.client;
  // Checked against the received consent before anything is written; the narrowed consent
  // (this recipient only, no further onward referral, no longer valid) is recorded with the offer.
  const outside = categoriesPresent(client).filter((c) => !(JSON.parse(received.categories) as string[]).includes(c));
  if (outside.length > 0) refuse(`The client data includes categories the consent does not cover: ${outside.join(', ')}.`);
  const bodyWith = (consent: ConsentRecord): ReferralOfferBody => ({
    referral_id: onwardId,
    needs: request.needs ?? offer.needs,
    urgency: request.urgency ?? offer.urgency,
    ...(request.reply_by ? { reply_by: request.reply_by } : {}),
    reason: request.reason,
    client,
    consent,
    ...(request.service_id ? { service_id: request.service_id } : {}),
    onward_of: { referral_id: referralId, from: original.peer_id },
  });

  const content: LifecycleContent = { to: third.id, onward_referral_id: onwardId, ...(request.note ? { note: request.note } : {}) };
  const sender = await findPeer(db, original.peer_id);
  if (!sender) throw noSuchReferral();
  requireAccepts(sender, ONWARD);
  const noticeSeq = original.local_seq + 1;
  const notice = await sealEnvelope({
    type: ONWARD, from: ctx.self.nodeId, to: original.peer_id, referralId, seq: noticeSeq, createdAt: now,
    body: { referral_id: referralId, ...content },
    recipientKey: JSON.parse(sender.encryption_jwk) as OkpPublicJwk, senderKey: ctx.self.encryptionKey.publicJwk,
  });
  await ctx.database.transaction(async (tx) => {
    if (!(await applyOwnLifecycleMessage(tx, original, ONWARD, noticeSeq, now))) throw changedMeanwhile();
    await recordEvent(tx, ctx, {
      referralId, at: now, action: ONWARD, from: original.state, to: original.state, actor: { kind: 'user', id: actor.userId },
      code: codeOf(content), envelopeId: notice.header.id, details: detailsOf(content),
    });
    await enqueueEnvelope(tx, ctx, notice, now);
    const narrowed = await deriveOnwardConsent(tx, received, third.id, actor, now);
    const body = bodyWith(wireConsent(narrowed, third.id));
    checkConsent(body, third.id, now);
    await createReferralRecord(tx, ctx.self.country, {
      id: onwardId, direction: 'outgoing', peer_id: third.id, state: 'sent', urgency: body.urgency, local_seq: 1,
      created_by: actor.userId, consent_id: narrowed.id, parent_referral_id: referralId, reply_by: body.reply_by ?? null,
    }, now);
    await storePayload(tx, ctx.dataKeys, { referralId: onwardId, kind: OFFER, content: body, now });
    await queueOffer(tx, ctx, third, body, actor, null, now);
  });
  ctx.logger.info({ referral: referralId, onward: onwardId, peer: third.id }, 'referred on');
  return (await getReferralSummary(ctx, onwardId))!;
}
