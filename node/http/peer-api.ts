// Peers in the local API, for administrators: add by URL, trust after comparing the fingerprint,
// suspend, restore, revoke. Every change is in the audit log with the administrator who made it.
import { Hono } from 'hono';
import type { AuditActor } from '../audit-log/events.js';
import type { NodeContext } from '../context.js';
import type { Db } from '../db/database.js';
import { peerAlerts, resolvePeerAlert } from '../peers/alerts.js';
import { requireFingerprint } from '../peers/fingerprint.js';
import { addPeer, changePeerState, fetchPeerIdentity, normaliseNodeUrl, PeerError, trustPeer, type PeerAction, type RevocationReason } from '../peers/service.js';
import { dropRevokedPeersDirectories } from '../directory/sync.js';
import { requireRole, type LocalEnv } from './auth.js';
import { DomainError } from '../errors.js';
import { jsonBody } from './request.js';

function peerUrl(value: string): string {
  try {
    return normaliseNodeUrl(value);
  } catch {
    throw new DomainError(422, 'invalid-request', 'Not a node URL', 'A peer is named by its node id: its https URL.');
  }
}

/** A refusal of the peers service as a problem: the sentence says what to do. */
async function asProblem<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof PeerError) throw new DomainError(409, 'peer-state', 'Not possible for this peer', error.message);
    throw error;
  }
}

/** The administrator making a change, as the audit log records them. */
function adminOf(user: LocalEnv['Variables']['user']): AuditActor {
  requireRole(user, 'admin');
  return { kind: 'user', id: user.id };
}

export function peerRoutes(ctx: NodeContext): Hono<LocalEnv> {
  const api = new Hono<LocalEnv>();

  api.post('/peers', async (c) => {
    const admin = adminOf(c.get('user'));
    const { url } = await jsonBody<{ url: string }>(c, 'AddPeerRequest');
    const id = peerUrl(url);
    const { peer, created } = await asProblem(async () => {
      const { identity, jws } = await fetchPeerIdentity(ctx.fetch, ctx.clock, id, ctx.limits.clockSkewSeconds);
      return addPeer(ctx.database, identity, jws, ctx.clock.now(), admin);
    });
    return c.json(peer, created ? 201 : 200);
  });

  api.post('/peers/trust', async (c) => {
    const admin = adminOf(c.get('user'));
    const request = await jsonBody<{ id: string; fingerprint: string }>(c, 'TrustPeerRequest');
    const id = peerUrl(request.id);
    return c.json(
      await asProblem(async () => {
        await requireFingerprint(ctx.database.db, id, request.fingerprint);
        return trustPeer(ctx.database, id, ctx.clock.now(), admin);
      }),
    );
  });

  for (const action of ['suspend', 'restore', 'revoke'] as const satisfies readonly PeerAction[]) {
    api.post(`/peers/${action}`, async (c) => {
      const admin = adminOf(c.get('user'));
      const request = await jsonBody<{ id: string; reason?: RevocationReason }>(c, action === 'revoke' ? 'RevokePeerRequest' : 'PeerStateRequest');
      const changed = await asProblem(() => changePeerState(ctx.database, peerUrl(request.id), action, ctx.clock.now(), admin, request.reason));
      if (action === 'revoke') await dropRevokedPeersDirectories(ctx.database.db);
      return c.json(changed);
    });
  }

  api.get('/peers/alerts', async (c) => {
    requireRole(c.get('user'), 'admin');
    return c.json({ items: await listPeerAlerts(ctx.database.db) });
  });

  api.post('/peers/alerts/resolve', async (c) => {
    const admin = adminOf(c.get('user'));
    const { id } = await jsonBody<{ id: number }>(c, 'ResolveAlertRequest');
    const resolved = await resolvePeerAlert(ctx.database, id, ctx.clock.now(), admin);
    if (!resolved) throw new DomainError(404, 'not-found', 'No such open alert', 'There is no open alert with this id.');
    return c.json({ items: await listPeerAlerts(ctx.database.db) });
  });

  return api;
}

/** The alerts as the local API gives them (spec/local.yaml PeerAlert). */
async function listPeerAlerts(db: Db) {
  return (await peerAlerts(db)).map((alert) => ({
    id: alert.id,
    peer_id: alert.peerId,
    kind: alert.kind,
    detail: alert.detail,
    detected_at: alert.detectedAt,
    ...(alert.evidence ? { evidence: alert.evidence } : {}),
    ...(alert.resolvedAt ? { resolved_at: alert.resolvedAt } : {}),
  }));
}
