// Bearer-token authentication for the local API, and role checks.
import type { MiddlewareHandler } from 'hono';
import type { NodeContext } from '../context.js';
import { clientAddress } from './client-address.js';
import { authenticateToken, type AuthenticatedUser, type Role } from '../users/service.js';
import { DomainError } from '../errors.js';

export type LocalEnv = { Variables: { user: AuthenticatedUser } };

/**
 * The local API's guard: a valid token, within its requests per minute. A client address out of
 * its points is refused before its token is looked at; a missing or wrong token costs its address
 * FAILURE_COST points (net/rate-limits.ts).
 */
export const bearerAuth = (ctx: NodeContext): MiddlewareHandler<LocalEnv> =>
  async function bearerAuth(c, next) {
    const { requests } = ctx.throttles;
    const address = clientAddress(c, ctx);
    await requests.checkAddress(address);
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const user = match ? await authenticateToken(ctx.database, match[1]!, ctx.clock.now()) : undefined;
    if (!user) {
      await requests.chargeAddress(address, true);
      throw new DomainError(401, 'unauthorized', 'Authentication required', 'Send a valid API token as Authorization: Bearer <token>.', {}, 'Bearer realm="referral-node"');
    }
    await requests.chargeToken(user.tokenId);
    c.set('user', { id: user.id, username: user.username, role: user.role });
    await next();
  };

export function requireRole(user: AuthenticatedUser, ...roles: Role[]): void {
  if (!roles.includes(user.role)) {
    throw new DomainError(403, 'forbidden', 'Not allowed for this role', `This needs the role ${roles.join(' or ')}.`);
  }
}
