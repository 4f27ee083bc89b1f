// Consent records in the local API: recorded and withdrawn by caseworkers and admins; their
// metadata readable by auditors too; the scanned form only by caseworkers and admins.
import { Hono } from 'hono';
import type { NodeContext } from '../context.js';
import { getConsent, listConsents, recordConsent, consentView, type ConsentInput, type ConsentStatus } from '../consents/service.js';
import { attachConsentForm, formFileName, isFormMediaType, MAX_FORM_BYTES, readConsentForm } from '../consents/form.js';
import { withdrawConsent } from '../consents/withdrawal.js';
import { queryValidatorFor } from '../schema/validators.js';
import { requireRole, type LocalEnv } from './auth.js';
import { mediaTypeOf, readBytesWithin } from '../net/body.js';
import { DomainError } from '../errors.js';
import { invalidRequest, jsonBody, uuidParam } from './request.js';

const noSuchConsent = () => new DomainError(404, 'not-found', 'No such consent', 'There is no consent record with this id on this node.');

export function consentRoutes(ctx: NodeContext): Hono<LocalEnv> {
  const api = new Hono<LocalEnv>();

  api.post('/consents', async (c) => {
    requireRole(c.get('user'), 'admin', 'caseworker');
    const input = await jsonBody<ConsentInput>(c, 'ConsentInput');
    const now = ctx.clock.now();
    const row = await ctx.database.transaction((tx) => recordConsent(tx, input, { userId: c.get('user').id }, now));
    c.header('location', `/api/v1/consents/${row.id}`);
    return c.json(await consentView(ctx, row), 201);
  });

  api.get('/consents', async (c) => {
    requireRole(c.get('user'), 'admin', 'caseworker', 'auditor');
    const query = c.req.query();
    const filter: Record<string, unknown> = { ...query };
    if (query.limit !== undefined) filter.limit = /^\d+$/.test(query.limit) ? Number(query.limit) : query.limit;
    const check = queryValidatorFor('local', '/api/v1/consents', 'get');
    if (!check(filter)) throw invalidRequest(check.errors, 400);
    return c.json(await listConsents(ctx, { limit: 50, ...(filter as { status?: ConsentStatus; limit?: number; cursor?: string }) }));
  });

  api.get('/consents/:id', async (c) => {
    requireRole(c.get('user'), 'admin', 'caseworker', 'auditor');
    const consent = await getConsent(ctx, uuidParam(c.req.param('id'), 'consent'));
    if (!consent) throw noSuchConsent();
    return c.json(consent);
  });

  api.post('/consents/:id/withdraw', async (c) => {
    requireRole(c.get('user'), 'admin', 'caseworker');
    const id = uuidParam(c.req.param('id'), 'consent');
    const request = await jsonBody<{ recipients?: string[] }>(c, 'WithdrawConsentRequest');
    return c.json(await withdrawConsent(ctx, { userId: c.get('user').id }, id, request));
  });

  api.put('/consents/:id/form', async (c) => {
    requireRole(c.get('user'), 'admin', 'caseworker');
    const id = uuidParam(c.req.param('id'), 'consent');
    const mediaType = mediaTypeOf(c.req.header('content-type'));
    if (!isFormMediaType(mediaType)) throw new DomainError(415, 'unsupported-media-type', 'Unsupported form type', 'Upload the form as application/pdf, image/jpeg or image/png.');
    const bytes = await readBytesWithin(c.req.raw, MAX_FORM_BYTES);
    if (bytes === undefined) throw new DomainError(413, 'invalid-request', 'Form too large', 'A consent form may be at most 10 MiB; scan it at a lower resolution.');
    await attachConsentForm(ctx, { userId: c.get('user').id }, id, mediaType, bytes);
    return c.json((await getConsent(ctx, id))!);
  });

  api.get('/consents/:id/form', async (c) => {
    requireRole(c.get('user'), 'admin', 'caseworker');
    const id = uuidParam(c.req.param('id'), 'consent');
    if (!(await getConsent(ctx, id))) throw noSuchConsent();
    const form = await readConsentForm(ctx, id);
    if (!form) throw new DomainError(404, 'not-found', 'No form', 'No scanned form is attached to this consent.');
    // Saved as a file, never opened as a page of this node, its type never guessed: whatever the
    // upload held cannot run here.
    return c.body(Buffer.from(form.bytes), 200, {
      'content-type': form.mediaType,
      'content-disposition': `attachment; filename="${formFileName(id, form.mediaType)}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
  });

  return api;
}
