// Consent withdrawal across organisations (spec/federation.yaml, "Consent withdrawal and
// erasure"). The sender records the withdrawal and sends `consent.withdraw` on every referral made
// under the consent to the recipients concerned; each receiver erases the personal data, passes
// the withdrawal on to organisations it referred the case on to, and answers `erasure.receipt`
// with its signed statement; onward recipients' statements are relayed back to the sender. Each
// step commits with its audit entries and outgoing envelopes, or not at all.
import type { Selectable } from 'kysely';
import type { components as Fed } from '../../spec/generated/federation.js';
import type { NodeContext } from '../context.js';
import type { Tx } from '../db/database.js';
import type { PeersTable } from '../db/schema.js';
import type { OkpPublicJwk } from '../identity/keys.js';
import { appendAuditEvent } from '../audit-log/append.js';
import type { AuditActor } from '../audit-log/events.js';
import { DomainError } from '../errors.js';
import { envelopeProblem } from '../envelope/problems.js';
import { sealEnvelope } from '../envelope/seal.js';
import { cancelQueuedMessages, enqueueEnvelope, peerMayHoldReferral } from '../delivery/outbox.js';
import type { VerifiedEnvelope } from '../envelope/verify.js';
import { normaliseNodeUrl } from '../peers/service.js';
import { erasureNextState, partyOf, type ErasureMessage, type ReferralState } from '../referrals/lifecycle.js';
import {
  applyPeerErasureMessage,
  createReferralRecord,
  findReferral,
  findReferralWith,
  onwardReferralsToWithdraw,
  peerMessageOf,
  recordOwnErasureReceipt,
  referralsToWithdraw,
  withdrawOwnReferral,
  type Referral,
} from '../referrals/state.js';
import { onwardNoticesOf, recordEvent } from '../referrals/timeline.js';
import { checkPeerQuotas } from '../referrals/quotas.js';
import { eraseReferralData } from './erasure.js';
import { completeErasures } from '../data-keys/shredding.js';
import { confirmErasure, owedOnwardReferralId, recordErasureOwed } from './erasures.js';
import { consentView, findConsent, recordWithdrawal, type Consent } from './service.js';
import { findPeer } from '../peers/store.js';
import { peerSigningKeys } from '../peers/peer-keys.js';
import { readUnverifiedStatement, signErasureStatement, verifyErasureStatement } from './statement.js';

type ConsentWithdrawBody = Fed['schemas']['ConsentWithdrawBody'];
type ErasureReceiptBody = Fed['schemas']['ErasureReceiptBody'];

const WITHDRAW: ErasureMessage = 'consent.withdraw';
const RECEIPT: ErasureMessage = 'erasure.receipt';

/**
 * Records the client's withdrawal of a consent recorded here, for `recipients` (all when absent),
 * and starts erasure at each of them. Withdrawing again for the same recipients changes nothing.
 */
export async function withdrawConsent(
  ctx: NodeContext,
  actor: { userId: string },
  consentId: string,
  request: { recipients?: string[] | undefined },
): Promise<Consent> {
  const now = ctx.clock.now();
  const row = await findConsent(ctx.database.db, consentId);
  if (!row) throw new DomainError(404, 'not-found', 'No such consent', 'There is no consent record with this id on this node.');
  if (row.origin !== 'self' || row.derived_from) {
    throw new DomainError(409, 'illegal-transition', 'Recorded elsewhere', 'This consent was given to the organisation that sent the referral; the withdrawal is recorded there and reaches this node from it.');
  }
  const recipients = JSON.parse(row.recipients) as string[];
  const targets = request.recipients ? request.recipients.map(normalised) : recipients;
  const unknown = targets.filter((r) => !recipients.includes(r));
  if (unknown.length > 0) throw new DomainError(422, 'invalid-request', 'Not a recipient', 'Each recipient to withdraw for must be one the consent names.');
  const who: AuditActor = { kind: 'user', id: actor.userId };
  const withdrawnNow = await ctx.database.transaction(async (tx) => {
    // Read again under the write lock: a withdrawal for other recipients may have committed meanwhile.
    const current = (await findConsent(tx, row.id))!;
    const already = JSON.parse(current.withdrawn_for) as string[];
    const fresh = targets.filter((r) => !already.includes(r));
    if (fresh.length === 0) return 0;
    const withdrawnFor = [...already, ...fresh];
    await recordWithdrawal(tx, row.id, { withdrawnFor, withdrawnAt: current.withdrawn_at ?? now.toISOString() });
    await appendAuditEvent(tx, now, who, {
      type: 'consent.withdrawn', consent_id: row.id, recipients: fresh, whole: recipients.every((r) => withdrawnFor.includes(r)),
    });
    for (const referral of await referralsToWithdraw(tx, row.id, fresh)) await withdrawFromReferral(tx, ctx, referral, row.id, who, now);
    return fresh.length;
  });
  if (withdrawnNow > 0) {
    ctx.logger.info({ consent: row.id, recipients: withdrawnNow }, 'consent withdrawn');
    // Messages cancelled unsent had their data keys destroyed.
    await completeErasures(ctx);
  }
  return consentView(ctx, (await findConsent(ctx.database.db, consentId))!);
}

function normalised(recipient: string): string {
  try {
    return normaliseNodeUrl(recipient);
  } catch {
    throw new DomainError(422, 'invalid-request', 'Not a recipient', 'Each recipient is an organisation\'s node id: its https URL.');
  }
}

/**
 * One outgoing referral under a withdrawn consent, inside `tx`: our queued messages are cancelled;
 * when anything reached the peer (or is reaching it now), `consent.withdraw` is queued and the
 * erasures owed by the peer and by any organisation it referred the case on to are recorded.
 * Returns whether a message was queued.
 */
async function withdrawFromReferral(tx: Tx, ctx: NodeContext, referral: Referral, consentId: string, actor: AuditActor, now: Date): Promise<boolean> {
  await cancelQueuedMessages(tx, { referralId: referral.id }, now, 'consent withdrawn', actor);
  const reached = referral.state !== 'draft' && (await peerMayHoldReferral(tx, referral.id, now));
  let envelopeId: string | undefined;
  let seq = referral.local_seq;
  if (reached) {
    const peer = await heldPeer(tx, referral.peer_id);
    seq += 1;
    const body: ConsentWithdrawBody = { referral_id: referral.id, consent_id: consentId };
    const sealed = await sealEnvelope({
      type: WITHDRAW, from: ctx.self.nodeId, to: referral.peer_id, referralId: referral.id, seq, createdAt: now, body,
      recipientKey: JSON.parse(peer.encryption_jwk) as OkpPublicJwk, senderKey: ctx.self.encryptionKey.publicJwk,
    });
    await enqueueEnvelope(tx, ctx, sealed, now);
    envelopeId = sealed.header.id;
    await recordErasureOwed(tx, referral.id, { nodeId: referral.peer_id, reason: 'consent-withdrawn', now, actor, envelopeId });
    for (const onward of await onwardNoticesOf(tx, ctx.dataKeys, referral.id)) {
      await recordErasureOwed(tx, referral.id, { nodeId: onward.to, onwardReferralId: onward.referral_id, reason: 'consent-withdrawn', now, actor });
    }
  }
  await withdrawOwnReferral(tx, referral, seq, now);
  await recordEvent(tx, ctx, {
    referralId: referral.id, at: now, action: WITHDRAW, from: referral.state, to: 'consent-withdrawn', actor, ...(envelopeId ? { envelopeId } : {}),
  });
  return reached;
}

/** The referral a consent or erasure message is about, checked for peer, order and transition. */
async function referralFor(tx: Tx, envelope: VerifiedEnvelope, message: ErasureMessage): Promise<{ referral: Referral; to: ReferralState }> {
  const { header } = envelope;
  const referral = await findReferralWith(tx, header.referral_id, envelope.peer.id);
  if (!referral) throw envelopeProblem('unknown-referral');
  // Cancelled messages leave gaps: any seq above the last applied is taken.
  if (header.seq <= referral.peer_seq) throw envelopeProblem('envelope-conflict', 'A message with this sequence number was already applied.');
  const peerParty = partyOf(referral.direction) === 'sender' ? 'receiver' : 'sender';
  const to = erasureNextState(message, peerParty, referral.state as ReferralState);
  if (!to) throw envelopeProblem('illegal-transition', `The ${peerParty} of a referral cannot send ${message} while it is ${referral.state}.`);
  return { referral, to };
}

/**
 * A withdrawal for a referral this node never received (the offer was cancelled after a failed
 * attempt, or lost): we hold nothing, and say so with a signed statement like any other erasure.
 * The referral is kept as a bare record (ids, state, dates; no personal data) to carry that
 * answer, and counts in the peer's quotas like any new referral: withdrawals for made-up ids
 * cannot fill the database.
 */
async function recordNeverReceived(tx: Tx, ctx: NodeContext, envelope: VerifiedEnvelope, now: Date): Promise<void> {
  const { header } = envelope;
  if (await findReferral(tx, header.referral_id)) throw envelopeProblem('unknown-referral');
  await checkPeerQuotas(tx, ctx, envelope.peer.id, ctx.limits.peerQuotas, now, envelope.jws.length);
  await createReferralRecord(tx, ctx.self.country, {
    id: header.referral_id, direction: 'incoming', peer_id: envelope.peer.id, state: 'delivered',
    // Never told: the least urgent level stands in for it.
    urgency: 'routine', created_by: null, consent_id: null, parent_referral_id: null, reply_by: null,
  }, now);
}

/** Receiver: the sender withdrew the consent. Erase, pass it on, answer with our statement. */
export async function applyConsentWithdraw(tx: Tx, ctx: NodeContext, envelope: VerifiedEnvelope): Promise<void> {
  if (!(await findReferralWith(tx, envelope.header.referral_id, envelope.peer.id))) await recordNeverReceived(tx, ctx, envelope, ctx.clock.now());
  const { referral } = await referralFor(tx, envelope, WITHDRAW);
  const body = envelope.body as ConsentWithdrawBody;
  const now = ctx.clock.now();
  const at = now.toISOString();
  const actor: AuditActor = { kind: 'peer', id: envelope.peer.id };
  if (referral.consent_id) {
    const consent = await findConsent(tx, referral.consent_id);
    if (consent && consent.origin_consent_id !== body.consent_id) throw envelopeProblem('invalid-body', 'consent_id is not the consent this referral was made under.');
    await recordWithdrawal(tx, referral.consent_id, { withdrawnFor: [ctx.self.nodeId], withdrawnAt: at });
    await appendAuditEvent(tx, now, actor, { type: 'consent.withdrawn', consent_id: referral.consent_id, recipients: [ctx.self.nodeId], whole: true });
  }
  await eraseReferralData(tx, referral.id, 'consent-withdrawn', actor, now);
  const to = await applyPeerErasureMessage(tx, referral, WITHDRAW, peerMessageOf(envelope), now);
  await recordEvent(tx, ctx, { referralId: referral.id, at: now, action: WITHDRAW, from: referral.state, to, actor, envelopeId: envelope.header.id });

  // The organisations we referred the case on to erase it too; we erase our copy of what we sent
  // them. One our offer never reached is named as not sent, so the sender does not wait for it.
  const onward: Array<{ to: string; referral_id: string; sent: boolean }> = [];
  for (const child of await onwardReferralsToWithdraw(tx, referral.id)) {
    if (child.consent_id) {
      await recordWithdrawal(tx, child.consent_id, { withdrawnFor: [child.peer_id], withdrawnAt: at });
      await appendAuditEvent(tx, now, actor, { type: 'consent.withdrawn', consent_id: child.consent_id, recipients: [child.peer_id], whole: true });
    }
    // Erased first: the withdrawal queued next must not be emptied with the rest.
    await eraseReferralData(tx, child.id, 'consent-withdrawn', actor, now);
    const sent = await withdrawFromReferral(tx, ctx, child, child.consent_id ?? referral.consent_id ?? '', actor, now);
    onward.push({ to: child.peer_id, referral_id: child.id, sent });
  }
  const erased = (await findReferral(tx, referral.id))!;
  await queueErasureReceipt(tx, ctx, erased, actor, now, onward.length > 0 ? { onward } : {});
}

/**
 * Queues `erasure.receipt` to the sender of an incoming referral whose data this node erased,
 * with our signed statement, inside `tx`.
 */
export async function queueErasureReceipt(
  tx: Tx,
  ctx: NodeContext,
  referral: Referral,
  actor: AuditActor,
  now: Date,
  extra: Pick<ErasureReceiptBody, 'onward' | 'relayed'>,
): Promise<void> {
  if (!referral.erased_at || !referral.erasure_reason) throw new Error(`Referral ${referral.id} was not erased; there is nothing to confirm.`);
  const peer = await heldPeer(tx, referral.peer_id);
  const statement = await signErasureStatement(
    {
      iss: ctx.self.nodeId, aud: referral.peer_id, referral_id: referral.id, reason: referral.erasure_reason,
      erased_at: referral.erased_at, iat: Math.floor(now.getTime() / 1000),
    },
    ctx.self.signingKey,
  );
  const body: ErasureReceiptBody = { referral_id: referral.id, reason: referral.erasure_reason, statement, ...extra };
  const seq = referral.local_seq + 1;
  const sealed = await sealEnvelope({
    type: RECEIPT, from: ctx.self.nodeId, to: referral.peer_id, referralId: referral.id, seq, createdAt: now, body,
    recipientKey: JSON.parse(peer.encryption_jwk) as OkpPublicJwk, senderKey: ctx.self.encryptionKey.publicJwk,
  });
  await enqueueEnvelope(tx, ctx, sealed, now);
  await recordOwnErasureReceipt(tx, referral, seq, now);
  await recordEvent(tx, ctx, {
    referralId: referral.id, at: now, action: RECEIPT, from: referral.state, to: referral.state, actor, code: referral.erasure_reason, envelopeId: sealed.header.id,
  });
}

/** Sender (or a receiver that referred the case on): an organisation confirms it erased the data. */
export async function applyErasureReceipt(tx: Tx, ctx: NodeContext, envelope: VerifiedEnvelope): Promise<void> {
  const { referral } = await referralFor(tx, envelope, RECEIPT);
  const body = envelope.body as ErasureReceiptBody;
  const peer = envelope.peer;
  const now = ctx.clock.now();
  const actor: AuditActor = { kind: 'peer', id: peer.id };
  // The keys of its whole chain, read from its identity document (a message carries the peer without it).
  const held = await findPeer(tx, peer.id);
  if (!held) throw new Error(`The verified sender ${peer.id} is not among the peers.`);
  const own = await verifyErasureStatement(body.statement, peerSigningKeys(held), {
    iss: peer.id, aud: ctx.self.nodeId, referralId: referral.id,
  });
  if (!own || own.reason !== body.reason) throw envelopeProblem('invalid-body', 'The erasure statement is not signed by the sender of this message for this referral.');
  await confirmErasure(tx, referral.id, { nodeId: peer.id, reason: body.reason, statement: body.statement, verified: true, now, actor });

  for (const onward of body.onward ?? []) {
    await recordErasureOwed(tx, referral.id, { nodeId: onward.to, onwardReferralId: onward.referral_id, reason: body.reason, now, actor, relayedBy: peer.id });
    // Never sent on: the receiver's own signed statement covers it.
    if (onward.sent === false) {
      await confirmErasure(tx, referral.id, { nodeId: onward.to, reason: body.reason, statement: body.statement, verified: true, now, actor, relayedBy: peer.id });
    }
  }
  for (const relayed of body.relayed ?? []) {
    const owedFor = await owedOnwardReferralId(tx, referral.id, relayed.node_id);
    if (owedFor && owedFor !== relayed.referral_id) {
      throw envelopeProblem('invalid-body', 'A relayed erasure statement is about another referral than the onward one it is given for.');
    }
    const expected = { iss: relayed.node_id, aud: peer.id, referralId: relayed.referral_id };
    const known = await findPeer(tx, relayed.node_id);
    const claims = known
      ? await verifyErasureStatement(relayed.statement, peerSigningKeys(known), expected)
      : readUnverifiedStatement(relayed.statement, expected);
    if (!claims) throw envelopeProblem('invalid-body', 'A relayed erasure statement does not match the organisation and referral it is given for.');
    await recordErasureOwed(tx, referral.id, { nodeId: relayed.node_id, onwardReferralId: relayed.referral_id, reason: claims.reason, now, actor, relayedBy: peer.id });
    await confirmErasure(tx, referral.id, {
      nodeId: relayed.node_id, reason: claims.reason, statement: relayed.statement, verified: known !== undefined, now, actor, relayedBy: peer.id,
    });
  }
  const to = await applyPeerErasureMessage(tx, referral, RECEIPT, peerMessageOf(envelope), now);
  await recordEvent(tx, ctx, { referralId: referral.id, at: now, action: RECEIPT, from: referral.state, to, actor, code: body.reason, envelopeId: envelope.header.id });

  // An onward recipient's erasure goes back to the organisation the case came from, once ours is done.
  if (referral.parent_referral_id) {
    const parent = await findReferral(tx, referral.parent_referral_id);
    if (parent && parent.erased_at && erasureNextState(RECEIPT, 'receiver', parent.state as ReferralState)) {
      await queueErasureReceipt(tx, ctx, parent, actor, now, { relayed: [{ node_id: peer.id, referral_id: referral.id, statement: body.statement }] });
    }
  }
}

async function heldPeer(tx: Tx, id: string): Promise<Selectable<PeersTable>> {
  const peer = await findPeer(tx, id);
  if (!peer) throw new Error(`Peer ${id} is not held here.`);
  return peer;
}
