// Making an offer: the peer it goes to, the consent it rests on, its body, and queueing it with
// its disclosure in the audit log. Shared by a new referral, a draft sent, the offer after an
// answered inquiry and an onward referral.
import type { Selectable } from 'kysely';
import type { components as Fed } from '../../spec/generated/federation.js';
import type { components as Local } from '../../spec/generated/local.js';
import type { NodeContext } from '../context.js';
import type { Db, Tx } from '../db/database.js';
import type { PeersTable } from '../db/schema.js';
import type { OkpPublicJwk } from '../identity/keys.js';
import { DomainError } from '../errors.js';
import { sealEnvelope } from '../envelope/seal.js';
import { enqueuePrepared, prepareEnvelope, type PreparedEnvelope } from '../delivery/outbox.js';
import { normaliseNodeUrl } from '../peers/service.js';
import { findPeer } from '../peers/store.js';
import { appendAuditEvent } from '../audit-log/append.js';
import { consentRowFor, consentRowViolation, findConsent, insertConsent, type ConsentRecord, type ConsentRow } from '../consents/service.js';
import { categoriesPresent, consentViolation } from './consent.js';
import { OFFER } from './lifecycle.js';
import { recordEvent } from './timeline.js';

export type ReferralOfferBody = Fed['schemas']['ReferralOfferBody'];
export type CreateReferralRequest = Local['schemas']['CreateReferralRequest'];

export interface Actor {
  userId: string;
}

export async function peerFor(ctx: NodeContext, to: string, forSending: boolean): Promise<Selectable<PeersTable>> {
  let peerId: string;
  try {
    peerId = normaliseNodeUrl(to);
  } catch (error) {
    throw new DomainError(422, 'invalid-request', 'Invalid peer', error instanceof Error ? error.message : 'The peer id is not a node URL.');
  }
  const peer = await findPeer(ctx.database.db, peerId);
  if (!peer) throw new DomainError(409, 'peer-not-trusted', 'Unknown peer', 'This node does not know that peer; add and trust it first.');
  if (peer.state === 'revoked' || (forSending && peer.state !== 'trusted')) {
    throw new DomainError(409, 'peer-not-trusted', 'Peer not trusted', `The peer is ${peer.state}; only trusted peers receive referrals.`);
  }
  return peer;
}

export function checkConsent(body: ReferralOfferBody, peerId: string, now: Date): void {
  const violation = consentViolation(body.client, body.consent, peerId, now);
  if (violation) throw new DomainError(422, 'consent-violation', 'Not covered by consent', violation.detail);
}

/** The offer (message `seq` of this node in the referral) sealed to the peer, and its copy at rest: before the transaction that queues it. */
export async function prepareOffer(ctx: NodeContext, peer: Selectable<PeersTable>, body: ReferralOfferBody, now: Date, seq = 1): Promise<PreparedEnvelope> {
  const sealed = await sealEnvelope({
    type: OFFER,
    from: ctx.self.nodeId,
    to: peer.id,
    referralId: body.referral_id,
    seq,
    createdAt: now,
    body,
    recipientKey: JSON.parse(peer.encryption_jwk) as OkpPublicJwk,
    senderKey: ctx.self.encryptionKey.publicJwk,
  });
  return prepareEnvelope(ctx.dataKeys, sealed, now);
}

/** Queues a prepared offer with its disclosure, moving the referral from `from` to `sent`, inside `tx`. Returns the envelope id. */
export async function queuePreparedOffer(
  tx: Tx,
  ctx: NodeContext,
  offer: PreparedEnvelope,
  body: ReferralOfferBody,
  actor: Actor,
  from: 'draft' | 'inquiry-answered' | null,
): Promise<string> {
  const { header } = offer.sealed;
  const now = offer.at;
  await recordEvent(tx, ctx, {
    referralId: body.referral_id, at: now, action: OFFER, from, to: 'sent', actor: { kind: 'user', id: actor.userId }, envelopeId: header.id,
    referral: { peer_id: header.to, direction: 'outgoing' },
  });
  await recordDisclosure(tx, now, actor, { referralId: body.referral_id, peerId: header.to, envelopeId: header.id, message: OFFER, consentId: body.consent.id, client: body.client });
  await enqueuePrepared(tx, ctx, offer);
  return header.id;
}

/** Seals the offer and queues it inside `tx` (where its body is only known there). */
export async function queueOffer(
  tx: Tx,
  ctx: NodeContext,
  peer: Selectable<PeersTable>,
  body: ReferralOfferBody,
  actor: Actor,
  from: 'draft' | 'inquiry-answered' | null,
  now: Date,
  seq = 1,
): Promise<string> {
  return queuePreparedOffer(tx, ctx, await prepareOffer(ctx, peer, body, now, seq), body, actor, from);
}

/** The audit entry for personal data leaving this node: which consent it rests on, which categories. */
export async function recordDisclosure(
  tx: Tx,
  now: Date,
  actor: Actor,
  d: { referralId: string; peerId: string; envelopeId: string; message: string; consentId: string; client: Fed['schemas']['ClientData'] },
): Promise<void> {
  await appendAuditEvent(tx, now, { kind: 'user', id: actor.userId }, {
    type: 'data.disclosed', referral_id: d.referralId, peer_id: d.peerId, envelope_id: d.envelopeId, message: d.message,
    consent_id: d.consentId, categories: categoriesPresent(d.client),
  });
}

export type OfferContent = Omit<CreateReferralRequest, 'to' | 'draft'>;

/** The offer's body: the request's content and the consent as it travels to the recipient. */
export function offerBody(referralId: string, request: OfferContent, consent: ConsentRecord): ReferralOfferBody {
  return {
    referral_id: referralId,
    needs: request.needs,
    urgency: request.urgency,
    ...(request.reply_by ? { reply_by: request.reply_by } : {}),
    reason: request.reason,
    client: request.client,
    consent,
    ...(request.service_id ? { service_id: request.service_id } : {}),
  };
}

/**
 * The consent an offer to `peerId` rests on, read or made before the transaction: the record
 * `consent_id` names, or the one given with the request, for this recipient (recorded by
 * `keepConsentPlan`). Refused (422, nothing written) when it is not in force for the peer or does
 * not cover the client data.
 */
export interface ConsentPlan {
  row: ConsentRow;
  /** Given with the request: recorded by the transaction. Otherwise an existing record, checked again there. */
  isNew: boolean;
}

export async function planConsentForOffer(db: Db | Tx, request: OfferContent, peerId: string, actor: Actor, now: Date): Promise<ConsentPlan> {
  if (request.consent_id && request.consent) {
    throw new DomainError(422, 'invalid-request', 'Two consents', 'Give either consent_id (a consent record) or consent, not both.');
  }
  let plan: ConsentPlan;
  if (request.consent_id) {
    const found = await findConsent(db, request.consent_id);
    if (!found) throw noSuchConsent();
    if (found.origin !== 'self' || found.derived_from) {
      throw new DomainError(422, 'consent-violation', 'Not our consent', 'This consent came with a referral from another organisation; the case can only be passed on with refer-onward.');
    }
    plan = { row: found, isNew: false };
  } else if (request.consent) {
    const given = request.consent;
    const provisional: ConsentRecord = {
      id: '00000000-0000-4000-8000-000000000000', categories: given.categories, purposes: given.purposes, recipients: [peerId], method: given.method,
      language: given.language, obtained_by: actor.userId, obtained_at: given.obtained_at ?? now.toISOString(), valid_until: given.valid_until,
    };
    const violation = consentViolation(request.client, provisional, peerId, now);
    if (violation) throw new DomainError(422, 'consent-violation', 'Not covered by consent', violation.detail);
    plan = { row: consentRowFor({ ...given, recipients: [peerId] }, actor, now), isNew: true };
  } else {
    throw new DomainError(422, 'consent-violation', 'No consent', 'A referral needs the client\'s consent: consent_id of a consent record, or consent.');
  }
  const violation = consentRowViolation(plan.row, request.client, peerId, now);
  if (violation) throw new DomainError(422, 'consent-violation', 'Not covered by consent', violation);
  return plan;
}

/**
 * Inside the transaction: records a new consent, or checks an existing one again (it may have been
 * withdrawn meanwhile; what an offer carries of it never changes, only its withdrawals do).
 */
export async function keepConsentPlan(tx: Tx, plan: ConsentPlan, client: OfferContent['client'], peerId: string, actor: Actor, now: Date): Promise<ConsentRow> {
  if (plan.isNew) return insertConsent(tx, plan.row, { kind: 'user', id: actor.userId }, now);
  const row = await findConsent(tx, plan.row.id);
  if (!row) throw noSuchConsent();
  const violation = consentRowViolation(row, client, peerId, now);
  if (violation) throw new DomainError(422, 'consent-violation', 'Not covered by consent', violation);
  return row;
}

/** The consent an offer to `peerId` rests on, inside `tx` (planConsentForOffer and keepConsentPlan in one). */
export async function consentForOffer(tx: Tx, request: OfferContent, peerId: string, actor: Actor, now: Date): Promise<ConsentRow> {
  return keepConsentPlan(tx, await planConsentForOffer(tx, request, peerId, actor, now), request.client, peerId, actor, now);
}

const noSuchConsent = () => new DomainError(422, 'consent-violation', 'No such consent', 'There is no consent record with this consent_id on this node.');
