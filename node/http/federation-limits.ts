// The federation API's limits (net/rate-limits.ts): a request whose sender verified (a service
// token, or an envelope's signature) is counted against that peer, from the point where it
// verified, before anything is written; every other request against the client's address, a
// refused one (4xx) at the cost of a failed authentication. An address out of its points is
// refused before anything else is done.
import type { Context, MiddlewareHandler } from 'hono';
import type { NodeContext } from '../context.js';
import { TooManyRequests } from '../errors.js';
import { clientAddress } from './client-address.js';

/** The requests whose sender verified: charged to the peer, not to the address. */
const verified = new WeakSet<Request>();

/** The sender of this request verified as `peerId`: counted against it (refused with 429 once it is out of its minute's requests). */
export async function chargeVerifiedPeer(c: Context, ctx: NodeContext, peerId: string): Promise<void> {
  verified.add(c.req.raw);
  await ctx.throttles.requests.chargePeer(peerId);
}

export const federationLimits = (ctx: NodeContext): MiddlewareHandler =>
  async function federationLimits(c, next) {
    const { requests } = ctx.throttles;
    const address = clientAddress(c, ctx);
    await requests.checkAddress(address);
    await next();
    if (verified.has(c.req.raw)) return;
    const refused = c.res.status >= 400 && c.res.status < 500 && c.res.status !== 429;
    // Answered already: a request that takes the address past its limit is counted, and the next is refused.
    await requests.chargeAddress(address, refused).catch((error: unknown) => {
      if (!(error instanceof TooManyRequests)) throw error;
    });
  };
