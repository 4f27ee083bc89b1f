// The network's directory in the local API: how fresh each trusted peer's directory is, syncing
// them now, and the export in Open Referral HSDS form. Everyone signed in may read; a sync (which
// reaches every peer) is for caseworkers and administrators.
import { Hono } from 'hono';
import type { NodeContext } from '../context.js';
import { exportHsds } from '../directory/hsds.js';
import { directoryStatus, syncPeerDirectories } from '../directory/sync.js';
import { queryValidatorFor } from '../schema/validators.js';
import { requireRole, type LocalEnv } from './auth.js';
import { invalidRequest } from './request.js';

export function directoryRoutes(ctx: NodeContext): Hono<LocalEnv> {
  const api = new Hono<LocalEnv>();

  api.get('/directories', async (c) => c.json({ items: await directoryStatus(ctx) }));

  api.post('/directories/sync', async (c) => {
    requireRole(c.get('user'), 'admin', 'caseworker');
    await syncPeerDirectories(ctx, { force: true });
    return c.json({ items: await directoryStatus(ctx) });
  });

  api.get('/directory/hsds', async (c) => {
    const query = c.req.query();
    const check = queryValidatorFor('local', '/api/v1/directory/hsds', 'get');
    if (!check(query)) throw invalidRequest(check.errors, 400);
    // The peers' directories were served to this node as a trusted peer; copying them out is an
    // administrator's decision.
    if (query.peers === 'true') requireRole(c.get('user'), 'admin');
    return c.json(await exportHsds(ctx, { peers: query.peers === 'true' }));
  });
  return api;
}
