// Peers witness each other's logs (C2SP tlog-witness): a node's checkpoints get cosigned by every
// trusted peer, consistency is checked from the size each witness holds, an out-of-step log is
// told the witness's size and catches up, an unreachable witness is tried again, and a node that
// rewrites its history is flagged by its witnesses, with both signed notes kept as evidence.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkpointBody, ed25519SignerFromNodeCrypto, openNote, parseCheckpointBody, signNote } from '../../node/audit-log/checkpoint.js';
import { latestCheckpoint } from '../../node/audit-log/checkpoints.js';
import { noteText, signatureLines, verifyCosignature } from '../../node/audit-log/cosignature.js';
import { logOrigin, logSigner, logVerifier, rawEd25519Key, witnessKeyName } from '../../node/audit-log/log-identity.js';
import { leafHash } from '../../node/audit-log/merkle.js';
import { logSize, treeRoot } from '../../node/audit-log/tree-store.js';
import { addCheckpointRequestBody } from '../../node/audit-log/witness.js';
import { checkpointRound, submitToWitnesses } from '../../node/audit-log/witness-client.js';
import { b64u, utf8 } from '../../node/crypto/encoding.js';
import { generateKeyPairSync } from 'node:crypto';
import { createTestNetwork, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { appendEvents, asRole, logTables, peerCall } from './_log-helpers.js';

let net: TestNetwork;
let a: TestNode; // the log under watch
let b: TestNode; // witness
let c: TestNode; // witness

beforeAll(async () => {
  net = await createTestNetwork(3);
  [a, b, c] = net.nodes as [TestNode, TestNode, TestNode];
});
afterAll(() => net.close());

async function pinnedKey(of: TestNode, at: TestNode): Promise<{ x: string }> {
  const row = await at.ctx.database.db.selectFrom('peers').select('signing_jwk').where('id', '=', of.id).executeTakeFirstOrThrow();
  return JSON.parse(row.signing_jwk) as { x: string };
}

async function held(witness: TestNode, log: TestNode) {
  return witness.ctx.database.db.selectFrom('witnessed_checkpoints').selectAll().where('peer_id', '=', log.id).executeTakeFirst();
}

describe('a checkpoint', () => {
  it('is cosigned by every trusted peer, and served with their cosignatures', async () => {
    await appendEvents(a, 20);
    const round = await checkpointRound(a.ctx);
    expect(round.signed?.size).toBe(await logSize(a.ctx.database.db));
    expect(Object.fromEntries(round.witnesses)).toEqual({ [b.id]: 'cosigned', [c.id]: 'cosigned' });
    expect((await held(b, a))?.size).toBe(round.signed!.size);

    const { body } = await peerCall(c, a, 'GET', '/federation/v1/log/checkpoint');
    const note = body as string;
    const opened = await openNote(note, [logVerifier(a.id, await pinnedKey(a, c))]);
    expect(opened.ok).toBe(true);
    const lines = signatureLines(note);
    expect(lines).toHaveLength(3);
    for (const witness of [b, c]) {
      const key = { name: witnessKeyName(witness.id), publicKey: rawEd25519Key(await pinnedKey(witness, a)) };
      const checks = await Promise.all(lines.map((line) => verifyCosignature(line, noteText(note), key)));
      expect(checks.filter((check) => check.ok)).toEqual([{ ok: true, timestamp: Math.floor(net.clock.now().getTime() / 1000) }]);
    }
  });

  it('shows in the local API with its cosignatures, for auditors and administrators only', async () => {
    const auditor = await asRole(a, 'auditor');
    const { status, body } = await auditor('/api/v1/audit/checkpoints');
    expect(status).toBe(200);
    expect(body.latest.size).toBe((await latestCheckpoint(a.ctx.database.db))!.size);
    expect(body.latest.cosignatures.map((c: { witness_id: string }) => c.witness_id).sort()).toEqual([b.id, c.id].sort());
    expect(body.items[0]).toEqual(body.latest);
    const entries = await auditor('/api/v1/audit/entries?start=2&limit=5');
    expect(entries.status).toBe(200);
    expect(entries.body.items.map((e: { index: number }) => e.index)).toEqual([2, 3, 4, 5, 6]);
    expect(entries.body.next_start).toBe(7);
    for (const item of entries.body.items) expect(item.leaf_hash).toBe(b64u.encode(leafHash(utf8.encode(item.entry))));
    expect((await auditor('/api/v1/audit/entries?limit=0')).status).toBe(400);

    const caseworker = await asRole(a, 'caseworker');
    for (const path of ['/api/v1/audit/entries', '/api/v1/audit/checkpoints', '/api/v1/audit/witness']) {
      expect(await caseworker(path)).toMatchObject({ status: 403, body: { type: 'urn:refnet:problem:forbidden' } });
    }
  });

  it('of a grown log is cosigned after the witnesses check its consistency with the last one', async () => {
    const before = (await held(b, a))!.size;
    await appendEvents(a, 13);
    const round = await checkpointRound(a.ctx);
    expect(round.signed!.size).toBeGreaterThanOrEqual(before + 13);
    expect(Object.fromEntries(round.witnesses)).toEqual({ [b.id]: 'cosigned', [c.id]: 'cosigned' });
    expect((await held(c, a))?.size).toBe(round.signed!.size);
    // Nothing new: no checkpoint, nothing to submit.
    const idle = await checkpointRound(a.ctx);
    expect(idle.signed).toBeUndefined();
    expect(idle.witnesses.size).toBe(0);
  });

  it('reaches a witness that was unreachable at the next round', async () => {
    net.unreachable.add(c.id);
    await appendEvents(a, 5);
    const first = await checkpointRound(a.ctx);
    expect(Object.fromEntries(first.witnesses)).toEqual({ [b.id]: 'cosigned', [c.id]: 'unreachable' });
    net.unreachable.delete(c.id);
    const second = await checkpointRound(a.ctx);
    expect(second.signed).toBeUndefined();
    expect(Object.fromEntries(second.witnesses)).toEqual({ [c.id]: 'cosigned' });
    expect((await held(c, a))?.size).toBe(first.signed!.size);
  });

  it('is resubmitted from the size a witness reports with 409 when the log is out of step', async () => {
    // The log forgets what b cosigned, so it offers a proof from 0; b answers with its size.
    const bSize = (await held(b, a))!.size;
    const latest = (await latestCheckpoint(a.ctx.database.db))!;
    const wrong = await peerCall(a, b, 'POST', '/federation/v1/witness/add-checkpoint', { body: addCheckpointRequestBody(0, [], latest.note) });
    expect(wrong).toMatchObject({ status: 409, contentType: 'text/x.tlog.size', body: `${bSize}\n` });

    await a.ctx.database.db.deleteFrom('cosignatures').where('witness_id', '=', b.id).execute();
    await appendEvents(a, 3);
    const round = await checkpointRound(a.ctx);
    expect(Object.fromEntries(round.witnesses)).toEqual({ [b.id]: 'cosigned', [c.id]: 'cosigned' });
    expect((await held(b, a))?.size).toBe(round.signed!.size);
  });
});

describe('the witness endpoint', () => {
  it('refuses what it cannot check, and changes nothing', async () => {
    const latest = (await latestCheckpoint(a.ctx.database.db))!;
    const size = latest.size;
    const strangerKey = generateKeyPairSync('ed25519').privateKey;
    const forged = await signNote(noteText(latest.note), ed25519SignerFromNodeCrypto(logOrigin(a.id), strangerKey));
    // Signed by the log itself, but carrying text the witness would keep in the clear (issue 17 item 8).
    const withExtension = await signNote(`${noteText(latest.note)}Ana Popescu, born 1990\n`, logSigner(a.ctx.self));
    const withStrangerLine = `${latest.note}— Ana Popescu born 1990 ${Buffer.alloc(68, 1).toString('base64')}\n`;
    const cases: Array<[TestNode, string, number, string]> = [
      [a, addCheckpointRequestBody(size, [], withExtension), 400, 'malformed-witness-request'],
      [a, addCheckpointRequestBody(size, [], withStrangerLine), 400, 'malformed-witness-request'],
      [a, 'not a request', 400, 'malformed-witness-request'],
      [a, `old ${size}\nnot base64!\n\n${latest.note}`, 400, 'malformed-witness-request'],
      [a, `old ${size + 1}\n\n${latest.note}`, 400, 'malformed-witness-request'],
      [a, addCheckpointRequestBody(size, [], forged), 403, 'bad-checkpoint-signature'],
      [c, addCheckpointRequestBody(size, [], latest.note), 403, 'not-log-origin'],
      [a, `old 0\n${'A'.repeat(70 * 1024)}\n\n${latest.note}`, 413, 'witness-request-too-large'],
    ];
    for (const [from, body, status, problem] of cases) {
      const before = await logTables(b);
      const response = await peerCall(from, b, 'POST', '/federation/v1/witness/add-checkpoint', { body });
      expect(response, problem).toMatchObject({ status, contentType: 'application/problem+json', body: { type: `urn:refnet:problem:${problem}` } });
      expect(await logTables(b)).toEqual(before);
    }
    const anonymous = await peerCall(a, b, 'POST', '/federation/v1/witness/add-checkpoint', { body: addCheckpointRequestBody(size, [], latest.note), token: null });
    expect(anonymous.status).toBe(401);
  });
});

describe('a node that rewrites its history', () => {
  it('is flagged by its witnesses, with both signed notes kept as evidence', async () => {
    const bHeld = (await held(b, a))!;
    const flaggedInLog = async () =>
      (await b.ctx.database.db.selectFrom('audit_log').select('entry').where('type', '=', 'witness.inconsistency').execute()).map((e) => JSON.parse(e.entry));
    expect(await flaggedInLog()).toEqual([]);

    // a quietly changes the time of entry 3 (the leaf hash with it, so its own tree is self-consistent),
    // drops its cached subtrees, appends more and signs a new checkpoint.
    await a.ctx.database.transaction(async (tx) => {
      const row = await tx.selectFrom('audit_log').selectAll().where('idx', '=', 3).executeTakeFirstOrThrow();
      const entry = row.entry.replace('"at":"2026-', '"at":"2025-');
      expect(entry).not.toBe(row.entry);
      await tx.updateTable('audit_log').set({ entry, leaf_hash: b64u.encode(leafHash(utf8.encode(entry))) }).where('idx', '=', 3).execute();
      await tx.deleteFrom('audit_tree_nodes').execute();
      await tx.deleteFrom('audit_leaf_hashes').execute();
    });
    await appendEvents(a, 4);
    const round = await checkpointRound(a.ctx);
    expect(Object.fromEntries(round.witnesses)).toEqual({ [b.id]: 'refused', [c.id]: 'refused' });

    // b kept the checkpoint it held, and the evidence.
    expect((await held(b, a))?.size).toBe(bHeld.size);
    const evidence = await b.ctx.database.db.selectFrom('witness_inconsistencies').selectAll().execute();
    expect(evidence).toHaveLength(1);
    expect(evidence[0]).toMatchObject({ peer_id: a.id, kind: 'consistency-proof-failed', held_size: bHeld.size, held_note: bHeld.note, submitted_size: round.signed!.size, submitted_note: round.signed!.note });
    // Both notes are signed by a: the evidence stands on its own.
    for (const note of [evidence[0]!.held_note, evidence[0]!.submitted_note]) {
      expect((await openNote(note, [logVerifier(a.id, await pinnedKey(a, b))])).ok).toBe(true);
    }

    // An entry in b's own audit log, and a log line without personal data.
    expect(await flaggedInLog()).toEqual([
      expect.objectContaining({ type: 'witness.inconsistency', peer_id: a.id, old_size: bHeld.size, new_size: round.signed!.size }),
    ]);
    expect(b.logs()).toMatch(/contradicts one it signed before/);

    // The administrator and auditors see it.
    const auditor = await asRole(b, 'auditor');
    const { status, body } = await auditor('/api/v1/audit/witness');
    expect(status).toBe(200);
    expect(body.logs.find((l: { peer_id: string }) => l.peer_id === a.id).checkpoint.size).toBe(bHeld.size);
    expect(body.inconsistencies).toEqual([
      expect.objectContaining({
        peer_id: a.id,
        kind: 'consistency-proof-failed',
        held: { size: bHeld.size, root_hash: bHeld.root_hash, note: bHeld.note },
        submitted: expect.objectContaining({ size: round.signed!.size, note: round.signed!.note }),
      }),
    ]);

    // Submitting again adds no second audit entry.
    await submitToWitnesses(a.ctx);
    expect(await flaggedInLog()).toHaveLength(1);
    expect(await b.ctx.database.db.selectFrom('witness_inconsistencies').selectAll().execute()).toHaveLength(1);
  });

  it('is flagged when it signs another root for a size the witness holds', async () => {
    const cHeld = (await held(c, a))!;
    // A checkpoint of the held size over a's rewritten tree, as a would sign it.
    const root = await treeRoot(a.ctx.database.db, cHeld.size);
    expect(b64u.encode(root)).not.toBe(cHeld.root_hash);
    const note = await signNote(checkpointBody({ origin: logOrigin(a.id), size: cHeld.size, rootHash: root }), logSigner(a.ctx.self));
    const response = await peerCall(a, c, 'POST', '/federation/v1/witness/add-checkpoint', { body: addCheckpointRequestBody(cHeld.size, [], note) });
    expect(response).toMatchObject({ status: 409, contentType: 'application/problem+json', body: { type: 'urn:refnet:problem:checkpoint-conflict' } });
    const evidence = await c.ctx.database.db.selectFrom('witness_inconsistencies').selectAll().where('kind', '=', 'same-size-different-root').execute();
    expect(evidence).toMatchObject([{ peer_id: a.id, held_size: cHeld.size, held_note: cHeld.note, submitted_size: cHeld.size, submitted_note: note }]);
    expect(parseCheckpointBody(noteText(evidence[0]!.submitted_note))).toMatchObject({ ok: true });
  });

  it('cannot make a witness go back to a smaller tree', async () => {
    const cHeld = (await held(c, a))!;
    const note = await signNote(checkpointBody({ origin: logOrigin(a.id), size: 2, rootHash: await treeRoot(a.ctx.database.db, 2) }), logSigner(a.ctx.self));
    const before = await logTables(c);
    const fromHeld = await peerCall(a, c, 'POST', '/federation/v1/witness/add-checkpoint', { body: addCheckpointRequestBody(cHeld.size, [], note) });
    expect(fromHeld).toMatchObject({ status: 400, body: { type: 'urn:refnet:problem:malformed-witness-request' } });
    const fromZero = await peerCall(a, c, 'POST', '/federation/v1/witness/add-checkpoint', { body: addCheckpointRequestBody(0, [], note) });
    expect(fromZero).toMatchObject({ status: 409, contentType: 'text/x.tlog.size', body: `${cHeld.size}\n` });
    expect(await logTables(c)).toEqual(before);
  });
});
