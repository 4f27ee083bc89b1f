// Helpers for the audit log tests: filling a node's log, calling a peer's federation API with a
// service token (responses checked against spec/federation.yaml), local API calls as a given
// role, and a snapshot of the log's tables to prove that a refused request changed nothing.
import { appendAuditEvent } from '../../node/audit-log/append.js';
import { nowSeconds } from '../../node/context.js';
import { createServiceToken } from '../../node/peers/service-token.js';
import { createApiToken, createUser, type Role } from '../../node/users/service.js';
import { expectMatchesSpec } from '../_util/spec-check.js';
import type { Json, TestNode } from '../_util/test-node.js';

let counter = 0;

/** Appends `count` events to the node's audit log, as the node's own hooks would. */
export async function appendEvents(node: TestNode, count: number): Promise<void> {
  await node.ctx.database.transaction(async (tx) => {
    for (let i = 0; i < count; i++) {
      counter += 1;
      await appendAuditEvent(tx, node.ctx.clock.now(), { kind: 'system', id: 'test' }, { type: 'user.created', user_id: `user-${counter}`, role: 'caseworker' });
    }
  });
}

/** A federation request from `from` to `to` with a fresh service token; the response is checked against the spec. */
export async function peerCall(
  from: TestNode,
  to: TestNode,
  method: string,
  pathAndQuery: string,
  init: { body?: string; token?: string | null } = {},
): Promise<{ status: number; contentType: string; body: Json | string }> {
  const path = pathAndQuery.split('?')[0]!;
  const token =
    init.token === undefined
      ? await createServiceToken({ nodeId: from.id, signingKey: from.ctx.self.signingKey }, { aud: to.id, method, path }, nowSeconds(from.ctx.clock))
      : init.token;
  const headers: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
  if (init.body !== undefined) headers['content-type'] = 'text/plain; charset=utf-8';
  const response = await to.request(pathAndQuery, { method, headers, ...(init.body !== undefined ? { body: init.body } : {}) });
  const contentType = response.headers.get('content-type')?.split(';')[0]?.trim() ?? '';
  const body = (await expectMatchesSpec('federation', method, path, response)) as Json | string;
  return { status: response.status, contentType, body };
}

/** A local API call with a token of a new user of the given role; checked against spec/local.yaml. */
export async function asRole(node: TestNode, role: Role): Promise<(path: string) => Promise<{ status: number; body: Json }>> {
  counter += 1;
  const username = `${role}-${counter}`;
  await createUser(node.ctx.database, { username, role }, node.ctx.clock.now());
  const token = await createApiToken(node.ctx.database, username, { label: 'test', days: node.ctx.limits.apiTokenDays }, node.ctx.clock.now());
  return async (path) => {
    const response = await node.request(path, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await expectMatchesSpec('local', 'GET', path.split('?')[0]!, response)) as Json };
  };
}

/** Every row of the audit log's tables. */
export async function logTables(node: TestNode): Promise<Record<string, unknown[]>> {
  const { db } = node.ctx.database;
  const tables = ['audit_log', 'audit_tree_nodes', 'audit_leaf_hashes', 'checkpoints', 'cosignatures', 'witnessed_checkpoints', 'witness_inconsistencies'] as const;
  const out: Record<string, unknown[]> = {};
  for (const table of tables) out[table] = await db.selectFrom(table).selectAll().execute();
  return out;
}
