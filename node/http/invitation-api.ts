// Invitations in both APIs. Local (administrators): make one and get its code once, list them,
// revoke an unused one, redeem another organisation's code. Federation: the redeem endpoint, which
// the invited node calls before it is a peer, so it is authenticated by the invitation's secret and
// the caller's signature instead of a service token.
import { Hono } from 'hono';
import type { NodeContext } from '../context.js';
import { invitationProblem } from '../peers/invitation-problems.js';
import { createInvitation, listInvitations, redeemInvitation, revokeInvitation, DEFAULT_VALID_HOURS } from '../peers/invitations.js';
import { redeemInvitationCode } from '../peers/redeem-invitation.js';
import type { components } from '../../spec/generated/local.js';
import { requireRole, type LocalEnv } from './auth.js';
import { mediaTypeOf, readBodyWithin } from '../net/body.js';
import { DomainError } from '../errors.js';
import { jsonBody, uuidParam } from './request.js';

const MAX_REDEEM_REQUEST_BYTES = 64 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function invitationRoutes(ctx: NodeContext): Hono<LocalEnv> {
  const api = new Hono<LocalEnv>();
  const adminOf = (user: LocalEnv['Variables']['user']) => {
    requireRole(user, 'admin');
    return { kind: 'user' as const, id: user.id };
  };

  api.post('/invitations', async (c) => {
    const actor = adminOf(c.get('user'));
    const request = await jsonBody<components['schemas']['CreateInvitationRequest']>(c, 'CreateInvitationRequest');
    const created = await createInvitation(ctx, actor, request.valid_hours ?? DEFAULT_VALID_HOURS);
    return c.json(created, 201);
  });

  api.get('/invitations', async (c) => {
    adminOf(c.get('user'));
    return c.json({ items: await listInvitations(ctx) });
  });

  api.post('/invitations/redeem', async (c) => {
    const actor = adminOf(c.get('user'));
    const { code } = await jsonBody<components['schemas']['RedeemInvitationRequest']>(c, 'RedeemInvitationRequest');
    return c.json(await redeemInvitationCode(ctx, actor, code));
  });

  api.delete('/invitations/:id', async (c) => {
    const actor = adminOf(c.get('user'));
    return c.json(await revokeInvitation(ctx, actor, uuidParam(c.req.param('id'), 'invitation')));
  });

  return api;
}

export function invitationFederationRoutes(ctx: NodeContext): Hono {
  const app = new Hono();
  const log = ctx.logger.child({ subsystem: 'invitations' });

  app.post('/invitations/:id/redeem', async (c) => {
    const id = c.req.param('id');
    try {
      const raw = await readBodyWithin(c.req.raw, MAX_REDEEM_REQUEST_BYTES);
      if (raw === undefined) throw invitationProblem('redeem-request-too-large');
      const mediaType = mediaTypeOf(c.req.header('content-type'));
      if (mediaType !== 'application/jose') throw invitationProblem('unsupported-media-type');
      return c.json({ confirmation: await redeemInvitation(ctx, id, raw.trim()) });
    } catch (error) {
      // The id comes from the caller: it is logged only in the form an invitation id has.
      if (error instanceof DomainError) log.info({ invitation: UUID.test(id) ? id : 'malformed', problem: error.problem }, 'redeem request refused');
      throw error;
    }
  });

  return app;
}
