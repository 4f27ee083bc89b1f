// The node's HTTP application: the federation API and the local API side by side, one error
// handler that writes application/problem+json, and a health check. The web interface is added
// above the node, by the server's composition (server/app.ts): the node does not know it.
import { Hono } from 'hono';
import { sql } from 'kysely';
import type { NodeContext } from '../context.js';
import { federationRoutes } from './federation.js';
import { localApiRoutes } from './local-api.js';
import { internalError, DomainError } from '../errors.js';
import { problemResponse } from './problem.js';

/** Builds the HTTP app a node serves; `onQueued` wakes the delivery worker for a message just queued. */
export type HttpAppBuilder = (ctx: NodeContext, onQueued: () => void) => Hono;

export const createHttpApp: HttpAppBuilder = (ctx, onQueued) => {
  const app = new Hono();
  const log = ctx.logger.child({ subsystem: 'http' });

  app.get('/healthz', async (c) => {
    try {
      await sql`select 1`.execute(ctx.database.db);
      return c.json({ status: 'ok' as const });
    } catch {
      return problemResponse(c, new DomainError(503, 'not-ready', 'Not ready', 'The database is not reachable.'));
    }
  });
  app.route('/', federationRoutes(ctx));
  app.route('/api/v1', localApiRoutes(ctx, onQueued));

  app.notFound((c) => problemResponse(c, new DomainError(404, 'not-found', 'Not found', 'There is nothing at this path.')));
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
