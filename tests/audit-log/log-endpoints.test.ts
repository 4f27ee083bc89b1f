// The audit log's federation endpoints: a trusted peer reads the latest signed checkpoint, the
// entries, and inclusion and consistency proofs that verify against the checkpoint's root; bad
// parameters get a 400 or 422 problem and change nothing; callers without a trusted service
// token are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNote, parseCheckpointBody } from '../../node/audit-log/checkpoint.js';
import { signCheckpointIfGrown } from '../../node/audit-log/checkpoints.js';
import { logOrigin, logVerifier } from '../../node/audit-log/log-identity.js';
import { leafHash, rootOf, verifyConsistency, verifyInclusion } from '../../node/audit-log/merkle.js';
import { logSize, treeRoot } from '../../node/audit-log/tree-store.js';
import { b64u, utf8 } from '../../node/crypto/encoding.js';
import { createTestNetwork, trust, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { appendEvents, logTables, peerCall } from './_log-helpers.js';

let net: TestNetwork;
let a: TestNode; // the log
let b: TestNode; // a trusted peer
let c: TestNode; // a node a does not trust

beforeAll(async () => {
  net = await createTestNetwork(3, { trust: false });
  [a, b, c] = net.nodes as [TestNode, TestNode, TestNode];
  await trust(a, b);
  await trust(b, a);
  await trust(c, a);
});
afterAll(() => net.close());

const decode = (list: string[]) => list.map((h) => b64u.decode(h));

async function allLeafHashes(node: TestNode): Promise<Uint8Array[]> {
  const rows = await node.ctx.database.db.selectFrom('audit_log').select('leaf_hash').orderBy('idx').execute();
  return rows.map((r) => b64u.decode(r.leaf_hash));
}

describe('the latest checkpoint', () => {
  it('is 404 no-checkpoint until the node has signed one', async () => {
    const { status, body } = await peerCall(b, a, 'GET', '/federation/v1/log/checkpoint');
    expect(status).toBe(404);
    expect((body as { type: string }).type).toBe('urn:refnet:problem:no-checkpoint');
  });

  it('is a C2SP signed note by the node over the size and root of its whole log', async () => {
    await appendEvents(a, 37);
    const made = await signCheckpointIfGrown(a.ctx);
    expect(made).toBeDefined();
    expect(await signCheckpointIfGrown(a.ctx)).toBeUndefined(); // not grown since
    const { status, contentType, body } = await peerCall(b, a, 'GET', '/federation/v1/log/checkpoint');
    expect(status).toBe(200);
    expect(contentType).toBe('text/plain');
    const signingJwk = JSON.parse((await b.ctx.database.db.selectFrom('peers').select('signing_jwk').where('id', '=', a.id).executeTakeFirstOrThrow()).signing_jwk);
    const opened = await openNote(body as string, [logVerifier(a.id, signingJwk)]);
    expect(opened).toMatchObject({ ok: true, verifiedBy: [logOrigin(a.id)] });
    const parsed = parseCheckpointBody(opened.ok ? opened.text : '');
    const leaves = await allLeafHashes(a);
    expect(parsed).toMatchObject({ ok: true, checkpoint: { origin: 'node-gr-0.test/audit-log', size: leaves.length } });
    expect(parsed.ok && Buffer.from(parsed.checkpoint.rootHash).equals(Buffer.from(rootOf(leaves)))).toBe(true);
  });
});

describe('entries', () => {
  it('come in index order as the exact texts their leaf hashes cover, at most 1000 a page', async () => {
    await appendEvents(a, 1_100);
    const size = await logSize(a.ctx.database.db);
    const { status, body } = await peerCall(b, a, 'GET', '/federation/v1/log/entries?start=0');
    expect(status).toBe(200);
    const page = body as { log_size: number; start: number; entries: Array<{ index: number; leaf_hash: string; entry?: string }> };
    expect(page.log_size).toBe(size);
    expect(page.entries).toHaveLength(1000);
    const stored = await a.ctx.database.db.selectFrom('audit_log').select(['idx', 'leaf_hash', 'entry']).where('idx', '<', 1000).orderBy('idx').execute();
    page.entries.forEach((e, i) => {
      expect(e.index).toBe(i);
      expect(e.leaf_hash).toBe(stored[i]!.leaf_hash);
      if (e.entry !== undefined) {
        expect(e.leaf_hash).toBe(b64u.encode(leafHash(utf8.encode(e.entry))));
        expect(JSON.parse(e.entry)).toMatchObject({ index: i });
      }
    });
    // B reads the text of entries about itself only (here: A adding and trusting B); the rest
    // (users of A, other peers) are leaf hashes.
    const readable = page.entries.filter((e) => e.entry !== undefined).map((e) => JSON.parse(e.entry!) as { type: string; peer_id?: string });
    expect(readable.length).toBeGreaterThan(0);
    expect(readable.every((e) => e.peer_id === b.id)).toBe(true);
    const hidden = stored.filter((row) => page.entries[row.idx]!.entry === undefined).map((row) => JSON.parse(row.entry) as { type: string; peer_id?: string });
    expect(hidden.some((e) => e.type === 'user.created')).toBe(true);
    expect(hidden.every((e) => e.peer_id !== b.id)).toBe(true);
    const tail = (await peerCall(b, a, 'GET', `/federation/v1/log/entries?start=1000&end=${size + 50}`)).body as typeof page;
    expect(tail.entries.map((e) => e.index)).toEqual(Array.from({ length: size - 1000 }, (_, i) => 1000 + i));
    const few = (await peerCall(b, a, 'GET', '/federation/v1/log/entries?start=3&end=5')).body as typeof page;
    expect(few.entries.map((e) => e.index)).toEqual([3, 4]);
    const none = (await peerCall(b, a, 'GET', `/federation/v1/log/entries?start=${size}`)).body as typeof page;
    expect(none.entries).toEqual([]);
  });
});

describe('proofs', () => {
  it('prove inclusion, by index or by leaf hash, against the root of the size asked for', async () => {
    const size = 777;
    const root = await treeRoot(a.ctx.database.db, size);
    const byIndex = (await peerCall(b, a, 'GET', `/federation/v1/log/proofs/inclusion?tree_size=${size}&index=500`)).body as {
      index: number; tree_size: number; leaf_hash: string; proof: string[];
    };
    expect(byIndex).toMatchObject({ index: 500, tree_size: size });
    expect(verifyInclusion(b64u.decode(byIndex.leaf_hash), 500, size, decode(byIndex.proof), root)).toBe(true);
    const byHash = (await peerCall(b, a, 'GET', `/federation/v1/log/proofs/inclusion?tree_size=${size}&leaf_hash=${byIndex.leaf_hash}`)).body;
    expect(byHash).toEqual(byIndex);
  });

  it('prove consistency between any two sizes', async () => {
    const size = await logSize(a.ctx.database.db);
    for (const [oldSize, newSize] of [[1, size], [37, size], [500, 777], [0, 10], [10, 10]] as const) {
      const { status, body } = await peerCall(b, a, 'GET', `/federation/v1/log/proofs/consistency?old_size=${oldSize}&new_size=${newSize}`);
      expect(status).toBe(200);
      const proof = decode((body as { proof: string[] }).proof);
      const [oldRoot, newRoot] = [await treeRoot(a.ctx.database.db, oldSize), await treeRoot(a.ctx.database.db, newSize)];
      expect(verifyConsistency(oldSize, newSize, oldRoot, newRoot, proof)).toBe(true);
    }
  });
});

describe('bad requests', () => {
  it.each([
    ['/federation/v1/log/entries', 400, 'invalid-parameters'],
    ['/federation/v1/log/entries?start=abc', 400, 'invalid-parameters'],
    ['/federation/v1/log/entries?start=5&end=4', 400, 'invalid-parameters'],
    ['/federation/v1/log/entries?start=0&page=2', 400, 'invalid-parameters'],
    ['/federation/v1/log/entries?start=99999999', 422, 'beyond-log-size'],
    ['/federation/v1/log/proofs/inclusion?tree_size=10', 400, 'invalid-parameters'],
    ['/federation/v1/log/proofs/inclusion?tree_size=10&index=1&leaf_hash=' + 'A'.repeat(43), 400, 'invalid-parameters'],
    ['/federation/v1/log/proofs/inclusion?tree_size=10&leaf_hash=not-a-hash', 400, 'invalid-parameters'],
    ['/federation/v1/log/proofs/inclusion?tree_size=10&index=10', 422, 'beyond-log-size'],
    ['/federation/v1/log/proofs/inclusion?tree_size=99999999&index=1', 422, 'beyond-log-size'],
    ['/federation/v1/log/proofs/inclusion?tree_size=10&leaf_hash=' + 'A'.repeat(43), 404, 'leaf-not-found'],
    ['/federation/v1/log/proofs/consistency?old_size=5', 400, 'invalid-parameters'],
    ['/federation/v1/log/proofs/consistency?old_size=6&new_size=5', 400, 'invalid-parameters'],
    ['/federation/v1/log/proofs/consistency?old_size=-1&new_size=5', 400, 'invalid-parameters'],
    ['/federation/v1/log/proofs/consistency?old_size=1&new_size=99999999', 422, 'beyond-log-size'],
    ['/federation/v1/log/proofs/consistency?old_size=1&new_size=1e3', 400, 'invalid-parameters'],
  ])('%s → %i %s, and nothing changes', async (path, status, problem) => {
    const before = await logTables(a);
    const response = await peerCall(b, a, 'GET', path);
    expect(response.status).toBe(status);
    expect(response.contentType).toBe('application/problem+json');
    expect((response.body as { type: string }).type).toBe(`urn:refnet:problem:${problem}`);
    expect(await logTables(a)).toEqual(before);
  });

  it('are refused without a service token, or from a node not trusted', async () => {
    for (const path of ['/federation/v1/log/checkpoint', '/federation/v1/log/entries?start=0', '/federation/v1/log/proofs/consistency?old_size=1&new_size=2']) {
      const anonymous = await peerCall(b, a, 'GET', path, { token: null });
      expect(anonymous).toMatchObject({ status: 401, body: { type: 'urn:refnet:problem:service-token-required' } });
      const stranger = await peerCall(c, a, 'GET', path);
      // A stranger's token cannot be verified here: the answer does not say the node is unknown.
      expect(stranger).toMatchObject({ status: 403, body: { type: 'urn:refnet:problem:bad-signature' } });
    }
  });
});
