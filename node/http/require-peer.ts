// The guard of the federation routes that a peer calls with a service token (peers/service-token.ts
// checks the token; this puts the verified peer on the request, or refuses).
import type { MiddlewareHandler } from 'hono';
import type { Selectable } from 'kysely';
import type { NodeContext } from '../context.js';
import type { PeersTable } from '../db/schema.js';
import { serviceTokenProblem, verifyServiceToken } from '../peers/service-token.js';
import { chargeVerifiedPeer } from './federation-limits.js';

export type PeerEnv = { Variables: { peer: Selectable<PeersTable> } };

/** Federation routes behind this answer only to trusted peers presenting a valid service token. */
export const requirePeer = (ctx: NodeContext): MiddlewareHandler<PeerEnv> =>
  async function requirePeer(c, next) {
    const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
    const verification = await verifyServiceToken(ctx, match?.[1], { method: c.req.method, path: c.req.path });
    if (!verification.ok) throw serviceTokenProblem(verification.problem);
    await chargeVerifiedPeer(c, ctx, verification.peer.id);
    c.set('peer', verification.peer);
    await next();
  };
