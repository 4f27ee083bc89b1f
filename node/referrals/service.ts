// Referrals: making an offer to a trusted peer (at once or from a draft), and reading them back.
// The state change, the encrypted payload and the outgoing envelope are written in one
// transaction. Incoming messages are applied by incoming.ts.
import { requireAccepts } from '../peers/capabilities.js';
import { sql } from 'kysely';
import { uuidv7 } from '../util/uuidv7.js';
import type { components as Fed } from '../../spec/generated/federation.js';
import type { components as Local } from '../../spec/generated/local.js';
import type { NodeContext } from '../context.js';
import { b64u, decodeBase64UrlStrict, utf8 } from '../crypto/encoding.js';
import { DomainError } from '../errors.js';
import { failedDeliveryReferralIds, openingDeliveries, referralMessages } from '../delivery/outbox.js';
import { peerNames } from '../peers/store.js';
import { requireServiceOf } from '../directory/sync.js';
import { consentRowViolation, findConsent, wireConsent } from '../consents/service.js';
import { erasuresOf } from '../consents/erasures.js';
import { INQUIRY, noSuchReferral, OFFER } from './lifecycle.js';
import { attentionOf, attentionSql } from './attention.js';
import { keepConsentPlan, offerBody, peerFor, planConsentForOffer, prepareOffer, queuePreparedOffer, type Actor, type CreateReferralRequest, type ReferralOfferBody } from './offer.js';
import { applyOwnOffer, createReferralRecord, findReferral, type Referral } from './state.js';
import { recordEvent, readTimeline } from './timeline.js';
import { keepPayload, preparePayload, readPayload } from './payload-store.js';

export type { Actor, CreateReferralRequest, OfferContent, ReferralOfferBody } from './offer.js';
export type ReferralSummary = Local['schemas']['ReferralSummary'];
export type ReferralDetail = Local['schemas']['ReferralDetail'];
export type ReferralState = Local['schemas']['ReferralState'];
type ReferralInquiryBody = Fed['schemas']['ReferralInquiryBody'];

/**
 * Creates an outgoing referral: as a draft (stored encrypted, nothing sent) or sent at once (its
 * offer queued in the same transaction); the outbox hands the offer to the delivery worker once it is durable.
 */
export async function createReferral(
  ctx: NodeContext,
  actor: Actor,
  request: CreateReferralRequest,
): Promise<ReferralSummary> {
  const now = ctx.clock.now();
  const draft = request.draft === true;
  const peer = await peerFor(ctx, request.to, !draft);
  if (!draft) requireAccepts(peer, OFFER);
  if (request.service_id) await requireServiceOf(ctx, peer.id, request.service_id);
  const referralId = uuidv7();
  // Sealed before the transaction (the offer to the peer, the payload and the envelope's copy at
  // rest), so that while it holds the write lock it only writes.
  const consent = await planConsentForOffer(ctx.database.db, request, peer.id, actor, now);
  const body = offerBody(referralId, request, wireConsent(consent.row, peer.id));
  const payload = await preparePayload(ctx.dataKeys, { referralId, kind: OFFER, content: body, now });
  const offer = draft ? undefined : await prepareOffer(ctx, peer, body, now);
  await ctx.database.transaction(async (tx) => {
    const kept = await keepConsentPlan(tx, consent, request.client, peer.id, actor, now);
    await createReferralRecord(tx, ctx.self.country, {
      id: referralId,
      direction: 'outgoing',
      peer_id: peer.id,
      state: draft ? 'draft' : 'sent',
      urgency: request.urgency,
      local_seq: draft ? 0 : 1,
      created_by: actor.userId,
      consent_id: kept.id,
      reply_by: request.reply_by ?? null,
    }, now);
    await keepPayload(tx, ctx.dataKeys, payload);
    if (!offer) {
      await recordEvent(tx, ctx, { referralId, at: now, action: 'draft', from: null, to: 'draft', actor: { kind: 'user', id: actor.userId } });
    } else {
      await queuePreparedOffer(tx, ctx, offer, body, actor, null);
    }
  });
  ctx.logger.info({ referral: referralId, peer: peer.id, draft }, draft ? 'referral draft saved' : 'referral offer queued');
  return (await getReferralSummary(ctx, referralId))!;
}

/** Sends a draft: the peer must be trusted and its consent record still in force for it now. */
export async function sendDraft(ctx: NodeContext, actor: Actor, referralId: string): Promise<ReferralSummary> {
  const now = ctx.clock.now();
  const referral = await findReferral(ctx.database.db, referralId);
  if (!referral) throw noSuchReferral();
  if (referral.direction !== 'outgoing' || referral.state !== 'draft') {
    throw new DomainError(409, 'illegal-transition', 'Not a draft', `Only a draft can be sent; this referral is ${referral.state}.`);
  }
  const peer = await peerFor(ctx, referral.peer_id, true);
  requireAccepts(peer, OFFER);
  const draft = await readPayload<ReferralOfferBody>(ctx.database.db, ctx.dataKeys, referralId, OFFER);
  const consent = referral.consent_id ? await findConsent(ctx.database.db, referral.consent_id) : undefined;
  if (!draft || !consent) throw new DomainError(404, 'not-found', 'No such referral', 'The draft\'s content is no longer held here.');
  // The service chosen when the draft was saved may have been paused or removed since.
  if (draft.service_id) await requireServiceOf(ctx, peer.id, draft.service_id);
  const violation = consentRowViolation(consent, draft.client, peer.id, now);
  if (violation) throw new DomainError(422, 'consent-violation', 'Not covered by consent', violation);
  const body: ReferralOfferBody = { ...draft, consent: wireConsent(consent, peer.id) };
  const offer = await prepareOffer(ctx, peer, body, now);
  await ctx.database.transaction(async (tx) => {
    if (!(await applyOwnOffer(tx, referral, 1, now))) throw new DomainError(409, 'illegal-transition', 'Already sent', 'The draft was sent meanwhile.');
    await queuePreparedOffer(tx, ctx, offer, body, actor, 'draft');
  });
  return (await getReferralSummary(ctx, referralId))!;
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
  const { db } = ctx.database;
  let query = db
    .selectFrom('referrals')
    .selectAll()
    .orderBy('updated_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit + 1);
  if (filter.direction) query = query.where('direction', '=', filter.direction);
  if (filter.state) query = query.where('state', '=', filter.state);
  if (filter.peer) query = query.where('peer_id', '=', filter.peer);
  if (filter.updated_since) query = query.where('updated_at', '>=', new Date(filter.updated_since).toISOString());
  if (filter.needs_action === 'true') {
    const owed = attentionSql(await failedDeliveryReferralIds(db), ctx.clock.now());
    query = query.where(sql<boolean>`${owed} is not null`);
  }
  if (filter.cursor) {
    const after = decodeCursor(filter.cursor);
    if (!after) throw new DomainError(400, 'invalid-request', 'Invalid cursor', 'Pass the next_cursor of the previous page unchanged.');
    query = query.where((eb) =>
      eb.or([
        eb('updated_at', '<', after.updatedAt),
        eb.and([eb('updated_at', '=', after.updatedAt), eb('id', '<', after.id)]),
      ]),
    );
  }
  const rows = await query.execute();
  const page = rows.slice(0, filter.limit);
  const items = await summariesOf(ctx, page);
  const last = page[page.length - 1];
  return rows.length > filter.limit && last ? { items, next_cursor: encodeCursor(last) } : { items };
}

/** The summaries of the referrals `ids` this node holds, in the order given. */
export async function referralSummaries(ctx: NodeContext, ids: readonly string[]): Promise<ReferralSummary[]> {
  if (ids.length === 0) return [];
  const rows = await ctx.database.db.selectFrom('referrals').selectAll().where('id', 'in', [...ids]).execute();
  const byId = new Map(rows.map((row) => [row.id, row]));
  return summariesOf(ctx, ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : [])));
}

export async function getReferralSummary(ctx: NodeContext, id: string): Promise<ReferralSummary | undefined> {
  const row = await findReferral(ctx.database.db, id);
  return row ? (await summariesOf(ctx, [row]))[0] : undefined;
}

export async function getReferralDetail(ctx: NodeContext, id: string): Promise<ReferralDetail | undefined> {
  const { db } = ctx.database;
  const row = await findReferral(db, id);
  if (!row) return undefined;
  const [summary] = await summariesOf(ctx, [row]);
  const offer = await readPayload<ReferralOfferBody>(db, ctx.dataKeys, id, OFFER);
  const inquiry = await readPayload<ReferralInquiryBody>(db, ctx.dataKeys, id, INQUIRY);
  const content = offer ? (({ referral_id: _referralId, ...rest }) => rest)(offer) : undefined;
  const messages = await referralMessages(db, id);
  const { timeline, information, inquiryAnswer, partnerCaseworker } = await readTimeline(ctx, id);
  const erasures = (await erasuresOf(db, [id])).get(id) ?? [];
  return {
    ...summary!,
    ...(row.consent_id ? { consent_id: row.consent_id } : {}),
    ...(row.erased_at ? { erased_at: row.erased_at } : {}),
    ...(row.erasure_reason ? { erasure_reason: row.erasure_reason } : {}),
    ...(erasures.length > 0 ? { erasures } : {}),
    ...(partnerCaseworker ? { partner_caseworker: partnerCaseworker } : {}),
    ...(inquiry
      ? { inquiry: { needs: inquiry.needs, urgency: inquiry.urgency, ...(inquiry.reply_by ? { reply_by: inquiry.reply_by } : {}), profile: inquiry.profile, ...(inquiryAnswer ? { answer: inquiryAnswer } : {}) } }
      : {}),
    ...(content ? { content } : {}),
    timeline,
    ...(information.length > 0 ? { information } : {}),
    messages,
  };
}

/** Summaries for rows of one page, with their peers' names and the delivery of each outgoing referral's opening message, each in one query. */
export async function summariesOf(ctx: NodeContext, rows: readonly Referral[]): Promise<ReferralSummary[]> {
  const { db } = ctx.database;
  const outgoing = rows.filter((row) => row.direction === 'outgoing').map((row) => row.id);
  const [names, deliveries, failed] = await Promise.all([
    peerNames(db, [...new Set(rows.map((row) => row.peer_id))]),
    openingDeliveries(db, outgoing, [OFFER, INQUIRY]),
    failedDeliveryReferralIds(db),
  ]);
  const refused = new Set(failed);
  const now = ctx.clock.now();
  return rows.map((row) => {
    const delivery = deliveries.get(row.id);
    const attention = attentionOf(row, refused.has(row.id), now);
    return {
      id: row.id,
      case_reference: row.case_ref,
      direction: row.direction,
      peer: { id: row.peer_id, name: names.get(row.peer_id)!.name },
      state: row.state as ReferralState,
      urgency: row.urgency as ReferralSummary['urgency'],
      created_at: row.created_at,
      updated_at: row.updated_at,
      ...(delivery ? { delivery } : {}),
      ...(row.reply_by ? { reply_by: row.reply_by } : {}),
      ...(attention ? { attention } : {}),
      ...(row.assignee_id ? { assignee_id: row.assignee_id } : {}),
      ...(row.partner_case_ref ? { partner_case_reference: row.partner_case_ref } : {}),
    };
  });
}
