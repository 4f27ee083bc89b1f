// Bearer-token authentication for the local API, and role checks.
import type { MiddlewareHandler } from 'hono';
import type { Database } from '../db/database.js';
import type { Clock } from '../context.js';
import { authenticateToken, type AuthenticatedUser, type Role } from '../users/service.js';
import { DomainError } from '../errors.js';

export type LocalEnv = { Variables: { user: AuthenticatedUser } };

export const bearerAuth = (database: Database, clock: Clock): MiddlewareHandler<LocalEnv> =>
  async function bearerAuth(c, next) {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const user = match ? await authenticateToken(database, match[1]!, clock.now()) : undefined;
    if (!user) {
      throw new DomainError(401, 'unauthorized', 'Authentication required', 'Send a valid API token as Authorization: Bearer <token>.', {}, 'Bearer realm="referral-node"');
    }
    c.set('user', user);
    await next();
  };

export function requireRole(user: AuthenticatedUser, ...roles: Role[]): void {
  if (!roles.includes(user.role)) {
    throw new DomainError(403, 'forbidden', 'Not allowed for this role', `This needs the role ${roles.join(' or ')}.`);
  }
}
