// The federation API of the audit log, for trusted peers only (service tokens): the latest
// checkpoint with its cosignatures, entries, inclusion and consistency proofs, and this node's
// witness endpoint (C2SP tlog-witness add-checkpoint). Mounted under /federation/v1.
import { Hono, type Context } from 'hono';
import type { NodeContext } from '../context.js';
import { b64u, decodeBase64UrlStrict } from '../crypto/encoding.js';
import { requirePeer, type PeerEnv } from './require-peer.js';
import { describeErrors, queryValidatorFor } from '../schema/validators.js';
import { latestCheckpoint, noteWithCosignatures } from '../audit-log/checkpoints.js';
import { readEntries } from '../audit-log/entries.js';
import { concernsPeer } from '../audit-log/peer-view.js';
import { logProblem } from '../audit-log/problems.js';
import { consistencyProofBetween, inclusionProofAt, leafIndexOf, logSize } from '../audit-log/tree-store.js';
import { addCheckpoint, ADD_CHECKPOINT_MAX_BYTES } from '../audit-log/witness.js';
import { readBodyWithin } from '../net/body.js';

/** The most entries one page of GET /federation/v1/log/entries holds. */
export const MAX_ENTRIES_PER_PAGE = 1000;

const TEXT = 'text/plain; charset=utf-8';

export function logRoutes(ctx: NodeContext): Hono<PeerEnv> {
  const app = new Hono<PeerEnv>();
  const guard = requirePeer(ctx);
  const { db } = ctx.database;

  app.get('/log/checkpoint', guard, async (c) => {
    const checkpoint = await latestCheckpoint(db);
    if (!checkpoint) throw logProblem('no-checkpoint');
    return c.body(noteWithCosignatures(checkpoint), 200, { 'content-type': TEXT, 'cache-control': 'no-store' });
  });

  app.get('/log/entries', guard, async (c) => {
    const query = checkedQuery<{ start: number; end?: number }>(c, '/federation/v1/log/entries');
    if (query.end !== undefined && query.end < query.start) throw logProblem('invalid-parameters', 'end is below start.');
    const size = await logSize(db);
    if (query.start > size) throw logProblem('beyond-log-size');
    const end = Math.min(query.end ?? Number.MAX_SAFE_INTEGER, query.start + MAX_ENTRIES_PER_PAGE, size);
    const entries = await readEntries(db, query.start, end);
    const peerId = c.get('peer').id;
    return c.json({
      log_size: size,
      start: query.start,
      entries: entries.map((e) => ({ index: e.index, leaf_hash: e.leafHash, ...(concernsPeer(e.entry, peerId) ? { entry: e.entry } : {}) })),
    });
  });

  app.get('/log/proofs/inclusion', guard, async (c) => {
    const query = checkedQuery<{ tree_size: number; index?: number; leaf_hash?: string }>(c, '/federation/v1/log/proofs/inclusion');
    if ((query.index === undefined) === (query.leaf_hash === undefined)) throw logProblem('invalid-parameters', 'Give either index or leaf_hash.');
    const wantedHash = query.leaf_hash === undefined ? undefined : decodeBase64UrlStrict(query.leaf_hash);
    if (query.leaf_hash !== undefined && wantedHash?.length !== 32) throw logProblem('invalid-parameters', 'leaf_hash is the base64url of 32 bytes.');
    if (query.tree_size > (await logSize(db))) throw logProblem('beyond-log-size');
    const index = wantedHash ? await leafIndexOf(db, wantedHash, query.tree_size) : query.index!;
    if (index === undefined) throw logProblem('leaf-not-found');
    if (index >= query.tree_size) throw logProblem('beyond-log-size', 'index must be below tree_size.');
    const proof = (await inclusionProofAt(db, index, query.tree_size))!;
    const [leaf] = await readEntries(db, index, index + 1);
    return c.json({ index, tree_size: query.tree_size, leaf_hash: leaf!.leafHash, proof: proof.map((h) => b64u.encode(h)) });
  });

  app.get('/log/proofs/consistency', guard, async (c) => {
    const query = checkedQuery<{ old_size: number; new_size: number }>(c, '/federation/v1/log/proofs/consistency');
    if (query.old_size > query.new_size) throw logProblem('invalid-parameters', 'old_size is larger than new_size.');
    if (query.new_size > (await logSize(db))) throw logProblem('beyond-log-size');
    const proof = (await consistencyProofBetween(db, query.old_size, query.new_size))!;
    return c.json({ old_size: query.old_size, new_size: query.new_size, proof: proof.map((h) => b64u.encode(h)) });
  });

  app.post('/witness/add-checkpoint', guard, async (c) => {
    const body = await readBodyWithin(c.req.raw, ADD_CHECKPOINT_MAX_BYTES);
    if (body === undefined) throw logProblem('witness-request-too-large');
    const outcome = await addCheckpoint(ctx, c.get('peer'), body);
    if (outcome.kind === 'refused') throw outcome.problem;
    if (outcome.kind === 'size-mismatch') return c.body(`${outcome.size}\n`, 409, { 'content-type': 'text/x.tlog.size' });
    return c.body(`${outcome.line}\n`, 200, { 'content-type': TEXT });
  });

  return app;
}

/** The query string checked against the operation's parameters, whole numbers as numbers. */
function checkedQuery<T>(c: Context<PeerEnv>, path: string): T {
  const query: Record<string, unknown> = { ...c.req.query() };
  for (const [name, value] of Object.entries(query)) {
    if (typeof value === 'string' && /^\d{1,16}$/.test(value) && name !== 'leaf_hash') query[name] = Number(value);
  }
  const check = queryValidatorFor('federation', path, 'get');
  if (!check(query)) throw logProblem('invalid-parameters', undefined, { errors: describeErrors(check.errors) });
  return query as T;
}
