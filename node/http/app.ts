// The node's HTTP application: the federation API and the local API side by side, one error
// handler that writes application/problem+json, the headers every response carries
// (response-headers.ts), a health and a readiness check, and the metrics for Prometheus (admins
// only). The web interface is added
// above the node, by the server's composition (server/app.ts): the node does not know it.
import { Hono, type Context } from 'hono';
import { sql } from 'kysely';
import type { NodeContext } from '../context.js';
import { federationRoutes } from './federation.js';
import { localApiRoutes } from './local-api.js';
import { internalError, DomainError } from '../errors.js';
import { problemResponse } from './problem.js';
import { pendingMigrations } from '../db/migration-status.js';
import { metricsRoutes, requestMetrics } from './metrics.js';
import { standardHeaders } from './response-headers.js';

/**
 * Builds the HTTP app a node serves; `onQueued` wakes the delivery worker when envelopes are due
 * again (requeued, their peer restored). Envelopes just queued the outbox hands over itself.
 */
export type HttpAppBuilder = (ctx: NodeContext, onQueued: () => void) => Hono;

/** The answer at a path where nothing is: the node's own, and that of an app mounted on it. */
export const notFound = (c: Context): Response => problemResponse(c, new DomainError(404, 'not-found', 'Not found', 'There is nothing at this path.'));

export const createHttpApp: HttpAppBuilder = (ctx, onQueued) => {
  const app = new Hono();
  const log = ctx.logger.child({ subsystem: 'http' });
  app.use('*', requestMetrics(ctx));
  app.use('*', standardHeaders(ctx.self.nodeId));

  app.get('/healthz', async (c) => {
    try {
      await sql`select 1`.execute(ctx.database.db);
      return c.json({ status: 'ok' as const });
    } catch {
      return problemResponse(c, new DomainError(503, 'not-ready', 'Not ready', 'The database is not reachable.'));
    }
  });
  app.get('/readyz', async (c) => {
    const failed = await unreadyBecause(ctx);
    if (failed) return problemResponse(c, new DomainError(503, 'not-ready', 'Not ready', failed));
    return c.json({ status: 'ready' as const });
  });
  app.route('/', metricsRoutes(ctx));
  app.route('/', federationRoutes(ctx));
  app.route('/api/v1', localApiRoutes(ctx, onQueued));

  app.notFound(notFound);
  app.onError((error, c) => {
    if (error instanceof DomainError) return problemResponse(c, error);
    // The message is left out of the log: messages can quote input, and input can be personal data.
    // A database's error code (SQLSTATE, SQLITE_*) is kept: it says what failed, never with what.
    const code = databaseErrorCode(error);
    log.error({ error: error.name, ...(code ? { code } : {}), frames: error.stack?.split('\n').slice(1, 8).join('\n'), path: c.req.routePath }, 'unhandled error');
    return problemResponse(c, internalError());
  });
  return app;
};

/** The code of a database error: PostgreSQL's five-character SQLSTATE or SQLite's SQLITE_* name. */
function databaseErrorCode(error: Error): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^([0-9A-Z]{5}|SQLITE_[A-Z_]+)$/.test(code) ? code : undefined;
}

/** Why the node should not be sent traffic yet, or undefined when it is ready. Never personal data. */
async function unreadyBecause(ctx: NodeContext): Promise<string | undefined> {
  try {
    await sql`select 1`.execute(ctx.database.db);
  } catch {
    return 'The database is not reachable.';
  }
  const pending = await pendingMigrations(ctx.database).catch(() => undefined);
  if (!pending) return 'The database\'s migrations cannot be read.';
  if (pending.length > 0) return `The database has ${pending.length} migration(s) not applied yet (${pending.join(', ')}): restart the node to apply them.`;
  const { self } = ctx;
  if (!self.signingKey || !self.encryptionKeys.has(self.encryptionKey.kid)) return 'The node\'s keys are not loaded.';
  return undefined;
}
