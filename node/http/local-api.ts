// The local API (/api/v1): the organisation's own users and scripts, bearer-token
// authenticated, requests validated against spec/local.yaml.
import { Hono } from 'hono';
import type { NodeContext } from '../context.js';
import type { components } from '../../spec/generated/local.js';
import { listPeers } from '../peers/service.js';
import { taxonomy } from '../directory/taxonomy.js';
import { readableFingerprint } from '../identity/keys.js';
import { sendLifecycleMessage, type LifecycleContent } from '../referrals/messages.js';
import { assignReferral } from '../referrals/assignment.js';
import { noSuchReferral } from '../referrals/lifecycle.js';
import { createInquiry, offerAfterInquiry, type CreateInquiryRequest } from '../referrals/inquiry.js';
import { referOnward, type ReferOnwardRequest } from '../referrals/onward.js';
import {
  getReferralDetail,
  getReferralSummary,
  listReferrals,
  createReferral,
  referralSummaries,
  sendDraft,
  type CreateReferralRequest,
  type ListFilter,
  type OfferContent,
} from '../referrals/service.js';
import { queryValidatorFor } from '../schema/validators.js';
import { searchReferrals } from '../referrals/search.js';
import { DomainError } from '../errors.js';
import { bearerAuth, requireRole, type LocalEnv } from './auth.js';
import { auditApiRoutes } from './audit-api.js';
import { invalidRequest, jsonBody, referralIdParam, uuidParam } from './request.js';
import { requeueFailedMessage } from '../delivery/requeue.js';
import { consentRoutes } from './consent-api.js';
import { peerRoutes } from './peer-api.js';
import { invitationRoutes } from './invitation-api.js';
import { serviceRoutes } from './service-api.js';
import { directoryRoutes } from './directory-api.js';
import { matchRoutes } from './match-api.js';
import { appendAuditEvent } from '../audit-log/append.js';

type AssignRequest = components['schemas']['AssignRequest'];

/** One endpoint per lifecycle action: the path segment (= message type after `referral.`) and its request schema. */
const ACTIONS = [
  ['inquiry-answer', 'InquiryAnswerRequest'],
  ['info-request', 'InfoRequestRequest'],
  ['info-response', 'InfoResponseRequest'],
  ['accept', 'AcceptRequest'],
  ['decline', 'DeclineRequest'],
  ['update', 'UpdateRequest'],
  ['complete', 'CompleteRequest'],
  ['withdraw', 'WithdrawRequest'],
] as const satisfies ReadonlyArray<readonly [string, string]>;

export function localApiRoutes(ctx: NodeContext, onQueued: () => void): Hono<LocalEnv> {
  const api = new Hono<LocalEnv>();
  api.use('*', bearerAuth(ctx));

  // The shared taxonomy, for any signed-in user (auditors too: it is public reference data).
  api.get('/taxonomy', (c) => c.json(taxonomy()));

  api.get('/node', (c) => {
    const { self } = ctx;
    return c.json({
      id: self.nodeId,
      name: self.name,
      country: self.country,
      languages: self.languages,
      ...(self.contact ? { contact: self.contact } : {}),
      fingerprint: readableFingerprint(self.signingKey.kid),
      signing_kid: self.signingKey.kid,
      encryption_kid: self.encryptionKey.kid,
    });
  });

  api.route('/', consentRoutes(ctx));
  api.route('/', peerRoutes(ctx));
  api.route('/', invitationRoutes(ctx));
  api.route('/', serviceRoutes(ctx));
  api.route('/', directoryRoutes(ctx));
  api.route('/', matchRoutes(ctx));

  api.get('/peers', async (c) => c.json({ items: await listPeers(ctx.database.db) }));

  // The audit log, for auditors and administrators.
  api.route('/', auditApiRoutes(ctx));

  api.post('/referrals', async (c) => {
    requireRole(c.get('user'), 'admin', 'caseworker');
    const request = await jsonBody<CreateReferralRequest>(c, 'CreateReferralRequest');
    const summary = await createReferral(ctx, { userId: c.get('user').id }, request);
    c.header('location', `/api/v1/referrals/${summary.id}`);
    return c.json(summary, 201);
  });

  api.get('/referrals', async (c) => {
    requireRole(c.get('user'), 'admin', 'caseworker');
    const query = c.req.query();
    const filter: Record<string, unknown> = { ...query };
    if (query.limit !== undefined) filter.limit = /^\d+$/.test(query.limit) ? Number(query.limit) : query.limit;
    const check = queryValidatorFor('local', '/api/v1/referrals', 'get');
    if (!check(filter)) throw invalidRequest(check.errors, 400);
    return c.json(await listReferrals(ctx, { limit: 50, ...filter } as ListFilter));
  });

  api.post('/search', async (c) => {
    requireRole(c.get('user'), 'admin', 'caseworker');
    const { query } = await jsonBody<{ query: string }>(c, 'SearchRequest');
    const outcome = await searchReferrals(ctx, query);
    if (!outcome.ok) {
      const detail = {
        'too-many': 'Too many referrals match: add another word of her name.',
        'too-long': 'A query is at most 200 characters.',
        'too-short': 'Give a name, a date of birth, a phone number or a case reference.',
      }[outcome.reason];
      throw new DomainError(422, 'invalid-request', 'Nothing to search', detail);
    }
    const consents = new Map(outcome.hits.map((hit) => [hit.id, hit.consentId]));
    const items = (await referralSummaries(ctx, outcome.hits.map((hit) => hit.id))).map((referral) => {
      const consentId = consents.get(referral.id);
      return { referral, ...(consentId ? { consent_id: consentId } : {}) };
    });
    return c.json({ items });
  });

  api.post('/inquiries', async (c) => {
    requireRole(c.get('user'), 'admin', 'caseworker');
    const request = await jsonBody<CreateInquiryRequest>(c, 'CreateInquiryRequest');
    const summary = await createInquiry(ctx, { userId: c.get('user').id }, request);
    c.header('location', `/api/v1/referrals/${summary.id}`);
    return c.json(summary, 201);
  });

  api.post('/referrals/:id/offer', async (c) => {
    requireRole(c.get('user'), 'admin', 'caseworker');
    const id = referralIdParam(c.req.param('id'));
    const request = await jsonBody<OfferContent>(c, 'OfferRequest');
    return c.json(await offerAfterInquiry(ctx, { userId: c.get('user').id }, id, request));
  });

  api.post('/referrals/:id/refer-onward', async (c) => {
    requireRole(c.get('user'), 'admin', 'caseworker');
    const id = referralIdParam(c.req.param('id'));
    const request = await jsonBody<ReferOnwardRequest>(c, 'ReferOnwardRequest');
    const summary = await referOnward(ctx, { userId: c.get('user').id }, id, request);
    c.header('location', `/api/v1/referrals/${summary.id}`);
    return c.json(summary, 201);
  });

  api.post('/referrals/:id/send', async (c) => {
    requireRole(c.get('user'), 'admin', 'caseworker');
    return c.json(await sendDraft(ctx, { userId: c.get('user').id }, referralIdParam(c.req.param('id'))));
  });

  for (const [action, schemaName] of ACTIONS) {
    api.post(`/referrals/:id/${action}`, async (c) => {
      requireRole(c.get('user'), 'admin', 'caseworker');
      const id = referralIdParam(c.req.param('id'));
      const content = await jsonBody<LifecycleContent>(c, schemaName);
      await sendLifecycleMessage(ctx, { userId: c.get('user').id }, id, `referral.${action}`, content);
      return c.json((await getReferralSummary(ctx, id))!);
    });
  }

  api.post('/referrals/:id/assign', async (c) => {
    requireRole(c.get('user'), 'admin', 'caseworker');
    const id = referralIdParam(c.req.param('id'));
    const request = await jsonBody<AssignRequest>(c, 'AssignRequest');
    await assignReferral(ctx, { userId: c.get('user').id }, id, { to: request.user_id, note: request.note });
    onQueued();
    return c.json((await getReferralSummary(ctx, id))!);
  });

  api.post('/referrals/:id/messages/:envelope/retry', async (c) => {
    requireRole(c.get('user'), 'admin', 'caseworker');
    const id = referralIdParam(c.req.param('id'));
    await requeueFailedMessage(ctx, id, uuidParam(c.req.param('envelope'), 'envelope'));
    onQueued();
    return c.json((await getReferralSummary(ctx, id))!);
  });

  api.get('/referrals/:id', async (c) => {
    requireRole(c.get('user'), 'admin', 'caseworker');
    const id = referralIdParam(c.req.param('id'));
    const detail = await getReferralDetail(ctx, id);
    if (!detail) throw noSuchReferral();
    // Reading personal data is an event auditors must see: who opened which referral, when.
    if (detail.content || detail.inquiry || detail.information) {
      const userId = c.get('user').id;
      await ctx.database.transaction((tx) =>
        appendAuditEvent(tx, ctx.clock.now(), { kind: 'user', id: userId }, { type: 'referral.opened', referral_id: id, user_id: userId }),
      );
    }
    return c.json(detail);
  });

  return api;
}
