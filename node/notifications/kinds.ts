// The kinds of notification, and which event of a referral's timeline makes which. Only what the
// other organisation or the node itself did is told: a user's own action never notifies anyone
// (she did it; her colleagues see it on the referral and in the lists).

export const NOTIFICATION_KINDS = [
  'referral-received',
  'inquiry-received',
  'information-requested',
  'information-given',
  'inquiry-answered',
  'accepted',
  'declined',
  'completed',
  'withdrawn',
  'consent-withdrawn',
  'reply-by-tomorrow',
  'delivery-failed',
  'erasure-outstanding',
] as const;

export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const isNotificationKind = (value: unknown): value is NotificationKind =>
  typeof value === 'string' && (NOTIFICATION_KINDS as readonly string[]).includes(value);

/** The messages of the other organisation that make a notification, by the timeline's action. */
const FROM_THE_PEER: Readonly<Record<string, NotificationKind>> = {
  'referral.offer': 'referral-received',
  'referral.inquiry': 'inquiry-received',
  'referral.info-request': 'information-requested',
  'referral.info-response': 'information-given',
  'referral.inquiry-answer': 'inquiry-answered',
  'referral.accept': 'accepted',
  'referral.decline': 'declined',
  'referral.complete': 'completed',
  'referral.withdraw': 'withdrawn',
  'consent.withdraw': 'consent-withdrawn',
};

/**
 * The kind of notification a timeline event makes, if any: messages of the peer that ask
 * something of this organisation or end what it waits for. Progress reports, receipts, onward
 * notices and hand-overs do not (the referral's page and the lists show them), nor does anything
 * a user or the node's own rules did (expiry is told a day ahead: reply-by-tomorrow).
 */
export function kindOfEvent(event: { action: string; actor: { kind: 'user' | 'peer' | 'system' } }): NotificationKind | undefined {
  if (event.actor.kind !== 'peer') return undefined;
  return Object.hasOwn(FROM_THE_PEER, event.action) ? FROM_THE_PEER[event.action] : undefined;
}
