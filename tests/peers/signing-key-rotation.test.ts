// Signing-key rotation with continuity: `keys rotate --signing` makes a new key and a statement
// signed by the old key and the new one; peers follow that chain from the key they pinned, at once
// when a message names the new key, and nothing in flight is lost: envelopes signed anew, receipts
// and erasure statements signed before the rotation, checkpoints and cosignatures. A new key no
// chain from the pinned one leads to is flagged, never followed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reloadKeysIfChanged } from '../../node/identity/rotation.js';
import { signIdentityDocument, verifyIdentityDocument } from '../../node/identity/document.js';
import { signContinuityStatement, verifyContinuityChain, type KeyContinuityStatement } from '../../node/identity/continuity.js';
import { generateSigningKey, type SigningKey } from '../../node/identity/keys.js';
import { refreshPeerIdentity } from '../../node/peers/refresh.js';
import { peerSigningKeys } from '../../node/peers/peer-keys.js';
import { acceptedMessageTypes } from '../../node/envelope/message-types.js';
import { signCheckpointIfGrown } from '../../node/audit-log/checkpoints.js';
import { checkpointRound } from '../../node/audit-log/witness-client.js';
import { exportAuditBundle } from '../../node/audit-log/bundle.js';
import { verifyBundleIntegrity } from '../../node/audit-log/verify-integrity.js';
import { noteText } from '../../node/audit-log/cosignature.js';
import { signNote } from '../../node/audit-log/checkpoint.js';
import { logSigner } from '../../node/audit-log/log-identity.js';
import { nowSeconds } from '../../node/context.js';
import { cli, cliResult } from '../_util/cli.js';
import { expectMatchesSpec } from '../_util/spec-check.js';
import { api, createTestNetwork, type Json, referralRequest, snapshot, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { sealEnvelope, signEnvelopeAttempt } from '../../node/envelope/seal.js';

let net: TestNetwork;
let gr: TestNode; // rotates its signing key
let at: TestNode; // trusts gr, sends to it and receives from it
let it3: TestNode; // receives from gr, erases under a withdrawal

beforeAll(async () => {
  net = await createTestNetwork(3);
  [gr, at, it3] = net.nodes as [TestNode, TestNode, TestNode];
});
afterAll(() => net.close());

const MINUTE = 60_000;
const pinned = async (node: TestNode, peer: TestNode) =>
  node.ctx.database.db.selectFrom('peers').selectAll().where('id', '=', peer.id).executeTakeFirstOrThrow();
const auditTypes = async (node: TestNode, like: string) =>
  (await node.ctx.database.db.selectFrom('audit_log').select('type').where('type', 'like', like).orderBy('idx').execute()).map((r) => r.type);
const alertsOf = (node: TestNode, peer: TestNode) =>
  node.ctx.database.db.selectFrom('peer_alerts').select(['kind', 'detail']).where('peer_id', '=', peer.id).where('resolved_at', 'is', null).execute();

/** Rotates `node`'s signing key with the CLI, as an administrator would, and lets the running node pick it up. */
async function rotateSigning(node: TestNode): Promise<{ before: SigningKey; after: SigningKey }> {
  const before = node.ctx.self.signingKey;
  expect(await cli('keys', 'rotate', '--signing', '--data', node.dataDir)).toMatch(/^New signing key [A-Z2-7-]+; [A-Z2-7-]+ was destroyed\./);
  expect(await reloadKeysIfChanged(node.ctx)).toBe(true);
  expect(node.ctx.self.signingKey.kid).not.toBe(before.kid);
  return { before, after: node.ctx.self.signingKey };
}

/** An identity document for `node` signed with `key`, as a forger (or a careless operator) would serve it. */
function documentSignedWith(node: TestNode, key: SigningKey, continuity?: KeyContinuityStatement[]): Promise<string> {
  const { self } = node.ctx;
  return signIdentityDocument(
    {
      nodeId: self.nodeId, name: self.name, country: self.country, languages: self.languages, messageTypes: acceptedMessageTypes(),
      signingKey: key, encryptionKeys: [self.encryptionKey.publicJwk], continuity,
    },
    nowSeconds(net.clock),
  );
}

/** Serves `jws` as `node`'s identity document until the returned function is called. */
function serveIdentityOf(node: TestNode, jws: string): () => void {
  net.intercept = (url) => (url.href === `${node.id}/.well-known/referral-node` ? new Response(jws, { status: 200, headers: { 'content-type': 'application/jwt' } }) : undefined);
  return () => {
    net.intercept = undefined;
  };
}

describe('rotating the signing key', () => {
  let referral: string; // gr → at, accepted before any rotation
  let first: SigningKey;

  beforeAll(async () => {
    referral = (await api(gr, 'POST', '/api/v1/referrals', referralRequest(at.id))).body.id;
    await net.settle();
    expect((await api(at, 'POST', `/api/v1/referrals/${referral}/accept`, {})).status).toBe(200);
    await net.settle();
    await signCheckpointIfGrown(gr.ctx);
  });

  it('makes a new key, destroys the old private half at once and publishes the chain in the identity document', async () => {
    ({ before: first } = await rotateSigning(gr));
    const rows = await gr.ctx.database.db.selectFrom('node_keys').selectAll().where('use', '=', 'sig').orderBy('created_at').execute();
    expect(rows.map((r) => [r.kid, r.status])).toEqual([[first.kid, 'destroyed'], [gr.ctx.self.signingKey.kid, 'active']]);
    expect(rows[0]).toMatchObject({ private_wrapped: '', continuity: null });
    expect(rows[1]!.continuity).not.toBeNull();

    const served = await gr.request('/.well-known/referral-node');
    const jws = (await expectMatchesSpec('federation', 'GET', '/.well-known/referral-node', served)) as string;
    const document = await verifyIdentityDocument(jws, nowSeconds(net.clock), gr.id);
    expect(document.ok).toBe(true);
    if (!document.ok) return;
    expect(document.identity.signingKeys.map((k) => k.kid)).toEqual([first.kid, gr.ctx.self.signingKey.kid]);
    expect(document.identity.claims.continuity).toHaveLength(1);

    const historical = JSON.parse(Buffer.from((await (await gr.request('/federation/v1/historical-keys')).text()).split('.')[1]!, 'base64url').toString()) as Json;
    expect(historical.keys).toEqual([expect.objectContaining({ kid: first.kid, use: 'sig', retired_at: expect.any(Number), destroyed_at: expect.any(Number) })]);
    expect(await auditTypes(gr, 'key.%')).toEqual(['key.rotated', 'key.destroyed']);
    expect(await cli('keys', 'status', '--data', gr.dataDir)).toMatch(/signing +destroyed/);
  });

  it('is followed by a witness at once: a checkpoint signed with the new key is cosigned', async () => {
    expect((await pinned(at, gr)).signing_kid).toBe(first.kid);
    await checkpointRound(gr.ctx);
    // at saw a service token signed with a key it had not pinned, fetched gr's document and followed the chain.
    expect((await pinned(at, gr)).signing_kid).toBe(gr.ctx.self.signingKey.kid);
    expect(await auditTypes(at, 'peer.key-rotated')).toEqual(['peer.key-rotated']);
    const cosigned = await gr.ctx.database.db.selectFrom('cosignatures').select(['witness_id', 'checkpoint_size']).where('witness_id', '=', at.id).execute();
    expect(cosigned.length).toBeGreaterThan(0);
    expect(at.logs()).toMatch(/followed its continuity chain from the pinned key/);
  });

  it('loses nothing in flight: envelopes queued both ways before the rotation are delivered after it', async () => {
    net.unreachable.add(gr.id);
    net.unreachable.add(it3.id);
    // it3 still pins gr's first key; at queues an update for gr; gr queues a new referral for it3.
    expect((await api(at, 'POST', `/api/v1/referrals/${referral}/update`, { status: 'first-contact-made' })).status).toBe(200);
    const toIt = (await api(gr, 'POST', '/api/v1/referrals', referralRequest(it3.id))).body.id as string;
    await net.settle();
    const middle = gr.ctx.self.signingKey.kid;
    const { after } = await rotateSigning(gr);
    net.clock.advance(6 * MINUTE);
    await net.catchUpWithCli();
    net.unreachable.clear();
    await net.settle();

    expect((await api(it3, 'GET', `/api/v1/referrals/${toIt}`)).body.state).toBe('delivered');
    expect((await pinned(it3, gr)).signing_kid).toBe(after.kid);
    // it3 followed two rotations in one step: the chain from the first key through the second.
    expect([...peerSigningKeys(await pinned(it3, gr)).keys()].sort()).toEqual([first.kid, middle, after.kid].sort());
    expect((await api(gr, 'GET', `/api/v1/referrals/${referral}`)).body.state).toBe('in-progress');
    const outgoing = (await api(at, 'GET', `/api/v1/referrals/${referral}`)).body.messages.filter((m: Json) => m.direction === 'outgoing');
    expect(outgoing.every((m: Json) => m.delivery.state === 'delivered')).toBe(true);
    expect((await pinned(at, gr)).signing_kid).toBe(after.kid);
  });

  it('accepts an erasure statement signed before the eraser rotated its key', async () => {
    const consent = await api(gr, 'POST', '/api/v1/consents', {
      categories: ['identity', 'situation'], purposes: ['referral'], recipients: [it3.id], method: 'written', language: 'en',
      valid_until: new Date(net.clock.now().getTime() + 90 * 86_400_000).toISOString(),
    });
    const { consent: _inline, ...request } = referralRequest(it3.id);
    const id = (await api(gr, 'POST', '/api/v1/referrals', { ...request, consent_id: consent.body.id })).body.id as string;
    await net.settle();
    expect((await api(gr, 'POST', `/api/v1/consents/${consent.body.id}/withdraw`, {})).status).toBe(200);
    // gr's envelopes endpoint is down: the withdrawal reaches it3, its signed erasure statement waits in its outbox.
    net.intercept = (url) => (url.href === `${gr.id}/federation/v1/envelopes` ? new Response(null, { status: 503 }) : undefined);
    await net.settle();
    const waiting = await it3.ctx.database.db.selectFrom('envelopes').select(['type', 'delivery_state']).where('referral_id', '=', id).where('direction', '=', 'outgoing').execute();
    expect(waiting).toEqual([{ type: 'erasure.receipt', delivery_state: 'queued' }]);
    const { before } = await rotateSigning(it3);
    net.intercept = undefined;
    net.clock.advance(6 * MINUTE);
    await net.catchUpWithCli();
    await net.settle();
    const erasure = await gr.ctx.database.db.selectFrom('erasures').selectAll().where('referral_id', '=', id).where('node_id', '=', it3.id).executeTakeFirstOrThrow();
    expect(erasure.confirmed_at).not.toBeNull();
    expect(erasure.statement_verified).toBe(1);
    expect(JSON.parse(Buffer.from(erasure.statement!.split('.')[0]!, 'base64url').toString()).kid).toBe(before.kid);
    expect((await pinned(gr, it3)).signing_kid).toBe(it3.ctx.self.signingKey.kid);
  });

  it('leaves the audit log verifiable: checkpoints before and after the rotations, in key order', async () => {
    await checkpointRound(gr.ctx);
    const bundle = await exportAuditBundle(gr.ctx);
    const report = await verifyBundleIntegrity(bundle);
    expect(report.findings).toEqual([]);
    expect(report.counts.checkpoints).toBeGreaterThanOrEqual(2);
    const verified = await cliResult('audit', 'verify', '--data', gr.dataDir);
    expect(verified.error).toBeUndefined();
    expect(verified.out).toMatch(/integrity: \d+ entries, [3-9] checkpoints, [4-9] cosignatures; 0 problem/);

    // A later checkpoint signed with a key the node had already replaced is flagged.
    const last = bundle.checkpoints.length - 1;
    const reordered = structuredClone(bundle);
    reordered.checkpoints[last] = await signNote(noteText(bundle.checkpoints[last]!), logSigner({ nodeId: gr.id, signingKey: first }));
    expect((await verifyBundleIntegrity(reordered)).findings.map((f) => f.check)).toEqual(['checkpoint-key-order']);
  });
});

/** at refreshes gr while `jws` is served as gr's document: an alert, and gr's key stays pinned. */
async function expectFlaggedWhenServed(jws: string): Promise<void> {
  const stop = serveIdentityOf(gr, jws);
  try {
    expect(await refreshPeerIdentity(at.ctx, await pinned(at, gr), { force: true })).toBe('alert');
  } finally {
    stop();
  }
  expect((await pinned(at, gr)).signing_kid).toBe(gr.ctx.self.signingKey.kid);
}

describe('a new signing key that no chain from the pinned key leads to', () => {
  beforeAll(async () => {
    await refreshPeerIdentity(at.ctx, await pinned(at, gr), { force: true });
  });

  it('is flagged, not followed, when the document has no continuity statement', async () => {
    const { key } = await generateSigningKey();
    await expectFlaggedWhenServed(await documentSignedWith(gr, key));
    expect((await alertsOf(at, gr)).map((a) => a.kind)).toEqual(['signing-key-changed']);
  });

  it('is refused when the statement is not signed by the key it claims to replace', async () => {
    const { key: thief } = await generateSigningKey();
    const { key: other } = await generateSigningKey();
    // Claims to replace gr's key, but its first signature is by another key under gr's kid.
    const forged = await signContinuityStatement(gr.id, { ...other, kid: gr.ctx.self.signingKey.kid, publicJwk: gr.ctx.self.signingKey.publicJwk }, thief, nowSeconds(net.clock));
    const jws = await documentSignedWith(gr, thief, [...gr.ctx.self.continuity, forged]);
    expect(await verifyIdentityDocument(jws, nowSeconds(net.clock), gr.id)).toEqual({ ok: false, reason: 'Continuity statement 3: it is not signed by the key it replaces.' });
    await expectFlaggedWhenServed(jws);
    expect((await alertsOf(at, gr)).map((a) => a.kind).sort()).toEqual(['invalid-identity-document', 'signing-key-changed']);
  });

  it('is flagged when the chain is valid but starts from a key that was never pinned', async () => {
    const { key: stranger } = await generateSigningKey();
    const { key: next } = await generateSigningKey();
    const jws = await documentSignedWith(gr, next, [await signContinuityStatement(gr.id, stranger, next, nowSeconds(net.clock))]);
    expect((await verifyIdentityDocument(jws, nowSeconds(net.clock), gr.id)).ok).toBe(true);
    await expectFlaggedWhenServed(jws);
    expect((await alertsOf(at, gr)).filter((a) => a.kind === 'signing-key-changed')).toHaveLength(2);
  });
});

describe('a continuity chain on its own', () => {
  let keys: SigningKey[];
  let statements: KeyContinuityStatement[];
  const node = 'https://node.example.org';

  beforeAll(async () => {
    keys = await Promise.all([0, 1, 2].map(async () => (await generateSigningKey()).key));
    statements = [await signContinuityStatement(node, keys[0]!, keys[1]!, 1), await signContinuityStatement(node, keys[1]!, keys[2]!, 2)];
  });

  it('leads from the first key to the last', async () => {
    const chain = await verifyContinuityChain(statements, node, keys[2]!.publicJwk);
    expect(chain.ok && chain.keys.map((k) => k.kid)).toEqual(keys.map((k) => k.kid));
  });

  it('is refused when a link is missing, out of order, of another node, or does not end at the signing key', async () => {
    const reasons = async (list: unknown[], nodeId = node, current = keys[2]!.publicJwk) => {
      const chain = await verifyContinuityChain(list, nodeId, current);
      return chain.ok ? 'ok' : chain.reason;
    };
    expect(await reasons([statements[1]!, statements[0]!])).toBe('Continuity statement 2 does not follow on from the one before it.');
    expect(await reasons(statements, 'https://other.example.org')).toMatch(/^Continuity statement 1: it was issued by/);
    expect(await reasons([statements[0]!])).toBe('The continuity chain does not end at the key that signs the document.');
    const back = await signContinuityStatement(node, keys[2]!, keys[0]!, 3);
    expect(await reasons([...statements, back], node, keys[0]!.publicJwk)).toBe('Continuity statement 3 goes back to a key used before.');
    const swapped = { ...statements[0]!, signatures: [statements[0]!.signatures[1]!, statements[0]!.signatures[0]!] };
    expect(await reasons([swapped, statements[1]!])).toBe('Continuity statement 1: it is not signed by the key it replaces.');
    expect(await reasons([{ payload: 'x', signatures: [] }])).toBe('Continuity statement 1: not a KeyContinuityStatement.');
  });
});

describe('a message naming a key the sender never had', () => {
  const forgedEnvelope = async (): Promise<string> => {
    const { key } = await generateSigningKey();
    const sealed = await sealEnvelope({
      type: 'referral.update', from: gr.id, to: at.id, referralId: '0190a0b0-0000-7000-8000-000000000001', seq: 1, createdAt: net.clock.now(),
      body: { referral_id: '0190a0b0-0000-7000-8000-000000000001', status: 'other' }, recipientKey: at.ctx.self.encryptionKey.publicJwk, senderKey: gr.ctx.self.encryptionKey.publicJwk,
    });
    return signEnvelopeAttempt(sealed.payload, { nodeId: gr.id, signingKey: key }, net.clock.now());
  };
  const post = async (jws: string) => at.request('/federation/v1/envelopes', { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });

  it('makes the receiver fetch the sender\'s document at most every five minutes, writing nothing; a real rotation is still followed', async () => {
    let fetched = 0;
    net.intercept = (url) => {
      if (url.href === `${gr.id}/.well-known/referral-node`) fetched += 1;
      return undefined;
    };
    try {
      net.clock.advance(6 * MINUTE);
      const before = await snapshot(at);
      for (const expected of [1, 1]) {
        const response = await post(await forgedEnvelope());
        expect(response.status).toBe(403);
        expect(((await response.json()) as Json).type).toBe('urn:refnet:problem:bad-signature');
        expect(fetched).toBe(expected);
      }
      expect(await snapshot(at)).toEqual(before);

      // gr really rotates; the next forged message (after the five minutes) brings the rotation in.
      const { after } = await rotateSigning(gr);
      net.clock.advance(6 * MINUTE);
      expect((await post(await forgedEnvelope())).status).toBe(403);
      expect(fetched).toBe(2);
      expect((await pinned(at, gr)).signing_kid).toBe(after.kid);
    } finally {
      net.intercept = undefined;
    }
  });
});
