// The timeline of a referral: every state change, when, and by whom (a user here or the peer).
// Codes are plain; notes, questions, answers and further client data are encrypted payloads.
import { uuidv7 } from '../util/uuidv7.js';
import { insertionOrder } from '../db/dialect.js';
import type { components } from '../../spec/generated/local.js';
import type { NodeContext } from '../context.js';
import type { Tx } from '../db/database.js';
import { preparedStatement } from '../db/prepared.js';
import type { DataKeys } from '../data-keys/data-keys.js';
import { keepPayload, preparePayload, readPayloadById, storePayload, type PreparedPayload } from './payload-store.js';
import { appendAuditEvent } from '../audit-log/append.js';
import { notifyOfReferralEvent } from '../notifications/events.js';

export type TimelineEntry = components['schemas']['TimelineEntry'];
export type Information = NonNullable<components['schemas']['ReferralDetail']['information']>[number];
type ClientData = components['schemas']['ClientData'];

export interface EventDetails {
  note?: string | undefined;
  client?: ClientData | undefined;
  /** An inquiry answer's date and reason, kept with its note. */
  available_from?: string | undefined;
  reason?: string | undefined;
  /** referral.onward: where the case was referred on to. */
  onward?: { to: string; referral_id: string } | undefined;
  /** referral.accept, referral.handover from the receiver: who is responsible for the referral there. */
  caseworker?: PartnerCaseworker | undefined;
}

/** The receiving organisation's responsible caseworker, as it sent her (spec/federation.yaml ResponsibleCaseworker). */
export interface PartnerCaseworker {
  name: string;
  contact?: string | undefined;
}

/** The actions by which the receiver names its responsible caseworker. */
const CASEWORKER_ACTIONS = new Set(['referral.accept', 'referral.handover']);

export interface NewEvent {
  referralId: string;
  at: Date;
  action: string;
  from: string | null;
  to: string;
  actor: { kind: 'user' | 'peer' | 'system'; id: string };
  code?: string | undefined;
  envelopeId?: string | undefined;
  details?: EventDetails | undefined;
  /** The details sealed before the transaction (prepareEventDetails), in place of `details`. */
  preparedDetails?: PreparedPayload | undefined;
  /** The referral's peer and direction, where the caller has just written or read them: not read again. */
  referral?: { peer_id: string; direction: 'incoming' | 'outgoing' } | undefined;
}

const hasAny = (details: EventDetails | undefined): details is EventDetails => details !== undefined && Object.values(details).some((value) => value !== undefined);

/** An event's details sealed ahead of the transaction that records it; undefined when it has none. */
export async function prepareEventDetails(
  dataKeys: DataKeys,
  event: { referralId: string; action: string; details: EventDetails | undefined; at: Date },
): Promise<PreparedPayload | undefined> {
  if (!hasAny(event.details)) return undefined;
  return preparePayload(dataKeys, { referralId: event.referralId, kind: `event:${event.action}`, content: event.details, now: event.at });
}

const insertEvent = preparedStatement(
  (db, v: { id: string; referralId: string; at: string; action: string; from: string | null; to: string; actorKind: NewEvent['actor']['kind']; actorId: string; code: string | null; envelopeId: string | null; payloadId: string | null }) =>
    db.insertInto('referral_events').values({
      id: v.id, referral_id: v.referralId, at: v.at, action: v.action, from_state: v.from, to_state: v.to,
      actor_kind: v.actorKind, actor_id: v.actorId, code: v.code, envelope_id: v.envelopeId, payload_id: v.payloadId,
    }),
);
const peerOfReferral = preparedStatement((db, v: { id: string }) => db.selectFrom('referrals').select(['peer_id', 'direction']).where('id', '=', v.id));

export async function recordEvent(tx: Tx, ctx: NodeContext, event: NewEvent): Promise<void> {
  const payloadId = event.preparedDetails
    ? await keepPayload(tx, ctx.dataKeys, event.preparedDetails)
    : hasAny(event.details)
      ? await storePayload(tx, ctx.dataKeys, { referralId: event.referralId, kind: `event:${event.action}`, content: event.details, now: event.at })
      : null;
  await insertEvent.execute(tx, {
    id: uuidv7(),
    referralId: event.referralId,
    at: event.at.toISOString(),
    action: event.action,
    from: event.from,
    to: event.to,
    actorKind: event.actor.kind,
    actorId: event.actor.id,
    code: event.code ?? null,
    envelopeId: event.envelopeId ?? null,
    payloadId,
  });
  const referral = event.referral ?? (await peerOfReferral.first(tx, { id: event.referralId }));
  if (!referral) throw new Error(`No referral ${event.referralId} to record an event of.`);
  await appendAuditEvent(tx, event.at, event.actor, {
    type: 'referral.event',
    referral_id: event.referralId,
    peer_id: referral.peer_id,
    direction: referral.direction,
    action: event.action,
    from_state: event.from,
    to_state: event.to,
    ...(event.code ? { code: event.code } : {}),
    ...(event.envelopeId ? { envelope_id: event.envelopeId } : {}),
  });
  // What the other organisation did is told to whoever works on it here, in this transaction.
  await notifyOfReferralEvent(tx, event);
}

const INFORMATION_ACTIONS = new Set(['referral.info-request', 'referral.info-response']);

export type InquiryAnswer = NonNullable<components['schemas']['Inquiry']['answer']>;
/** The receiver's responsible caseworker and since when (the message that named her). */
export type PartnerCaseworkerSince = PartnerCaseworker & { since: string };

export async function readTimeline(
  ctx: NodeContext,
  referralId: string,
): Promise<{ timeline: TimelineEntry[]; information: Information[]; inquiryAnswer?: InquiryAnswer; partnerCaseworker?: PartnerCaseworkerSince }> {
  const { db } = ctx.database;
  // Events within the same millisecond keep the order they were written in.
  const rows = await db.selectFrom('referral_events').selectAll().where('referral_id', '=', referralId).orderBy('at').orderBy(insertionOrder(db)).execute();
  const timeline: TimelineEntry[] = [];
  const information: Information[] = [];
  let inquiryAnswer: InquiryAnswer | undefined;
  // The latest the receiver said: a hand-over that names nobody replaces whom it named before.
  let partnerCaseworker: PartnerCaseworkerSince | undefined;
  for (const row of rows) {
    const details = row.payload_id ? await readPayloadById<EventDetails>(db, ctx.dataKeys, row.payload_id) : undefined;
    timeline.push({
      at: row.at,
      action: row.action,
      ...(row.from_state ? { from_state: row.from_state as TimelineEntry['to_state'] } : {}),
      to_state: row.to_state as TimelineEntry['to_state'],
      by: { kind: row.actor_kind, id: row.actor_id },
      ...(row.code ? { code: row.code } : {}),
      ...(details?.note !== undefined ? { note: details.note } : {}),
      ...(details?.onward ? { onward: details.onward } : {}),
      ...(details?.caseworker ? { caseworker: details.caseworker } : {}),
      ...(row.envelope_id ? { envelope_id: row.envelope_id } : {}),
    });
    if (row.actor_kind === 'peer' && CASEWORKER_ACTIONS.has(row.action) && (details?.caseworker || row.action === 'referral.handover')) {
      partnerCaseworker = details?.caseworker ? { ...details.caseworker, since: row.at } : undefined;
    }
    if (row.action === 'referral.inquiry-answer') {
      inquiryAnswer = {
        capacity: row.code as InquiryAnswer['capacity'],
        ...(details?.available_from ? { available_from: details.available_from } : {}),
        ...(details?.reason ? { reason: details.reason as InquiryAnswer['reason'] } : {}),
        ...(details?.note !== undefined ? { note: details.note } : {}),
      };
    }
    if (INFORMATION_ACTIONS.has(row.action)) {
      information.push({
        at: row.at,
        action: row.action as Information['action'],
        ...(details?.note !== undefined ? { text: details.note } : {}),
        ...(details?.client ? { client: details.client } : {}),
      });
    }
  }
  return { timeline, information, ...(inquiryAnswer ? { inquiryAnswer } : {}), ...(partnerCaseworker ? { partnerCaseworker } : {}) };
}

/** The organisations the receiver told us it referred this case on to (referral.onward). */
export async function onwardNoticesOf(tx: Tx, dataKeys: DataKeys, referralId: string): Promise<Array<{ to: string; referral_id: string }>> {
  const events = await tx
    .selectFrom('referral_events')
    .select('payload_id')
    .where('referral_id', '=', referralId)
    .where('action', '=', 'referral.onward')
    .where('payload_id', 'is not', null)
    .execute();
  const onward: Array<{ to: string; referral_id: string }> = [];
  for (const event of events) {
    const details = await readPayloadById<EventDetails>(tx, dataKeys, event.payload_id!);
    if (details?.onward) onward.push(details.onward);
  }
  return onward;
}

/** An erasure: the timeline keeps its codes and states, and lets go of the encrypted details (deleted with the payloads). */
export async function detachEventDetails(tx: Tx, referralId: string): Promise<void> {
  await tx.updateTable('referral_events').set({ payload_id: null }).where('referral_id', '=', referralId).execute();
}
