// Matching in the local API: POST (not GET) because what is asked says things about a client (her
// age, her residence situation) that must not end up in URLs and server logs. For caseworkers and
// administrators; nothing is stored or logged.
import { Hono } from 'hono';
import type { NodeContext } from '../context.js';
import { matchServices, type MatchQuery } from '../directory/matching.js';
import { requireRole, type LocalEnv } from './auth.js';
import { jsonBody } from './request.js';

export function matchRoutes(ctx: NodeContext): Hono<LocalEnv> {
  const api = new Hono<LocalEnv>();
  api.post('/match', async (c) => {
    requireRole(c.get('user'), 'admin', 'caseworker');
    return c.json(await matchServices(ctx, await jsonBody<MatchQuery>(c, 'MatchQuery')));
  });
  return api;
}
