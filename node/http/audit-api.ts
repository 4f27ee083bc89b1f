// The auditor's view of the audit log in the local API (/api/v1/audit/...): entries, this node's
// checkpoints with their cosignatures, and what it witnessed of its peers' logs, including any
// inconsistency it flagged. Auditors and administrators may read; caseworkers may not.
import { Hono, type Context } from 'hono';
import type { NodeContext } from '../context.js';
import { b64u } from '../crypto/encoding.js';
import { checkpointHistory, noteWithCosignatures, type StoredCheckpoint } from '../audit-log/checkpoints.js';
import { readEntries } from '../audit-log/entries.js';
import { logSize } from '../audit-log/tree-store.js';
import { exportAuditBundle } from '../audit-log/bundle.js';
import { DEFAULT_ERASURE_GRACE_DAYS } from '../audit-log/consent-rules.js';
import { verifyAuditBundle } from '../audit-log/verify.js';
import { witnessedLogs } from '../audit-log/witnessed.js';
import { describeErrors, queryValidatorFor } from '../schema/validators.js';
import { requireRole, type LocalEnv } from './auth.js';
import { DomainError } from '../errors.js';

export function auditApiRoutes(ctx: NodeContext): Hono<LocalEnv> {
  const api = new Hono<LocalEnv>();
  const { db } = ctx.database;

  api.get('/audit/entries', async (c) => {
    requireRole(c.get('user'), 'auditor', 'admin');
    const query = checkedQuery<{ start?: number; limit?: number }>(c, '/api/v1/audit/entries');
    const start = query.start ?? 0;
    const limit = query.limit ?? 100;
    const size = await logSize(db);
    const entries = await readEntries(db, start, Math.min(start + limit, size));
    return c.json({
      log_size: size,
      items: entries.map((e) => ({ index: e.index, at: e.at, type: e.type, leaf_hash: e.leafHash, entry: e.entry })),
      ...(start + limit < size ? { next_start: start + limit } : {}),
    });
  });

  api.get('/audit/checkpoints', async (c) => {
    requireRole(c.get('user'), 'auditor', 'admin');
    const query = checkedQuery<{ limit?: number; before?: number }>(c, '/api/v1/audit/checkpoints');
    const limit = query.limit ?? 20;
    const [latest] = await checkpointHistory(db, { limit: 1 });
    const page = await checkpointHistory(db, { limit: limit + 1, before: query.before });
    const items = page.slice(0, limit);
    return c.json({
      ...(latest ? { latest: checkpointView(latest) } : {}),
      items: items.map(checkpointView),
      ...(page.length > limit ? { next_before: items.at(-1)!.size } : {}),
    });
  });

  api.get('/audit/witness', async (c) => {
    requireRole(c.get('user'), 'auditor', 'admin');
    return c.json(await witnessedLogs(db));
  });

  api.get('/audit/bundle', async (c) => {
    requireRole(c.get('user'), 'auditor', 'admin');
    return c.json(await exportAuditBundle(ctx));
  });

  api.get('/audit/verification', async (c) => {
    requireRole(c.get('user'), 'auditor', 'admin');
    const query = checkedQuery<{ erasure_grace_days?: number }>(c, '/api/v1/audit/verification');
    const bundle = await exportAuditBundle(ctx);
    return c.json(await verifyAuditBundle(bundle, { now: ctx.clock.now(), erasureGraceDays: query.erasure_grace_days ?? DEFAULT_ERASURE_GRACE_DAYS }));
  });

  return api;
}

function checkpointView(checkpoint: StoredCheckpoint) {
  return {
    size: checkpoint.size,
    root_hash: b64u.encode(checkpoint.rootHash),
    created_at: checkpoint.createdAt,
    note: noteWithCosignatures(checkpoint),
    cosignatures: checkpoint.cosignatures.map((c) => ({
      witness_id: c.witnessId,
      timestamp: new Date(c.timestamp * 1000).toISOString(),
      received_at: c.receivedAt,
    })),
  };
}

/** The query string checked against the operation's parameters, whole numbers as numbers. */
function checkedQuery<T>(c: Context<LocalEnv>, path: string): T {
  const query: Record<string, unknown> = { ...c.req.query() };
  for (const [name, value] of Object.entries(query)) {
    if (typeof value === 'string' && /^\d{1,16}$/.test(value)) query[name] = Number(value);
  }
  const check = queryValidatorFor('local', path, 'get');
  if (!check(query)) {
    throw new DomainError(400, 'invalid-request', 'Invalid request', 'The query does not match the API; see errors.', { errors: describeErrors(check.errors) });
  }
  return query as T;
}
