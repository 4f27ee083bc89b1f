// Who is responsible for a referral at this node (issue 18 item 3): the creator of a referral sent,
// nobody yet for one received (state.ts sets it); then a caseworker takes it, or it is assigned or
// handed over to a colleague, with a note for her if wanted. Each change is a timeline event
// (`assigned`: its code the user now responsible, none when nobody is; the note encrypted like any
// note) and so an entry of the audit log (`referral.event`, without the note).
import type { NodeContext } from '../context.js';
import { DomainError } from '../errors.js';
import { accountState } from '../users/service.js';
import { CLOSED_STATES, noSuchReferral, type ReferralState } from './lifecycle.js';
import { findReferral, setAssignee } from './state.js';
import { recordEvent } from './timeline.js';

export const ASSIGNED = 'assigned';
/** A hand-over note: a few lines for the colleague, encrypted. */
export const MAX_HANDOVER_NOTE = 2000;

/** The roles that can be responsible for a referral (those that work on referrals). */
const RESPONSIBLE_ROLES = ['admin', 'caseworker'] as const;

export interface Assignment {
  /** The user responsible from now on; null: nobody. */
  to: string | null;
  note?: string | undefined;
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
  return ctx.database.transaction(async (tx) => {
    // Checked here: an account disabled or given another role meanwhile is not made responsible.
    if (assignment.to !== null) {
      const user = await accountState(tx, assignment.to);
      if (!user || user.disabled_at || !(RESPONSIBLE_ROLES as readonly string[]).includes(user.role)) {
        throw new DomainError(422, 'invalid-request', 'Not a colleague', 'Only an active caseworker or administrator of this node can be responsible for a referral.');
      }
    }
    const referral = await findReferral(tx, referralId);
    if (!referral) throw noSuchReferral();
    // Her data was erased here: no note about her may be kept again, and the case is over.
    if (referral.erased_at) throw new DomainError(409, 'illegal-transition', 'Erased', 'Her data was erased here: the referral is closed for good.');
    if (referral.assignee_id === assignment.to) return 'unchanged';
    // A closed referral's last change is when it closed: its retention counts from then.
    await setAssignee(tx, referralId, assignment.to, CLOSED_STATES.includes(referral.state as ReferralState) ? undefined : now);
    await recordEvent(tx, ctx, {
      referralId, at: now, action: ASSIGNED, from: referral.state, to: referral.state as ReferralState, actor: { kind: 'user', id: actor.userId },
      ...(assignment.to ? { code: assignment.to } : {}),
      ...(note ? { details: { note } } : {}),
      referral: { peer_id: referral.peer_id, direction: referral.direction },
    });
    return 'changed';
  });
}
