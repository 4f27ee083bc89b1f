// The guard of the federation routes that a peer calls with a service token (peers/service-token.ts
// checks the token; this puts the verified peer on the request, or refuses).
import type { SigningPeer } from '../peers/store.js';
import type { MiddlewareHandler } from 'hono';
import type { NodeContext } from '../context.js';
import { serviceTokenProblem, verifyServiceToken } from '../peers/service-token.js';
import { chargeVerifiedPeer } from './federation-limits.js';

export type PeerEnv = { Variables: { peer: SigningPeer } };

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
