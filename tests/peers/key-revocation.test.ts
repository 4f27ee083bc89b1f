// Compromise: `keys revoke` declares the signing key stolen with a statement signed by that key;
// peers reached revoke the node at once (messages queued for it cancelled), peers not reached do so
// at their next identity refresh, and a trust anchor can revoke a member's key the same way.
// Recovery is a new invitation, which pins the new key. Every refusal of the endpoint changes nothing.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reloadKeysIfChanged, revokeSigningKey, rotateSigningKey } from '../../node/identity/rotation.js';
import { signIdentityDocument, verifyIdentityDocument } from '../../node/identity/document.js';
import { signContinuityStatement } from '../../node/identity/continuity.js';
import { acceptedMessageTypes } from '../../node/envelope/message-types.js';
import { pinTrustedPeer } from '../../node/peers/pin-peer.js';
import { MAX_DOCUMENT_BYTES } from '../../node/peers/identity-response.js';
import { signCheckpointIfGrown } from '../../node/audit-log/checkpoints.js';
import { checkpointRound } from '../../node/audit-log/witness-client.js';
import { exportAuditBundle } from '../../node/audit-log/bundle.js';
import { verifyBundleIntegrity } from '../../node/audit-log/verify-integrity.js';
import { generateSigningKey } from '../../node/identity/keys.js';
import { MAX_REVOCATION_BYTES, signOwnKeyRevocation } from '../../node/identity/revocation.js';
import { pushKeyRevocation } from '../../node/peers/key-revocation.js';
import { refreshPeerIdentity } from '../../node/peers/refresh.js';
import { nowSeconds } from '../../node/context.js';
import { cli, cliResult } from '../_util/cli.js';
import { expectMatchesSpec } from '../_util/spec-check.js';
import { api, createTestNetwork, type Json, referralRequest, snapshot, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let gr: TestNode; // its signing key is stolen
let at: TestNode; // reached by the push
let it3: TestNode; // not reached; learns at its next refresh
let dir: string;

beforeAll(async () => {
  net = await createTestNetwork(3);
  [gr, at, it3] = net.nodes as [TestNode, TestNode, TestNode];
  dir = mkdtempSync(join(tmpdir(), 'refnet-revocation-'));
});
afterAll(async () => {
  await net.close();
  rmSync(dir, { recursive: true, force: true });
});

const peerRow = (node: TestNode, peer: TestNode) => node.ctx.database.db.selectFrom('peers').selectAll().where('id', '=', peer.id).executeTakeFirstOrThrow();
const auditOf = async (node: TestNode, type: string) =>
  (await node.ctx.database.db.selectFrom('audit_log').select('entry').where('type', '=', type).orderBy('idx').execute()).map((r) => JSON.parse(r.entry) as Json);
const post = (node: TestNode, body: string, contentType = 'application/jwt') =>
  node.request('/federation/v1/key-revocations', { method: 'POST', headers: { 'content-type': contentType }, body });

describe('revoking a compromised signing key', () => {
  let referral: string;
  let stolen: string;
  let statement: string;

  beforeAll(async () => {
    referral = (await api(gr, 'POST', '/api/v1/referrals', referralRequest(at.id))).body.id;
    await net.settle();
    expect((await api(at, 'POST', `/api/v1/referrals/${referral}/accept`, {})).status).toBe(200);
    await net.settle();
  });

  it('asks for confirmation first, changing nothing', async () => {
    const before = await snapshot(gr);
    const refused = await cliResult('keys', 'revoke', '--data', gr.dataDir);
    expect(refused.error?.message).toMatch(/every peer .* revokes this node.*--yes/s);
    expect(await snapshot(gr)).toEqual(before);
  });

  it('replaces the key with an unrelated one and publishes the statement signed by the stolen key', async () => {
    stolen = gr.ctx.self.signingKey.kid;
    const encryption = gr.ctx.self.encryptionKey.kid;
    // A message waits at at for gr, which is down.
    net.unreachable.add(gr.id);
    expect((await api(at, 'POST', `/api/v1/referrals/${referral}/update`, { status: 'first-contact-made' })).status).toBe(200);
    await net.settle();
    net.unreachable.delete(gr.id);

    // The CLI runs beside the node and reaches no test node (real network): every peer is listed as not reached.
    const out = await cli('keys', 'revoke', '--yes', '--data', gr.dataDir);
    expect(out).toMatch(/^Signing key [A-Z2-7-]+ is revoked as compromised\. New signing key: [A-Z2-7-]+/);
    expect(out).toMatch(new RegExp(`${at.id} +unreachable`));
    expect(out).toMatch(/peer invite/);
    expect(await reloadKeysIfChanged(gr.ctx)).toBe(true);
    expect(gr.ctx.self.signingKey.kid).not.toBe(stolen);
    expect(gr.ctx.self.encryptionKey.kid).not.toBe(encryption);
    expect(gr.ctx.self.continuity).toEqual([]);

    const keys = await gr.ctx.database.db.selectFrom('node_keys').selectAll().where('kid', '=', stolen).executeTakeFirstOrThrow();
    expect(keys).toMatchObject({ status: 'revoked', private_wrapped: '', revoked_at: expect.any(String) });
    const served = await gr.request('/.well-known/referral-node');
    const document = await verifyIdentityDocument((await expectMatchesSpec('federation', 'GET', '/.well-known/referral-node', served)) as string, nowSeconds(net.clock), gr.id);
    expect(document.ok && document.identity.claims.key_revocations).toHaveLength(1);
    statement = (document.ok && document.identity.claims.key_revocations![0]) || '';
    const historical = JSON.parse(Buffer.from((await (await gr.request('/federation/v1/historical-keys')).text()).split('.')[1]!, 'base64url').toString()) as Json;
    expect(historical.keys.find((k: Json) => k.kid === stolen)).toMatchObject({ use: 'sig', revoked_at: expect.any(Number), revocation_reason: 'key-compromise' });
    expect((await auditOf(gr, 'key.revoked'))[0]).toMatchObject({ kid: stolen, reason: 'key-compromise', signing_kid: gr.ctx.self.signingKey.kid });

    // Peers not reached can be tried again (the CLI reaches no test node: all still unreachable).
    expect(await cli('keys', 'push-revocation', '--data', gr.dataDir)).toMatch(new RegExp(`${it3.id} +unreachable`));
    expect((await cliResult('keys', 'push-revocation', '--data', it3.dataDir)).error?.message).toBe('This node never revoked a key; there is nothing to send.');
  });

  it('is acted on at once by a peer it is pushed to: revoked, its queued messages cancelled', async () => {
    expect((await peerRow(at, gr)).state).toBe('trusted');
    net.unreachable.add(it3.id);
    const outcomes = await pushKeyRevocation(gr.ctx, statement);
    net.unreachable.delete(it3.id);
    expect(Object.fromEntries(outcomes)).toEqual({ [at.id]: 'revoked', [it3.id]: 'unreachable' });
    expect(await peerRow(at, gr)).toMatchObject({ state: 'revoked', revocation_reason: 'key-compromise' });
    expect((await auditOf(at, 'peer.revoked')).at(-1)).toMatchObject({ peer_id: gr.id, reason: 'key-compromise', actor: { kind: 'peer', id: gr.id } });
    const queued = await at.ctx.database.db.selectFrom('envelopes').select(['delivery_state', 'payload']).where('peer_id', '=', gr.id).where('direction', '=', 'outgoing').where('type', '=', 'referral.update').execute();
    expect(queued).toEqual([{ delivery_state: 'failed', payload: '' }]);
    expect(at.logs()).toMatch(/peer key declared compromised/);

    // The same statement again: answered the same, nothing changes.
    const before = await snapshot(at);
    const again = await post(at, statement);
    expect(await expectMatchesSpec('federation', 'POST', '/federation/v1/key-revocations', again)).toEqual({ node_id: gr.id, kid: stolen, peer_state: 'revoked' });
    expect(await snapshot(at)).toEqual(before);
  });

  it('is acted on by a peer not reached when it next refreshes the identity document', async () => {
    expect((await peerRow(it3, gr)).state).toBe('trusted');
    expect(await refreshPeerIdentity(it3.ctx, await peerRow(it3, gr), { force: true })).toBe('revoked');
    expect(await peerRow(it3, gr)).toMatchObject({ state: 'revoked', revocation_reason: 'key-compromise' });
    const evidence = await it3.ctx.database.db.selectFrom('key_revocations').selectAll().execute();
    expect(evidence).toEqual([expect.objectContaining({ kid: stolen, node_id: gr.id, signed_by: 'key', statement })]);
  });

  it('refuses the node\'s messages until it is invited again, which pins the new key; then they go', async () => {
    const refused = (await api(gr, 'POST', '/api/v1/referrals', referralRequest(at.id))).body.id as string;
    await net.settle();
    const sent = (await api(gr, 'GET', `/api/v1/referrals/${refused}`)).body.messages[0] as Json;
    // Signed with its new key, which no one has pinned: not verified, so not told it is revoked
    // either (that answer is for requests signed with the key pinned for it). It keeps the message.
    expect(sent.delivery).toMatchObject({ state: 'queued', last_error: '403 urn:refnet:problem:bad-signature' });

    const invitation = await api(gr, 'POST', '/api/v1/invitations', {});
    expect(invitation.status).toBe(201);
    expect((await api(at, 'POST', '/api/v1/invitations/redeem', { code: invitation.body.code })).status).toBe(200);
    expect(await peerRow(at, gr)).toMatchObject({ state: 'trusted', signing_kid: gr.ctx.self.signingKey.kid, revocation_reason: null });
    // Its next attempt, once due, is verified under the key now pinned.
    net.clock.advance(10 * 60_000);
    await net.settle();
    expect((await api(at, 'GET', `/api/v1/referrals/${refused}`)).body.state).toBe('delivered');
    // The statement still in gr's identity document names a key at no longer pins: the refresh changes nothing.
    expect(await refreshPeerIdentity(at.ctx, await peerRow(at, gr), { force: true })).toBe('updated');
    expect((await peerRow(at, gr)).state).toBe('trusted');
  });
});

describe('a key revocation statement that changes nothing', () => {
  const refusals: Array<[string, () => Promise<Response>, number, string]> = [
    ['too large', () => post(it3, 'x'.repeat(17 * 1024)), 413, 'key-revocation-too-large'],
    ['of another media type', () => post(it3, 'a.b.c', 'application/json'), 415, 'unsupported-media-type'],
    ['not a JWS', () => post(it3, 'not a statement'), 400, 'malformed-key-revocation'],
    ['about a node not known here', async () => post(it3, await signOwnKeyRevocation('https://stranger.example.org', (await generateSigningKey()).key, nowSeconds(net.clock))), 403, 'unknown-key'],
    ['about a key not pinned for the node', async () => post(it3, await signOwnKeyRevocation(at.id, (await generateSigningKey()).key, nowSeconds(net.clock))), 403, 'unknown-key'],
    [
      'signed by another key than the one it revokes',
      async () => {
        const forged = await signOwnKeyRevocation(at.id, { ...(await generateSigningKey()).key, kid: at.ctx.self.signingKey.kid }, nowSeconds(net.clock));
        return post(it3, forged);
      },
      403,
      'bad-signature',
    ],
  ];

  it.each(refusals)('is refused when %s', async (_name, send, status, problem) => {
    const before = await snapshot(it3);
    const response = await send();
    expect(response.status).toBe(status);
    const body = (await expectMatchesSpec('federation', 'POST', '/federation/v1/key-revocations', response)) as Json;
    expect(body.type).toBe(`urn:refnet:problem:${problem}`);
    expect(await snapshot(it3)).toEqual(before);
  });
});

describe('a key revocation by the network\'s trust anchor', () => {
  let statementFile: string;

  beforeAll(async () => {
    const key = join(dir, 'anchor.jwk');
    const list = join(dir, 'list.json');
    const created = await cli('trustlist', 'create', '--key', key, '--out', list, '--network', 'Test network');
    await cli('trustlist', 'add', list, '--node', at.id, '--kid', at.ctx.self.signingKey.kid);
    statementFile = join(dir, 'revocation.jws');
    const out = await cli('trustlist', 'revoke-key', list, '--key', key, '--node', at.id, '--out', statementFile);
    expect(out).toMatch(/written to .*revocation\.jws, signed by the anchor/);
    expect(out).toMatch(/trustlist remove/);
    it3.ctx.trustAnchorKid = /Anchor key thumbprint: (\S+)/.exec(created)![1];
  });

  it('is refused by a node that does not follow that anchor', async () => {
    const before = await snapshot(gr);
    const response = await post(gr, readFileSync(statementFile, 'utf8').trim());
    expect(response.status).toBe(403);
    expect(((await response.json()) as Json).type).toBe('urn:refnet:problem:unknown-key');
    expect(await snapshot(gr)).toEqual(before);
  });

  it('revokes the member at once on a node that follows it', async () => {
    expect((await peerRow(it3, at)).state).toBe('trusted');
    const response = await post(it3, readFileSync(statementFile, 'utf8').trim());
    expect(response.status).toBe(200);
    expect(await peerRow(it3, at)).toMatchObject({ state: 'revoked', revocation_reason: 'key-compromise' });
    expect((await auditOf(it3, 'peer.revoked')).at(-1)).toMatchObject({ peer_id: at.id, actor: { kind: 'system', id: 'trust-anchor' } });
    const evidence = await it3.ctx.database.db.selectFrom('key_revocations').selectAll().where('node_id', '=', at.id).executeTakeFirstOrThrow();
    expect(evidence).toMatchObject({ kid: at.ctx.self.signingKey.kid, signed_by: 'trust-anchor' });
  });
});

describe('a revocation of a key the peer has not followed yet', () => {
  let small: TestNetwork;

  afterAll(() => small.close());

  it('is acted on: the statement carries the chain from the key the peer pinned', async () => {
    small = await createTestNetwork(2);
    const [a, b] = small.nodes as [TestNode, TestNode];
    const first = a.ctx.self.signingKey.kid;
    await cli('keys', 'rotate', '--signing', '--data', a.dataDir);
    await reloadKeysIfChanged(a.ctx);
    // b heard nothing from a since: it still pins a's first key when the second one is stolen.
    await cli('keys', 'revoke', '--yes', '--data', a.dataDir);
    await reloadKeysIfChanged(a.ctx);
    expect((await b.ctx.database.db.selectFrom('peers').select('signing_kid').where('id', '=', a.id).executeTakeFirstOrThrow()).signing_kid).toBe(first);
    expect(Object.fromEntries(await pushKeyRevocation(a.ctx, a.ctx.self.keyRevocations[0]!))).toEqual({ [b.id]: 'revoked' });
    expect(await b.ctx.database.db.selectFrom('peers').select(['state', 'revocation_reason']).where('id', '=', a.id).executeTakeFirstOrThrow()).toEqual({ state: 'revoked', revocation_reason: 'key-compromise' });
  });
});

describe('what a key kept or stolen cannot do', () => {
  let pair: TestNetwork;
  let a: TestNode;
  let b: TestNode;

  beforeAll(async () => {
    pair = await createTestNetwork(2);
    [a, b] = pair.nodes as [TestNode, TestNode];
  });
  afterAll(() => pair.close());

  const rotate = async (node: TestNode) => {
    const before = node.ctx.self.signingKey;
    await rotateSigningKey(node.ctx.database, node.ctx.dataKeys, node.ctx.self, pair.clock.now(), { kind: 'system', id: 'test' });
    expect(await reloadKeysIfChanged(node.ctx)).toBe(true);
    return before;
  };
  const pinnedBy = async (node: TestNode, peer: TestNode) => node.ctx.database.db.selectFrom('peers').selectAll().where('id', '=', peer.id).executeTakeFirstOrThrow();

  it('a key the node rotated away from cannot revoke it', async () => {
    await signCheckpointIfGrown(a.ctx);
    const kept = await rotate(a);
    expect(await refreshPeerIdentity(b.ctx, await pinnedBy(b, a), { force: true })).toBe('updated');
    expect((await pinnedBy(b, a)).signing_kid).toBe(a.ctx.self.signingKey.kid);
    const before = await snapshot(b);
    const response = await b.request('/federation/v1/key-revocations', {
      method: 'POST', headers: { 'content-type': 'application/jwt' }, body: await signOwnKeyRevocation(a.id, kept, nowSeconds(pair.clock)),
    });
    expect(response.status).toBe(403);
    expect(((await response.json()) as Json).type).toBe('urn:refnet:problem:unknown-key');
    expect(await snapshot(b)).toEqual(before);
  });

  it('a chain that starts at a key declared compromised is never pinned, though it was not the key pinned', async () => {
    await rotate(a); // b does not follow this one
    const stolen = a.ctx.self.signingKey;
    await revokeSigningKey(a.ctx.database, a.ctx.dataKeys, a.ctx.self, pair.clock.now(), { kind: 'system', id: 'test' });
    await reloadKeysIfChanged(a.ctx);
    expect(Object.fromEntries(await pushKeyRevocation(a.ctx, a.ctx.self.keyRevocations[0]!))).toEqual({ [b.id]: 'revoked' });
    expect((await pinnedBy(b, a)).signing_kid).not.toBe(stolen.kid);

    // The thief makes a key of its own, vouched for by the stolen one, and tries to be pinned.
    const { key: thief } = await generateSigningKey();
    const { self } = a.ctx;
    const forged = await signIdentityDocument(
      {
        nodeId: self.nodeId, name: self.name, country: self.country, languages: self.languages, messageTypes: acceptedMessageTypes(),
        signingKey: thief, encryptionKeys: [self.encryptionKey.publicJwk], continuity: [await signContinuityStatement(a.id, stolen, thief, nowSeconds(pair.clock))],
      },
      nowSeconds(pair.clock),
    );
    const verified = await verifyIdentityDocument(forged, nowSeconds(pair.clock), a.id);
    expect(verified.ok).toBe(true);
    if (!verified.ok) return;
    const before = await snapshot(b);
    await expect(b.ctx.database.transaction((tx) => pinTrustedPeer(tx, verified.identity, forged, pair.clock.now(), { kind: 'system', id: 'test' }))).rejects.toMatchObject({
      problem: 'peer-key-conflict',
    });
    expect(await snapshot(b)).toEqual(before);
  });

  it('leaves the log verifiable: checkpoints signed before the revocation check with the historical keys', async () => {
    await signCheckpointIfGrown(a.ctx);
    const bundle = await exportAuditBundle(a.ctx);
    const report = await verifyBundleIntegrity(bundle);
    expect(report.findings).toEqual([]);
    expect(report.counts.checkpoints).toBe(2);
    const { historical_keys: _historical, ...without } = bundle;
    expect((await verifyBundleIntegrity(without)).findings.map((f) => f.check)).toEqual(['checkpoint-signature']);
  });
});

describe('a revocation after many rotations', () => {
  let pair: TestNetwork;
  afterAll(() => pair.close());

  it('still reaches a peer that missed the last rotations, and the identity document stays small; a peer that missed more than 16 is asked to trust anew', async () => {
    pair = await createTestNetwork(3);
    const [a, b, c] = pair.nodes as [TestNode, TestNode, TestNode]; // c follows none of the rotations
    const system = { kind: 'system', id: 'test' } as const;
    // b follows now and then (hourly, in a serving node), and misses the last three rotations.
    for (let i = 0; i < 20; i++) {
      if (i === 8 || i === 17) {
        const peer = await b.ctx.database.db.selectFrom('peers').selectAll().where('id', '=', a.id).executeTakeFirstOrThrow();
        expect(await refreshPeerIdentity(b.ctx, peer, { force: true })).toBe('updated');
      }
      await rotateSigningKey(a.ctx.database, a.ctx.dataKeys, a.ctx.self, pair.clock.now(), system);
      await reloadKeysIfChanged(a.ctx);
    }
    await revokeSigningKey(a.ctx.database, a.ctx.dataKeys, a.ctx.self, pair.clock.now(), system);
    await reloadKeysIfChanged(a.ctx);
    expect(Object.fromEntries(await pushKeyRevocation(a.ctx, a.ctx.self.keyRevocations[0]!))).toEqual({ [b.id]: 'revoked', [c.id]: 'refused 403 unknown-key' });
    // c pinned a's first key, twenty rotations ago: nothing it can follow; its administrator is alerted.
    const onC = await c.ctx.database.db.selectFrom('peers').selectAll().where('id', '=', a.id).executeTakeFirstOrThrow();
    expect(await refreshPeerIdentity(c.ctx, onC, { force: true })).toBe('alert');

    // Before the revocation the document carried the last 16 steps; the statement, the last 4.
    const text = await (await a.request('/.well-known/referral-node')).text();
    expect(text.length).toBeLessThan(MAX_DOCUMENT_BYTES / 4);
    const statement = a.ctx.self.keyRevocations[0]!;
    expect(statement.length).toBeLessThan(MAX_REVOCATION_BYTES);
    expect((JSON.parse(Buffer.from(statement.split('.')[1]!, 'base64url').toString()) as Json).continuity).toHaveLength(4);
  });
});

describe('a witness that revoked its key and was invited again', () => {
  let pair: TestNetwork;
  afterAll(() => pair.close());

  it('still vouches for the checkpoints it cosigned with the revoked key in the audit bundle', async () => {
    pair = await createTestNetwork(2);
    const [a, b] = pair.nodes as [TestNode, TestNode];
    await checkpointRound(a.ctx);
    expect(await a.ctx.database.db.selectFrom('cosignatures').select('witness_id').execute()).toEqual([{ witness_id: b.id }]);

    await revokeSigningKey(b.ctx.database, b.ctx.dataKeys, b.ctx.self, pair.clock.now(), { kind: 'system', id: 'test' });
    await reloadKeysIfChanged(b.ctx);
    expect(Object.fromEntries(await pushKeyRevocation(b.ctx, b.ctx.self.keyRevocations[0]!))).toEqual({ [a.id]: 'revoked' });
    const invitation = await api(b, 'POST', '/api/v1/invitations', {});
    expect((await api(a, 'POST', '/api/v1/invitations/redeem', { code: invitation.body.code })).status).toBe(200);

    const bundle = await exportAuditBundle(a.ctx);
    expect(bundle.witnesses).toEqual([{ node_id: b.id, identity: expect.any(String), earlier: [expect.any(String)] }]);
    expect((await verifyBundleIntegrity(bundle)).findings).toEqual([]);
    const withoutEarlier = { ...bundle, witnesses: bundle.witnesses.map(({ earlier: _earlier, ...w }) => w) };
    expect((await verifyBundleIntegrity(withoutEarlier)).findings.map((f) => f.check)).toEqual(['cosignature-invalid']);
    const served = await a.request('/api/v1/audit/bundle', { headers: { authorization: `Bearer ${a.token}` } });
    const body = (await expectMatchesSpec('local', 'GET', '/api/v1/audit/bundle', served)) as Json;
    expect(body.witnesses[0].earlier).toHaveLength(1);
  });
});
