// Lifecycle messages after the offer, both ways. Made here: checked against the lifecycle table,
// then the state change, the timeline entry and the outgoing envelope commit together. Arriving:
// checked for referral, order and transition before anything is written.
import type { Selectable } from 'kysely';
import type { components as Fed } from '../../spec/generated/federation.js';
import type { NodeContext } from '../context.js';
import type { Db, Tx } from '../db/database.js';
import type { ReferralsTable } from '../db/schema.js';
import type { OkpPublicJwk } from '../identity/keys.js';
import { DomainError } from '../errors.js';
import { envelopeProblem } from '../envelope/problems.js';
import { sealEnvelope } from '../envelope/seal.js';
import { enqueuePrepared, prepareEnvelope } from '../delivery/outbox.js';
import type { VerifiedEnvelope } from '../envelope/verify.js';
import { categoriesPresent } from './consent.js';
import { nextState, noSuchReferral, partyOf, type LifecycleMessage, type Party, type ReferralState } from './lifecycle.js';
import { readPayload, type PreparedPayload } from './payload-store.js';
import { checkStoredBytes } from './quotas.js';
import { prepareEventDetails, recordEvent, type EventDetails, type PartnerCaseworker } from './timeline.js';
import { consentRowViolation, findConsent } from '../consents/service.js';
import { recordDisclosure } from './offer.js';
import { findPeer } from '../peers/store.js';
import { requireAccepts, understandsHandover } from '../peers/capabilities.js';
import { responsibleCaseworkerOf } from '../users/service.js';
import { applyOwnLifecycleMessage, applyPeerLifecycleMessage, changedMeanwhile, findReferralWith, findReferral, peerMessageOf, setPartnerCaseReference } from './state.js';

type ClientData = Fed['schemas']['ClientData'];
type ReferralOfferBody = Fed['schemas']['ReferralOfferBody'];

/** What a lifecycle message carries besides the referral id (the local API's request bodies). */
export interface LifecycleContent {
  /** referral.onward: the organisation the case went to, and the new referral's id. */
  to?: string;
  onward_referral_id?: string;
  capacity?: string;
  available_from?: string;
  note?: string;
  questions?: string;
  answer?: string;
  client?: ClientData;
  reason?: string;
  status?: string;
  outcome?: string;
  /** referral.accept, referral.handover from the receiver: its case reference and responsible caseworker. */
  case_reference?: string;
  caseworker?: PartnerCaseworker;
}

export const codeOf = (content: LifecycleContent) => content.capacity ?? content.reason ?? content.status ?? content.outcome;
export const detailsOf = (content: LifecycleContent): EventDetails => ({
  note: content.note ?? content.questions ?? content.answer,
  client: content.client,
  // An inquiry answer's code is its capacity; its date and optional reason travel with the note.
  available_from: content.available_from,
  reason: content.capacity ? content.reason : undefined,
  onward: content.to && content.onward_referral_id ? { to: content.to, referral_id: content.onward_referral_id } : undefined,
  caseworker: content.caseworker,
});

/**
 * The messages a peer may send any number of times on a referral under way (an update in
 * progress, onward notes, information asked and answered in turn): beyond its stored-bytes quota
 * they are refused (quotas.ts). Every other message moves a referral once.
 */
const REPEATABLE: ReadonlySet<LifecycleMessage> = new Set(['referral.update', 'referral.onward', 'referral.info-request', 'referral.info-response', 'referral.handover']);

const VERBS: Record<LifecycleMessage, string> = {
  'referral.inquiry-answer': 'answer an inquiry on',
  'referral.info-request': 'ask for information on',
  'referral.info-response': 'answer an information request on',
  'referral.accept': 'accept',
  'referral.decline': 'decline',
  'referral.update': 'report progress on',
  'referral.complete': 'complete',
  'referral.withdraw': 'withdraw',
  'referral.onward': 'refer on',
  'referral.handover': 'name the caseworker responsible for',
};

function illegal(message: LifecycleMessage, party: Party, state: string): string {
  return `The ${party} of a referral cannot ${VERBS[message]} it while it is ${state}.`;
}

/**
 * Further client data must stay within the referral's consent: on the sending side the consent
 * record (in force for the peer, not withdrawn), on the receiving side what the offer carried.
 */
async function outsideConsent(
  db: Db | Tx,
  ctx: NodeContext,
  referral: Pick<Selectable<ReferralsTable>, 'id' | 'direction' | 'peer_id' | 'consent_id'>,
  client: ClientData | undefined,
  now: Date,
): Promise<string | undefined> {
  if (!client) return undefined;
  if (referral.direction === 'outgoing') {
    const consent = referral.consent_id ? await findConsent(db, referral.consent_id) : undefined;
    return consent ? consentRowViolation(consent, client, referral.peer_id, now) : 'The consent of this referral is no longer held here.';
  }
  const offer = await readPayload<ReferralOfferBody>(db, ctx.dataKeys, referral.id, 'referral.offer');
  if (!offer) return 'The offer of this referral is no longer held here.';
  if (Date.parse(offer.consent.valid_until) <= now.getTime()) return 'The consent for this referral is no longer in force.';
  const outside = categoriesPresent(client).filter((c) => !offer.consent.categories.includes(c));
  return outside.length > 0 ? `The client data includes categories the consent does not cover: ${outside.join(', ')}.` : undefined;
}

export async function sendLifecycleMessage(
  ctx: NodeContext,
  actor: { userId: string },
  referralId: string,
  message: LifecycleMessage,
  content: LifecycleContent,
): Promise<void> {
  const now = ctx.clock.now();
  const referral = await findReferral(ctx.database.db, referralId);
  if (!referral) throw noSuchReferral();
  const party = partyOf(referral.direction);
  const to = nextState(message, party, referral.state as ReferralState);
  if (!to) throw new DomainError(409, 'illegal-transition', 'Not possible in this state', illegal(message, party, referral.state));
  const violation = await outsideConsent(ctx.database.db, ctx, referral, content.client, now);
  if (violation) throw new DomainError(422, 'consent-violation', 'Not covered by consent', violation);

  const peer = await findPeer(ctx.database.db, referral.peer_id);
  if (!peer) throw noSuchReferral();
  requireAccepts(peer, message);
  const seq = referral.local_seq + 1;
  // The acceptance names who is responsible here (whoAnswers), as read now: checked again below.
  const named = message === 'referral.accept' ? await whoAnswers(ctx.database.db, referral, peer) : {};
  const sealed = await sealEnvelope({
    type: message,
    from: ctx.self.nodeId,
    to: referral.peer_id,
    referralId,
    seq,
    createdAt: now,
    body: { referral_id: referralId, ...content, ...named },
    recipientKey: JSON.parse(peer.encryption_jwk) as OkpPublicJwk,
    senderKey: ctx.self.encryptionKey.publicJwk,
  });
  // Sealed before the transaction, which then only writes.
  const details = await prepareEventDetails(ctx.dataKeys, { referralId, action: message, details: detailsOf(content), at: now });
  const queued = await prepareEnvelope(ctx.dataKeys, sealed, now);
  await ctx.database.transaction(async (tx) => {
    if (!(await applyOwnLifecycleMessage(tx, referral, message, seq, now))) throw changedMeanwhile();
    // Handed over meanwhile: the acceptance would name the one responsible before (no hand-over follows it).
    if (named.case_reference !== undefined && (await findReferral(tx, referralId))?.assignee_id !== referral.assignee_id) throw changedMeanwhile();
    await recordEvent(tx, ctx, {
      referralId, at: now, action: message, from: referral.state, to,
      actor: { kind: 'user', id: actor.userId }, code: codeOf(content), envelopeId: sealed.header.id, preparedDetails: details,
    });
    if (content.client && referral.consent_id) {
      await recordDisclosure(tx, now, actor, {
        referralId, peerId: referral.peer_id, envelopeId: sealed.header.id, message, consentId: referral.consent_id, client: content.client,
      });
    }
    await enqueuePrepared(tx, ctx, queued);
  });
  ctx.logger.info({ referral: referralId, message, envelope: sealed.header.id, state: to }, 'lifecycle message queued');
}

/**
 * What the receiver tells the sender with its acceptance and each later hand-over: its case
 * reference and the caseworker responsible here, if someone is; only to a peer that understands
 * them (peers/capabilities.ts).
 */
export async function whoAnswers(
  db: Db | Tx,
  referral: Pick<Selectable<ReferralsTable>, 'case_ref' | 'assignee_id'>,
  peer: { identity_jws: string },
): Promise<Pick<LifecycleContent, 'case_reference' | 'caseworker'>> {
  if (!understandsHandover(peer)) return {};
  const caseworker = referral.assignee_id ? await responsibleCaseworkerOf(db, referral.assignee_id) : undefined;
  return { case_reference: referral.case_ref, ...(caseworker ? { caseworker } : {}) };
}

async function stateBeforeExpiry(tx: Tx, referralId: string): Promise<string> {
  const expiry = await tx
    .selectFrom('referral_events')
    .select('from_state')
    .where('referral_id', '=', referralId)
    .where('action', '=', 'expiry')
    .executeTakeFirst();
  return expiry?.from_state ?? 'expired';
}

/**
 * Why the consent of a referral this node sent does not allow the onward referral its receiver
 * reports, if it does not: she did not agree to be referred on, or not to that organisation. The
 * referring-on node checks the same before it seals (onward.ts); this is the original sender's
 * own check of what it is told (spec: MessageType, "Onward referral").
 */
async function onwardOutsideConsent(tx: Tx, referral: Selectable<ReferralsTable>, to: string | undefined): Promise<string | undefined> {
  const consent = referral.consent_id ? await findConsent(tx, referral.consent_id) : undefined;
  const permission = consent?.onward ? (JSON.parse(consent.onward) as Fed['schemas']['OnwardPermission']) : undefined;
  if (!permission?.allowed) return 'The consent of this referral does not allow referring the client on to another organisation.';
  if (permission.recipients && (!to || !permission.recipients.includes(to))) return 'The consent of this referral allows onward referral only to other organisations than this one.';
  return undefined;
}

/** Applies a lifecycle message from the peer inside the receiving transaction; throws a problem to refuse it. */
export async function applyLifecycleMessage(
  tx: Tx,
  ctx: NodeContext,
  envelope: VerifiedEnvelope,
  message: LifecycleMessage,
  preparedDetails?: PreparedPayload,
): Promise<void> {
  const { header } = envelope;
  const referral = await findReferralWith(tx, header.referral_id, envelope.peer.id);
  // A referral whose data was erased here answers like one never held, before its order or state
  // is looked at: no answer tells a peer which ids this node holds, held or erased (issue 17).
  if (!referral || referral.erased_at) throw envelopeProblem('unknown-referral');
  if (header.seq > referral.peer_seq + 1) throw envelopeProblem('out-of-order', `This node has applied message ${referral.peer_seq} of yours; send ${referral.peer_seq + 1} first.`);
  if (header.seq <= referral.peer_seq) throw envelopeProblem('envelope-conflict', 'A message with this sequence number was already applied.');
  const peerParty: Party = partyOf(referral.direction) === 'sender' ? 'receiver' : 'sender';
  // An answer made before the reply-by date counts even if it arrives after this side expired
  // the referral: otherwise the two sides would disagree for good.
  const answeredInTime =
    referral.state === 'expired' && referral.reply_by !== null && Date.parse(header.created_at) <= Date.parse(referral.reply_by);
  const current = answeredInTime ? await stateBeforeExpiry(tx, referral.id) : referral.state;
  const to = nextState(message, peerParty, current as ReferralState);
  if (!to) throw envelopeProblem('illegal-transition', illegal(message, peerParty, referral.state));
  const content = envelope.body as LifecycleContent;
  const now = ctx.clock.now();
  const violation = await outsideConsent(tx, ctx, referral, content.client, now);
  if (violation) throw envelopeProblem('invalid-body', violation);
  if (message === 'referral.onward') {
    const notAllowed = await onwardOutsideConsent(tx, referral, content.to);
    if (notAllowed) throw envelopeProblem('consent-onward-not-allowed', notAllowed);
  }
  if (REPEATABLE.has(message)) await checkStoredBytes(tx, ctx, envelope.peer.id, ctx.limits.peerQuotas, now, envelope.jws.length);
  await applyPeerLifecycleMessage(tx, referral, message, peerMessageOf(envelope), current as ReferralState, now);
  if (content.case_reference && content.case_reference !== referral.partner_case_ref) await setPartnerCaseReference(tx, referral.id, content.case_reference);
  await recordEvent(tx, ctx, {
    referralId: referral.id, at: now, action: message, from: referral.state, to,
    actor: { kind: 'peer', id: envelope.peer.id }, code: codeOf(content), envelopeId: header.id,
    ...(preparedDetails ? { preparedDetails } : { details: detailsOf(content) }),
  });
}

