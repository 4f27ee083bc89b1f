// The referral lifecycle as data: which party may send which message from which states, and the
// state it leads to. The two messages that start a referral (inquiry, offer) are handled by
// referrals/service.ts; an offer may also follow an answered inquiry (OFFER_AFTER_INQUIRY). The same table is in spec/federation.yaml (MessageType); both sides of a
// referral check every message against it, whether it is made here or arrives from the peer.
import type { components } from '../../spec/generated/local.js';
import { DomainError } from '../errors.js';

export type ReferralState = components['schemas']['ReferralState'];
export type Party = 'sender' | 'receiver';

/** The two messages that open a referral: the offer, and the inquiry that may come before it. */
export const OFFER = 'referral.offer';
export const INQUIRY = 'referral.inquiry';

export const LIFECYCLE_MESSAGES = [
  'referral.inquiry-answer',
  'referral.info-request',
  'referral.info-response',
  'referral.accept',
  'referral.decline',
  'referral.update',
  'referral.complete',
  'referral.withdraw',
  'referral.onward',
  'referral.handover',
] as const;
export type LifecycleMessage = (typeof LIFECYCLE_MESSAGES)[number];

interface Transition {
  by: Party;
  from: readonly ReferralState[];
  /** null: the message is recorded but the state stays as it is. */
  to: ReferralState | null;
}

export const TRANSITIONS: Readonly<Record<LifecycleMessage, Transition>> = {
  'referral.inquiry-answer': { by: 'receiver', from: ['inquiry'], to: 'inquiry-answered' },
  'referral.info-request': { by: 'receiver', from: ['delivered'], to: 'info-requested' },
  'referral.info-response': { by: 'sender', from: ['info-requested'], to: 'delivered' },
  'referral.accept': { by: 'receiver', from: ['delivered'], to: 'accepted' },
  'referral.decline': { by: 'receiver', from: ['delivered', 'info-requested'], to: 'declined' },
  'referral.update': { by: 'receiver', from: ['accepted', 'in-progress'], to: 'in-progress' },
  'referral.complete': { by: 'receiver', from: ['accepted', 'in-progress'], to: 'completed' },
  'referral.withdraw': {
    by: 'sender',
    from: ['inquiry', 'inquiry-answered', 'sent', 'delivered', 'info-requested', 'accepted', 'in-progress'],
    to: 'withdrawn',
  },
  'referral.onward': { by: 'receiver', from: ['delivered', 'accepted', 'in-progress'], to: null },
  'referral.handover': { by: 'receiver', from: ['accepted', 'in-progress'], to: null },
};

/** Sent by the node itself when the responsible caseworker changes (assignment.ts), never offered as an action. */
export const HANDOVER = 'referral.handover' satisfies LifecycleMessage;

/** The lifecycle messages a person sends (the actions of the interface, the CLI and the local API): all but the hand-over. */
export type LifecycleAction = Exclude<LifecycleMessage, typeof HANDOVER>;
export const LIFECYCLE_ACTIONS = LIFECYCLE_MESSAGES.filter((message): message is LifecycleAction => message !== HANDOVER);

export const isLifecycleMessage = (type: string): type is LifecycleMessage => type in TRANSITIONS;

/** Consent withdrawal and erasure: the second table of spec/federation.yaml (MessageType). */
export const ERASURE_MESSAGES = ['consent.withdraw', 'erasure.receipt'] as const;
export type ErasureMessage = (typeof ERASURE_MESSAGES)[number];

export const ERASURE_TRANSITIONS: Readonly<Record<ErasureMessage, Transition>> = {
  'consent.withdraw': {
    by: 'sender',
    from: ['inquiry', 'inquiry-answered', 'sent', 'delivered', 'info-requested', 'accepted', 'in-progress', 'completed', 'declined', 'withdrawn', 'expired'],
    to: 'consent-withdrawn',
  },
  'erasure.receipt': { by: 'receiver', from: ['completed', 'declined', 'withdrawn', 'expired', 'consent-withdrawn'], to: null },
};

export const isErasureMessage = (type: string): type is ErasureMessage => type in ERASURE_TRANSITIONS;

/** The state after a consent or erasure message sent by `by`, or undefined when the table does not allow it. */
export function erasureNextState(message: ErasureMessage, by: Party, current: ReferralState): ReferralState | undefined {
  const transition = ERASURE_TRANSITIONS[message];
  if (transition.by !== by || !transition.from.includes(current)) return undefined;
  return transition.to ?? current;
}

/** States a referral stays in for good: past them, only erasure happens. */
export const CLOSED_STATES: readonly ReferralState[] = ['completed', 'declined', 'withdrawn', 'expired', 'consent-withdrawn'];

/** The party this node plays in a referral. */
export const partyOf = (direction: 'incoming' | 'outgoing'): Party => (direction === 'outgoing' ? 'sender' : 'receiver');

/**
 * The state after `message` sent by `by`, or undefined when the table does not allow it. An
 * offer this node sent is `sent` until the receipt comes; the receiver's reply may overtake the
 * receipt, so for the receiver's messages `sent` counts as `delivered`.
 */
export function nextState(message: LifecycleMessage, by: Party, current: ReferralState): ReferralState | undefined {
  const transition = TRANSITIONS[message];
  if (transition.by !== by) return undefined;
  const effective = by === 'receiver' && current === 'sent' ? 'delivered' : current;
  if (!transition.from.includes(effective)) return undefined;
  return transition.to ?? current;
}

/** The actions a party may take now: what a person is offered in the CLI or UI. */
export function allowedActions(by: Party, current: ReferralState): LifecycleAction[] {
  return LIFECYCLE_ACTIONS.filter((message) => nextState(message, by, current) !== undefined);
}

/** States in which an offer still waits for its answer: past the reply-by date they expire. */
export const AWAITING_ANSWER: readonly ReferralState[] = ['inquiry', 'sent', 'delivered', 'info-requested'];

/** The state from which the sender may make the offer of a referral that began as an inquiry. */
export const OFFER_AFTER_INQUIRY = 'inquiry-answered' satisfies ReferralState;

export const noSuchReferral = (): DomainError =>
  new DomainError(404, 'not-found', 'No such referral', 'There is no referral with this id on this node.');
