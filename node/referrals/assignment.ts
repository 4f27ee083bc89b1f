// Who is responsible for a referral at this node (issue 18 item 3): the creator of a referral sent,
// nobody yet for one received (state.ts sets it); then a caseworker takes it, or it is assigned or
// handed over to a colleague, with a note for her if wanted. Each change is a timeline event
// (`assigned`: its code the user now responsible, none when nobody is; the note encrypted like any
// note) and so an entry of the audit log (`referral.event`, without the note). On a referral
// received and accepted, the sender is told whom to call: a `referral.handover` with her name and
// work contact, queued in the same transaction, when the sender understands it (spec/federation.yaml).
import type { NodeContext } from '../context.js';
import { enqueuePrepared, prepareEnvelope, type PreparedEnvelope } from '../delivery/outbox.js';
import { sealEnvelope } from '../envelope/seal.js';
import { DomainError } from '../errors.js';
import type { OkpPublicJwk } from '../identity/keys.js';
import { findPeer } from '../peers/store.js';
import { readdressUnread } from '../notifications/store.js';
import { accountState } from '../users/service.js';
import { worksOnReferrals } from '../users/roles.js';
import { CLOSED_STATES, HANDOVER, nextState, noSuchReferral, type ReferralState } from './lifecycle.js';
import { whoAnswers } from './messages.js';
import { applyOwnLifecycleMessage, changedMeanwhile, findReferral, setAssignee, type Referral } from './state.js';
import { recordEvent } from './timeline.js';

export const ASSIGNED = 'assigned';
/** A hand-over note: a few lines for the colleague, encrypted. */
export const MAX_HANDOVER_NOTE = 2000;

export interface Assignment {
  /** The user responsible from now on; null: nobody. */
  to: string | null;
  note?: string | undefined;
}

/**
 * The hand-over message for the sender of a referral received here, sealed before the transaction
 * that queues it; undefined when none is due: the referral is not one received and accepted, or
 * its sender would not understand it. It names `to` (nobody when null), as the acceptance does.
 */
async function prepareHandover(ctx: NodeContext, referral: Referral, to: string | null, now: Date): Promise<PreparedEnvelope | undefined> {
  if (referral.direction !== 'incoming' || !nextState(HANDOVER, 'receiver', referral.state as ReferralState)) return undefined;
  const peer = await findPeer(ctx.database.db, referral.peer_id);
  if (!peer) return undefined;
  const named = await whoAnswers(ctx.database.db, { case_ref: referral.case_ref, assignee_id: to }, peer);
  if (named.case_reference === undefined) return undefined;
  const sealed = await sealEnvelope({
    type: HANDOVER,
    from: ctx.self.nodeId,
    to: referral.peer_id,
    referralId: referral.id,
    seq: referral.local_seq + 1,
    createdAt: now,
    body: { referral_id: referral.id, ...named },
    recipientKey: JSON.parse(peer.encryption_jwk) as OkpPublicJwk,
    senderKey: ctx.self.encryptionKey.publicJwk,
  });
  return prepareEnvelope(ctx.dataKeys, sealed, now);
}

/**
 * Makes `assignment.to` responsible for the referral (`actor` takes it when it is herself). Refused
 * when the user is no active caseworker or administrator of this node, or the note is too long;
 * nothing changes when she already is.
 */
export async function assignReferral(ctx: NodeContext, actor: { userId: string }, referralId: string, assignment: Assignment): Promise<'changed' | 'unchanged'> {
  const note = assignment.note?.trim() || undefined;
  if (note && note.length > MAX_HANDOVER_NOTE) throw new DomainError(422, 'invalid-request', 'Note too long', `A hand-over note is at most ${MAX_HANDOVER_NOTE} characters.`);
  const now = ctx.clock.now();
  const before = await findReferral(ctx.database.db, referralId);
  if (!before) throw noSuchReferral();
  // Sealed before the transaction, which then only writes.
  const handover = before.assignee_id === assignment.to || before.erased_at ? undefined : await prepareHandover(ctx, before, assignment.to, now);
  return ctx.database.transaction(async (tx) => {
    // Checked here: an account disabled or given another role meanwhile is not made responsible.
    if (assignment.to !== null) {
      if (!worksOnReferrals(await accountState(tx, assignment.to))) {
        throw new DomainError(422, 'invalid-request', 'Not a colleague', 'Only an active caseworker or administrator of this node can be responsible for a referral.');
      }
    }
    const referral = await findReferral(tx, referralId);
    if (!referral) throw noSuchReferral();
    // Her data was erased here: no note about her may be kept again, and the case is over.
    if (referral.erased_at) throw new DomainError(409, 'illegal-transition', 'Erased', 'Her data was erased here: the referral is closed for good.');
    if (referral.assignee_id === assignment.to) return 'unchanged';
    // The hand-over was sealed for the referral as read before: its state and our last message.
    if (handover && (referral.state !== before.state || referral.local_seq !== before.local_seq)) throw changedMeanwhile();
    // Accepted meanwhile (the acceptance named whoever was responsible then): a hand-over is due now, and was not sealed.
    if (!handover && before.direction === 'incoming' && referral.state !== before.state && nextState(HANDOVER, 'receiver', referral.state as ReferralState)) throw changedMeanwhile();
    // A closed referral's last change is when it closed: its retention counts from then.
    await setAssignee(tx, referralId, assignment.to, CLOSED_STATES.includes(referral.state as ReferralState) ? undefined : now);
    await readdressUnread(tx, referralId, assignment.to);
    const partner = { peer_id: referral.peer_id, direction: referral.direction };
    await recordEvent(tx, ctx, {
      referralId, at: now, action: ASSIGNED, from: referral.state, to: referral.state as ReferralState, actor: { kind: 'user', id: actor.userId },
      ...(assignment.to ? { code: assignment.to } : {}),
      ...(note ? { details: { note } } : {}),
      referral: partner,
    });
    if (handover) {
      if (!(await applyOwnLifecycleMessage(tx, referral, HANDOVER, handover.sealed.header.seq, now))) throw changedMeanwhile();
      await recordEvent(tx, ctx, {
        referralId, at: now, action: HANDOVER, from: referral.state, to: referral.state as ReferralState, actor: { kind: 'user', id: actor.userId },
        envelopeId: handover.sealed.header.id, referral: partner,
      });
      await enqueuePrepared(tx, ctx, handover);
    }
    return 'changed';
  });
}
