// The local API (/api/v1): the organisation's own users and scripts, bearer-token
// authenticated, requests validated against spec/local.yaml.
import { Hono, type Context } from 'hono';
import type { NodeContext } from '../context.js';
import { listPeers } from '../peers/service.js';
import { readableFingerprint } from '../identity/keys.js';
import { sendLifecycleMessage, type LifecycleContent } from '../referrals/messages.js';
import { noSuchReferral } from '../referrals/lifecycle.js';
import { createInquiry, offerAfterInquiry, type CreateInquiryRequest } from '../referrals/inquiry.js';
import { referOnward, type ReferOnwardRequest } from '../referrals/onward.js';
import {
  getReferralDetail,
  getReferralSummary,
  listReferrals,
  createReferral,
  sendDraft,
  type CreateReferralRequest,
  type ListFilter,
  type OfferContent,
} from '../referrals/service.js';
import { describeErrors, queryValidatorFor, validatorFor } from '../schema/validators.js';
import { bearerAuth, requireRole, type LocalEnv } from './auth.js';
import { ProblemError } from './problem.js';
import { readBodyWithin } from './body.js';

const MAX_REQUEST_BYTES = 1024 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

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
  api.use('*', bearerAuth(ctx.database.db, ctx.clock));

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

  api.get('/peers', async (c) => c.json({ items: await listPeers(ctx.database.db) }));

  api.post('/referrals', async (c) => {
    requireRole(c.get('user'), 'admin', 'caseworker');
    const request = await jsonBody<CreateReferralRequest>(c, 'CreateReferralRequest');
    const summary = await createReferral(ctx, { userId: c.get('user').id }, request, onQueued);
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

  api.post('/inquiries', async (c) => {
    requireRole(c.get('user'), 'admin', 'caseworker');
    const request = await jsonBody<CreateInquiryRequest>(c, 'CreateInquiryRequest');
    const summary = await createInquiry(ctx, { userId: c.get('user').id }, request, onQueued);
    c.header('location', `/api/v1/referrals/${summary.id}`);
    return c.json(summary, 201);
  });

  api.post('/referrals/:id/offer', async (c) => {
    requireRole(c.get('user'), 'admin', 'caseworker');
    const id = referralIdParam(c.req.param('id'));
    const request = await jsonBody<OfferContent>(c, 'OfferRequest');
    return c.json(await offerAfterInquiry(ctx, { userId: c.get('user').id }, id, request, onQueued));
  });

  api.post('/referrals/:id/refer-onward', async (c) => {
    requireRole(c.get('user'), 'admin', 'caseworker');
    const id = referralIdParam(c.req.param('id'));
    const request = await jsonBody<ReferOnwardRequest>(c, 'ReferOnwardRequest');
    const summary = await referOnward(ctx, { userId: c.get('user').id }, id, request, onQueued);
    c.header('location', `/api/v1/referrals/${summary.id}`);
    return c.json(summary, 201);
  });

  api.post('/referrals/:id/send', async (c) => {
    requireRole(c.get('user'), 'admin', 'caseworker');
    return c.json(await sendDraft(ctx, { userId: c.get('user').id }, referralIdParam(c.req.param('id')), onQueued));
  });

  for (const [action, schemaName] of ACTIONS) {
    api.post(`/referrals/:id/${action}`, async (c) => {
      requireRole(c.get('user'), 'admin', 'caseworker');
      const id = referralIdParam(c.req.param('id'));
      const content = await jsonBody<LifecycleContent>(c, schemaName);
      await sendLifecycleMessage(ctx, { userId: c.get('user').id }, id, `referral.${action}`, content, onQueued);
      return c.json((await getReferralSummary(ctx, id))!);
    });
  }

  api.get('/referrals/:id', async (c) => {
    requireRole(c.get('user'), 'admin', 'caseworker');
    const id = referralIdParam(c.req.param('id'));
    const detail = await getReferralDetail(ctx, id);
    if (!detail) throw noSuchReferral();
    return c.json(detail);
  });

  return api;
}

function referralIdParam(id: string): string {
  if (!UUID.test(id)) throw new ProblemError(400, 'invalid-request', 'Invalid referral id', 'A referral id is a UUID.');
  return id;
}

async function jsonBody<T>(c: Context<LocalEnv>, schemaName: string): Promise<T> {
  const mediaType = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw new ProblemError(415, 'unsupported-media-type', 'Unsupported media type', 'Send the request as application/json.');
  }
  const text = await readBodyWithin(c.req.raw, MAX_REQUEST_BYTES);
  if (text === undefined) throw new ProblemError(422, 'invalid-request', 'Request too large', 'The request body is larger than 1 MiB.');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProblemError(400, 'invalid-request', 'Malformed JSON', 'The request body is not valid JSON.');
  }
  const check = validatorFor('local', schemaName);
  if (!check(value)) throw invalidRequest(check.errors);
  return value as T;
}

function invalidRequest(errors: Parameters<typeof describeErrors>[0], status: 400 | 422 = 422): ProblemError {
  return new ProblemError(status, 'invalid-request', 'Invalid request', 'The request does not match the API schema; see errors.', {
    errors: describeErrors(errors),
  });
}
