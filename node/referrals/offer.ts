// Making an offer: the peer it goes to, the consent it rests on, its body, and queueing it with
// its disclosure in the audit log. Shared by a new referral, a draft sent, the offer after an
// answered inquiry and an onward referral.
import type { Selectable } from 'kysely';
import type { components as Fed } from '../../spec/generated/federation.js';
import type { components as Local } from '../../spec/generated/local.js';
import type { NodeContext } from '../context.js';
import type { Tx } from '../db/database.js';
import type { PeersTable } from '../db/schema.js';
import type { OkpPublicJwk } from '../identity/keys.js';
import { DomainError } from '../errors.js';
import { sealEnvelope } from '../envelope/seal.js';
import { enqueueEnvelope } from '../delivery/outbox.js';
import { normaliseNodeUrl } from '../peers/service.js';
import { findPeer } from '../peers/store.js';
import { appendAuditEvent } from '../audit-log/append.js';
import { consentRowViolation, findConsent, recordConsent, type ConsentRecord, type ConsentRow } from '../consents/service.js';
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
  if (violation) throw new DomainError(422, 'consent-violation', 'Not covered by consent', violation);
}

/** Seals the offer (message `seq` of this node in the referral) and queues it, moving the referral from `from` to `sent`, inside `tx`. */
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
  await recordEvent(tx, ctx, {
    referralId: body.referral_id, at: now, action: OFFER, from, to: 'sent', actor: { kind: 'user', id: actor.userId }, envelopeId: sealed.header.id,
  });
  await recordDisclosure(tx, now, actor, { referralId: body.referral_id, peerId: peer.id, envelopeId: sealed.header.id, message: OFFER, consentId: body.consent.id, client: body.client });
  await enqueueEnvelope(tx, ctx.dataKeys, sealed, now);
  return sealed.header.id;
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
 * The consent an offer to `peerId` rests on, inside `tx`: the record `consent_id` names, or the
 * one given with the request, recorded now for this recipient. Refused (422, nothing written) when
 * it is not in force for the peer or does not cover the client data.
 */
export async function consentForOffer(tx: Tx, request: OfferContent, peerId: string, actor: Actor, now: Date): Promise<ConsentRow> {
  if (request.consent_id && request.consent) {
    throw new DomainError(422, 'invalid-request', 'Two consents', 'Give either consent_id (a consent record) or consent, not both.');
  }
  let row: ConsentRow;
  if (request.consent_id) {
    const found = await findConsent(tx, request.consent_id);
    if (!found) throw new DomainError(422, 'consent-violation', 'No such consent', 'There is no consent record with this consent_id on this node.');
    if (found.origin !== 'self' || found.derived_from) {
      throw new DomainError(422, 'consent-violation', 'Not our consent', 'This consent came with a referral from another organisation; the case can only be passed on with refer-onward.');
    }
    row = found;
  } else if (request.consent) {
    const given = request.consent;
    const provisional: ConsentRecord = {
      id: '00000000-0000-4000-8000-000000000000', categories: given.categories, purposes: given.purposes, recipients: [peerId], method: given.method,
      language: given.language, obtained_by: actor.userId, obtained_at: given.obtained_at ?? now.toISOString(), valid_until: given.valid_until,
    };
    const violation = consentViolation(request.client, provisional, peerId, now);
    if (violation) throw new DomainError(422, 'consent-violation', 'Not covered by consent', violation);
    row = await recordConsent(tx, { ...given, recipients: [peerId] }, actor, now);
  } else {
    throw new DomainError(422, 'consent-violation', 'No consent', 'A referral needs the client\'s consent: consent_id of a consent record, or consent.');
  }
  const violation = consentRowViolation(row, request.client, peerId, now);
  if (violation) throw new DomainError(422, 'consent-violation', 'Not covered by consent', violation);
  return row;
}
