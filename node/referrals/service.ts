// Referrals: sending an offer to a trusted peer, receiving one, and reading them back. The
// state change, the encrypted payload and the outgoing envelope are written in one transaction.
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { components as Fed } from '../../spec/generated/federation.js';
import type { components as Local } from '../../spec/generated/local.js';
import type { NodeContext } from '../context.js';
import type { Tx } from '../db/database.js';
import type { EnvelopesTable, PeersTable, ReferralsTable } from '../db/schema.js';
import { b64u, decodeBase64UrlStrict, utf8 } from '../crypto/encoding.js';
import type { OkpPublicJwk } from '../identity/keys.js';
import { DomainError } from '../errors.js';
import { envelopeProblem } from '../envelope/problems.js';
import { sealEnvelope } from '../envelope/seal.js';
import { enqueueEnvelope } from '../delivery/outbox.js';
import type { VerifiedEnvelope } from '../envelope/verify.js';
import { normaliseNodeUrl } from '../peers/service.js';
import { requireServiceOf } from '../directory/sync.js';
import { categoriesPresent, consentViolation } from './consent.js';
import { appendAuditEvent } from '../audit-log/append.js';
import { consentRowViolation, erasuresOf, findConsent, recordConsent, recordReceivedConsent, wireConsent, type ConsentRecord, type ConsentRow } from '../consents/service.js';
import { isLifecycleMessage, noSuchReferral } from './lifecycle.js';
import { applyLifecycleMessage } from './messages.js';
import { applyConsentWithdraw, applyErasureReceipt } from '../consents/withdrawal.js';
import { recordEvent, readTimeline } from './timeline.js';
import { applyIncomingInquiry, applyOfferAfterInquiry, INQUIRY, type ReferralInquiryBody } from './inquiry.js';
import { readPayload, storePayload } from './payload-store.js';

export type ReferralOfferBody = Fed['schemas']['ReferralOfferBody'];
export type CreateReferralRequest = Local['schemas']['CreateReferralRequest'];
export type ReferralSummary = Local['schemas']['ReferralSummary'];
export type ReferralDetail = Local['schemas']['ReferralDetail'];
export type ReferralState = Local['schemas']['ReferralState'];
type Delivery = Local['schemas']['Delivery'];

const OFFER = 'referral.offer';

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
  const peer = await ctx.database.db.selectFrom('peers').selectAll().where('id', '=', peerId).executeTakeFirst();
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
  await enqueueEnvelope(tx, sealed, now);
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

/**
 * Creates an outgoing referral: as a draft (stored encrypted, nothing sent) or sent at once (its
 * offer queued in the same transaction). `afterCommit` runs once it is durable.
 */
export async function createReferral(
  ctx: NodeContext,
  actor: Actor,
  request: CreateReferralRequest,
  afterCommit: () => void = () => {},
): Promise<ReferralSummary> {
  const now = ctx.clock.now();
  const draft = request.draft === true;
  const peer = await peerFor(ctx, request.to, !draft);
  if (request.service_id) await requireServiceOf(ctx, peer.id, request.service_id);
  const referralId = randomUUID();
  const at = now.toISOString();
  await ctx.database.transaction(async (tx, onCommit) => {
    const consent = await consentForOffer(tx, request, peer.id, actor, now);
    const body = offerBody(referralId, request, wireConsent(consent, peer.id));
    await tx
      .insertInto('referrals')
      .values({
        id: referralId,
        direction: 'outgoing',
        peer_id: peer.id,
        state: draft ? 'draft' : 'sent',
        urgency: request.urgency,
        local_seq: draft ? 0 : 1,
        created_by: actor.userId,
        consent_id: consent.id,
        reply_by: request.reply_by ?? null,
        created_at: at,
        updated_at: at,
      })
      .execute();
    await storePayload(tx, ctx.kek, { referralId, kind: OFFER, content: body, now });
    if (draft) {
      await recordEvent(tx, ctx, { referralId, at: now, action: 'draft', from: null, to: 'draft', actor: { kind: 'user', id: actor.userId } });
    } else {
      await queueOffer(tx, ctx, peer, body, actor, null, now);
      onCommit(afterCommit);
    }
  });
  ctx.logger.info({ referral: referralId, peer: peer.id, draft }, draft ? 'referral draft saved' : 'referral offer queued');
  return (await getReferralSummary(ctx, referralId))!;
}

/** Sends a draft: the peer must be trusted and its consent record still in force for it now. */
export async function sendDraft(ctx: NodeContext, actor: Actor, referralId: string, afterCommit: () => void = () => {}): Promise<ReferralSummary> {
  const now = ctx.clock.now();
  const referral = await ctx.database.db.selectFrom('referrals').selectAll().where('id', '=', referralId).executeTakeFirst();
  if (!referral) throw noSuchReferral();
  if (referral.direction !== 'outgoing' || referral.state !== 'draft') {
    throw new DomainError(409, 'illegal-transition', 'Not a draft', `Only a draft can be sent; this referral is ${referral.state}.`);
  }
  const peer = await peerFor(ctx, referral.peer_id, true);
  const draft = await readPayload<ReferralOfferBody>(ctx.database.db, ctx.kek, referralId, OFFER);
  const consent = referral.consent_id ? await findConsent(ctx.database.db, referral.consent_id) : undefined;
  if (!draft || !consent) throw new DomainError(404, 'not-found', 'No such referral', 'The draft\'s content is no longer held here.');
  // The service chosen when the draft was saved may have been paused or removed since.
  if (draft.service_id) await requireServiceOf(ctx, peer.id, draft.service_id);
  const violation = consentRowViolation(consent, draft.client, peer.id, now);
  if (violation) throw new DomainError(422, 'consent-violation', 'Not covered by consent', violation);
  const body: ReferralOfferBody = { ...draft, consent: wireConsent(consent, peer.id) };
  await ctx.database.transaction(async (tx, onCommit) => {
    const changed = await tx
      .updateTable('referrals')
      .set({ state: 'sent', local_seq: 1, updated_at: now.toISOString() })
      .where('id', '=', referralId)
      .where('state', '=', 'draft')
      .executeTakeFirst();
    if (changed.numUpdatedRows !== 1n) throw new DomainError(409, 'illegal-transition', 'Already sent', 'The draft was sent meanwhile.');
    await queueOffer(tx, ctx, peer, body, actor, 'draft', now);
    onCommit(afterCommit);
  });
  return (await getReferralSummary(ctx, referralId))!;
}

/**
 * Applies a verified incoming envelope inside the receiving transaction. Throws a problem
 * (rolling everything back) when the message cannot be applied.
 */
export async function applyIncomingMessage(tx: Tx, ctx: NodeContext, envelope: VerifiedEnvelope): Promise<void> {
  const { header } = envelope;
  if (isLifecycleMessage(header.type)) return applyLifecycleMessage(tx, ctx, envelope, header.type);
  if (header.type === 'consent.withdraw') return applyConsentWithdraw(tx, ctx, envelope);
  if (header.type === 'erasure.receipt') return applyErasureReceipt(tx, ctx, envelope);
  if (header.type === INQUIRY) return applyIncomingInquiry(tx, ctx, envelope);
  if (header.type !== OFFER) throw envelopeProblem('unsupported-message-type');
  const body = envelope.body as ReferralOfferBody;
  const now = ctx.clock.now();
  const violation = consentViolation(body.client, body.consent, ctx.self.nodeId, now);
  if (violation) throw envelopeProblem('invalid-body', violation);
  const existing = await tx.selectFrom('referrals').selectAll().where('id', '=', header.referral_id).executeTakeFirst();
  if (existing) return applyOfferAfterInquiry(tx, ctx, envelope, existing);
  if (header.seq !== 1) throw envelopeProblem('out-of-order', 'An offer that starts a referral is its message 1.');
  const at = now.toISOString();
  const consent = await recordReceivedConsent(tx, body.consent, envelope.peer.id, now);
  await tx
    .insertInto('referrals')
    .values({
      id: header.referral_id,
      direction: 'incoming',
      peer_id: envelope.peer.id,
      state: 'delivered',
      urgency: body.urgency,
      peer_seq: header.seq,
      created_by: null,
      consent_id: consent.id,
      reply_by: body.reply_by ?? null,
      created_at: at,
      updated_at: at,
    })
    .execute();
  await storePayload(tx, ctx.kek, { referralId: header.referral_id, kind: OFFER, content: body, now });
  await recordEvent(tx, ctx, {
    referralId: header.referral_id, at: now, action: OFFER, from: null, to: 'delivered', actor: { kind: 'peer', id: envelope.peer.id }, envelopeId: header.id,
  });
}

export interface ListFilter {
  direction?: 'incoming' | 'outgoing' | undefined;
  state?: ReferralState | undefined;
  peer?: string | undefined;
  needs_action?: 'true' | 'false' | undefined;
  updated_since?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export function decodeCursor(cursor: string): { updatedAt: string; id: string } | undefined {
  const bytes = decodeBase64UrlStrict(cursor);
  if (!bytes) return undefined;
  try {
    const [updatedAt, id] = JSON.parse(utf8.decode(bytes)) as unknown[];
    return typeof updatedAt === 'string' && typeof id === 'string' ? { updatedAt, id } : undefined;
  } catch {
    return undefined;
  }
}

const encodeCursor = (row: { updated_at: string; id: string }) => b64u.encode(JSON.stringify([row.updated_at, row.id]));

export async function listReferrals(
  ctx: NodeContext,
  filter: ListFilter,
): Promise<{ items: ReferralSummary[]; next_cursor?: string }> {
  let query = ctx.database.db
    .selectFrom('referrals')
    .innerJoin('peers', 'peers.id', 'referrals.peer_id')
    .selectAll('referrals')
    .select('peers.name as peer_name')
    .orderBy('referrals.updated_at', 'desc')
    .orderBy('referrals.id', 'desc')
    .limit(filter.limit + 1);
  if (filter.direction) query = query.where('referrals.direction', '=', filter.direction);
  if (filter.state) query = query.where('referrals.state', '=', filter.state);
  if (filter.peer) query = query.where('referrals.peer_id', '=', filter.peer);
  if (filter.updated_since) query = query.where('referrals.updated_at', '>=', new Date(filter.updated_since).toISOString());
  if (filter.needs_action === 'true') {
    query = query.where((eb) =>
      eb.or([
        eb.and([eb('referrals.direction', '=', 'incoming'), eb('referrals.state', '=', 'delivered')]),
        eb.and([eb('referrals.direction', '=', 'outgoing'), eb('referrals.state', 'in', ['draft', 'info-requested'])]),
        eb.exists(
          eb
            .selectFrom('envelopes')
            .select('envelopes.id')
            .whereRef('envelopes.referral_id', '=', 'referrals.id')
            .where('envelopes.direction', '=', 'outgoing')
            .where('envelopes.delivery_state', '=', 'failed'),
        ),
      ]),
    );
  }
  if (filter.cursor) {
    const after = decodeCursor(filter.cursor);
    if (!after) throw new DomainError(400, 'invalid-request', 'Invalid cursor', 'Pass the next_cursor of the previous page unchanged.');
    query = query.where((eb) =>
      eb.or([
        eb('referrals.updated_at', '<', after.updatedAt),
        eb.and([eb('referrals.updated_at', '=', after.updatedAt), eb('referrals.id', '<', after.id)]),
      ]),
    );
  }
  const rows = await query.execute();
  const page = rows.slice(0, filter.limit);
  const items = await summariesOf(ctx, page);
  const last = page[page.length - 1];
  return rows.length > filter.limit && last ? { items, next_cursor: encodeCursor(last) } : { items };
}

export async function getReferralSummary(ctx: NodeContext, id: string): Promise<ReferralSummary | undefined> {
  const row = await ctx.database.db
    .selectFrom('referrals')
    .innerJoin('peers', 'peers.id', 'referrals.peer_id')
    .selectAll('referrals')
    .select('peers.name as peer_name')
    .where('referrals.id', '=', id)
    .executeTakeFirst();
  return row ? (await summariesOf(ctx, [row]))[0] : undefined;
}

export async function getReferralDetail(ctx: NodeContext, id: string): Promise<ReferralDetail | undefined> {
  const summary = await getReferralSummary(ctx, id);
  if (!summary) return undefined;
  const { db } = ctx.database;
  const offer = await readPayload<ReferralOfferBody>(db, ctx.kek, id, OFFER);
  const inquiry = await readPayload<ReferralInquiryBody>(db, ctx.kek, id, INQUIRY);
  const content = offer ? (({ referral_id: _referralId, ...rest }) => rest)(offer) : undefined;
  const envelopes = await db
    .selectFrom('envelopes')
    .selectAll()
    .where('referral_id', '=', id)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const { timeline, information, inquiryAnswer } = await readTimeline(ctx, id);
  const row = await db.selectFrom('referrals').select(['consent_id', 'erased_at', 'erasure_reason']).where('id', '=', id).executeTakeFirstOrThrow();
  const erasures = (await erasuresOf(db, [id])).get(id) ?? [];
  return {
    ...summary,
    ...(row.consent_id ? { consent_id: row.consent_id } : {}),
    ...(row.erased_at ? { erased_at: row.erased_at } : {}),
    ...(row.erasure_reason ? { erasure_reason: row.erasure_reason } : {}),
    ...(erasures.length > 0 ? { erasures } : {}),
    ...(inquiry
      ? { inquiry: { needs: inquiry.needs, urgency: inquiry.urgency, ...(inquiry.reply_by ? { reply_by: inquiry.reply_by } : {}), profile: inquiry.profile, ...(inquiryAnswer ? { answer: inquiryAnswer } : {}) } }
      : {}),
    ...(content ? { content } : {}),
    timeline,
    ...(information.length > 0 ? { information } : {}),
    messages: envelopes.map((e) => ({
      envelope_id: e.id,
      type: e.type,
      seq: e.seq,
      direction: e.direction,
      created_at: e.created_at,
      ...(e.receipt ? { receipt: e.receipt } : {}),
      ...(e.delivery_state ? { delivery: deliveryOf(e) } : {}),
    })),
  };
}

function deliveryOf(envelope: Pick<Selectable<EnvelopesTable>, 'delivery_state' | 'attempts' | 'last_error' | 'next_attempt_at' | 'delivered_at'>): Delivery {
  return {
    state: envelope.delivery_state!,
    attempts: envelope.attempts,
    ...(envelope.last_error ? { last_error: envelope.last_error } : {}),
    ...(envelope.next_attempt_at && envelope.delivery_state === 'queued' ? { next_attempt_at: envelope.next_attempt_at } : {}),
    ...(envelope.delivered_at ? { delivered_at: envelope.delivered_at } : {}),
  };
}

/** Summaries for rows of one page, with the delivery of each outgoing referral's opening message, in one query. */
async function summariesOf(ctx: NodeContext, rows: Array<Selectable<ReferralsTable> & { peer_name: string }>): Promise<ReferralSummary[]> {
  const outgoing = rows.filter((row) => row.direction === 'outgoing').map((row) => row.id);
  const opening = new Map<string, Pick<Selectable<EnvelopesTable>, 'seq' | 'delivery_state' | 'attempts' | 'last_error' | 'next_attempt_at' | 'delivered_at'>>();
  if (outgoing.length > 0) {
    const envelopes = await ctx.database.db
      .selectFrom('envelopes')
      .select(['referral_id', 'seq', 'delivery_state', 'attempts', 'last_error', 'next_attempt_at', 'delivered_at'])
      .where('referral_id', 'in', outgoing)
      .where('direction', '=', 'outgoing')
      .where('type', 'in', [OFFER, 'referral.inquiry'])
      .execute();
    // The offer after an inquiry has the higher seq: it is the one whose delivery matters now.
    for (const envelope of envelopes) {
      const known = opening.get(envelope.referral_id);
      if (!known || envelope.seq > known.seq) opening.set(envelope.referral_id, envelope);
    }
  }
  return rows.map((row) => {
    const envelope = opening.get(row.id);
    return {
      id: row.id,
      direction: row.direction,
      peer: { id: row.peer_id, name: row.peer_name },
      state: row.state as ReferralState,
      urgency: row.urgency as ReferralSummary['urgency'],
      created_at: row.created_at,
      updated_at: row.updated_at,
      ...(envelope?.delivery_state ? { delivery: deliveryOf(envelope) } : {}),
    };
  });
}
