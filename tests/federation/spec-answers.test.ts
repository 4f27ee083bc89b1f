// What spec/federation.yaml now answers that it left open (issue 19 item 1), and the node
// following each answer: the identity document's fetch (200, application/jwt), lifetime, keys
// (one signing key, the first X25519 key current, every kid its thumbprint), protocol versions and
// same-origin envelope endpoint; envelopes posted to `endpoints.envelopes`; envelope ids that are
// UUIDv7; no `crit`; and no message of a type the peer does not accept.
import { randomUUID } from 'node:crypto';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowSeconds } from '../../node/context.js';
import { b64u, utf8 } from '../../node/crypto/encoding.js';
import { IDENTITY_TYP, type IdentityClaims, verifyIdentityDocument } from '../../node/identity/document.js';
import { generateEncryptionKey } from '../../node/identity/keys.js';
import { sealEnvelope, signEnvelopeAttempt } from '../../node/envelope/seal.js';
import { createServiceToken } from '../../node/peers/service-token.js';
import { fetchPeerIdentity } from '../../node/peers/service.js';
import { refreshPeerIdentity } from '../../node/peers/refresh.js';
import { PeerError } from '../../node/peers/node-url.js';
import { expectUnchanged, snapshotDatabase } from '../_util/database-snapshot.js';
import { expectMatchesSpec } from '../_util/spec-check.js';
import { adminIdOf, api, createTestNetwork, type Json, referralRequest, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;
let it3: TestNode;

beforeAll(async () => {
  net = await createTestNetwork(3);
  [gr, at, it3] = net.nodes as [TestNode, TestNode, TestNode];
});
afterAll(() => net.close());

const servedDocument = async (node: TestNode): Promise<string> => (await node.request('/.well-known/referral-node')).text();

/**
 * A compact JWS signed by `node` with exactly this protected header: made by hand, because jose
 * (rightly) refuses to sign a header whose `crit` names what it does not understand.
 */
async function signedAs(node: TestNode, header: Record<string, unknown>, payload: Uint8Array): Promise<string> {
  const input = `${b64u.encode(utf8.encode(JSON.stringify(header)))}.${b64u.encode(payload)}`;
  const signature = new Uint8Array(await crypto.subtle.sign('Ed25519', node.ctx.self.signingKey.privateKey, utf8.encode(input)));
  return `${input}.${b64u.encode(signature)}`;
}

/** `node`'s identity document with its claims changed by `change`, signed again with its own key (and extra header members). */
async function resigned(node: TestNode, change: (claims: IdentityClaims) => void, header: Record<string, unknown> = {}): Promise<string> {
  const claims = decodeJwt(await servedDocument(node)) as unknown as IdentityClaims;
  change(claims);
  return signedAs(node, { alg: 'EdDSA', typ: IDENTITY_TYP, kid: node.ctx.self.signingKey.kid, ...header }, utf8.encode(JSON.stringify(claims)));
}

/** What `peer add` makes of `body` served as AT's identity document. */
async function addedFrom(body: string, init: ResponseInit = { headers: { 'content-type': 'application/jwt' } }): Promise<string> {
  const fetch = async () => new Response(body, init);
  try {
    await fetchPeerIdentity(fetch, net.clock, at.id);
    return 'accepted';
  } catch (error) {
    if (error instanceof PeerError) return error.message;
    throw error;
  }
}

describe('the identity document, as a node fetches it to add a peer', () => {
  it('is taken only as 200 with Content-Type application/jwt (parameters allowed)', async () => {
    const jws = await servedDocument(at);
    expect(await addedFrom(jws)).toBe('accepted');
    expect(await addedFrom(jws, { headers: { 'content-type': 'application/jwt; charset=utf-8' } })).toBe('accepted');
    expect(await addedFrom(jws, { headers: { 'content-type': 'text/plain' } })).toMatch(/served its identity document as text\/plain, not application\/jwt/);
    expect(await addedFrom(jws, { status: 203, headers: { 'content-type': 'application/jwt' } })).toMatch(/answered 203 for its identity document/);
  });

  it('is refused when it is valid for more than 24 hours, or dated ahead of this node\'s clock', async () => {
    expect(await addedFrom(await resigned(at, (c) => (c.exp = c.iat + 86_400)))).toBe('accepted');
    expect(await addedFrom(await resigned(at, (c) => (c.exp = c.iat + 86_401)))).toMatch(/valid for 86401 seconds; at most 86400/);
    expect(await addedFrom(await resigned(at, (c) => ((c.iat = nowSeconds(net.clock) + 3600), (c.exp = c.iat + 3600))))).toMatch(/dated in the future/);
    // Ahead by 10 minutes: past the default skew, within a node's wider one (REFERRAL_NODE_CLOCK_SKEW_SECONDS).
    const ahead = await resigned(at, (c) => ((c.iat = nowSeconds(net.clock) + 600), (c.exp = c.iat + 3600)));
    const serving = async () => new Response(ahead, { headers: { 'content-type': 'application/jwt' } });
    expect(await addedFrom(ahead)).toMatch(/dated in the future/);
    expect((await fetchPeerIdentity(serving, net.clock, at.id, 900)).identity.claims.iss).toBe(at.id);
  });

  it('keeps those rules for documents in use: an audit bundle\'s documents, read as evidence of keys, are not refused by them', async () => {
    const longLived = await resigned(at, (c) => ((c.exp = c.iat + 7 * 86_400), (c.protocol_versions = ['2'])));
    expect((await verifyIdentityDocument(longLived, nowSeconds(net.clock), at.id)).ok).toBe(false);
    expect((await verifyIdentityDocument(longLived, 0, at.id, 'evidence')).ok).toBe(true);
  });

  it('is refused when it lists no protocol version this node speaks, naming the versions', async () => {
    expect(await addedFrom(await resigned(at, (c) => (c.protocol_versions = ['2', '1'])))).toBe('accepted');
    expect(await addedFrom(await resigned(at, (c) => (c.protocol_versions = ['2'])))).toMatch(/speaks protocol version\(s\) "2" only; this node speaks 1/);
    expect(await addedFrom(await resigned(at, (c) => (c.protocol_versions = ['v1', '1.0'])))).toMatch(/"v1", "1.0" only/);
  });

  it('is refused when its envelope endpoint is on another origin than the node id', async () => {
    expect(await addedFrom(await resigned(at, (c) => (c.endpoints.envelopes = `${at.id}/elsewhere/envelopes`)))).toBe('accepted');
    expect(await addedFrom(await resigned(at, (c) => (c.endpoints.envelopes = 'http://collector.test/federation/v1/envelopes')))).toMatch(
      /envelope endpoint it lists is not on the node.s own origin/,
    );
  });

  it('is refused with two signing keys, a key whose curve does not fit its use, a kid that is not the thumbprint, or crit', async () => {
    const extra = (await generateEncryptionKey()).publicJwk;
    expect(await addedFrom(await resigned(at, (c) => c.jwks.keys.push(extra)))).toBe('accepted');
    expect(await addedFrom(await resigned(at, (c) => c.jwks.keys.push({ ...gr.ctx.self.signingKey.publicJwk })))).toMatch(/more than one signing key/);
    expect(await addedFrom(await resigned(at, (c) => c.jwks.keys.push({ ...extra, use: 'sig' })))).toMatch(/is X25519 for use sig/);
    expect(await addedFrom(await resigned(at, (c) => c.jwks.keys.push({ ...extra, kid: gr.ctx.self.encryptionKey.kid })))).toMatch(/not the thumbprint/);
    expect(await addedFrom(await resigned(at, () => {}, { crit: ['exp'], exp: 1 }))).toMatch(/crit/);
  });
});

describe('the current encryption key and the envelope endpoint', () => {
  it('takes the first X25519 key listed as the current one, the one to seal to', async () => {
    const later = (await generateEncryptionKey()).publicJwk;
    const fetchServing = (jws: string) => async () => new Response(jws, { headers: { 'content-type': 'application/jwt' } });
    const after = await fetchPeerIdentity(fetchServing(await resigned(at, (c) => c.jwks.keys.push(later))), net.clock, at.id);
    expect(after.identity.encryptionKey.kid).toBe(at.ctx.self.encryptionKey.kid);
    const before = await fetchPeerIdentity(fetchServing(await resigned(at, (c) => c.jwks.keys.splice(1, 0, later))), net.clock, at.id);
    expect(before.identity.encryptionKey.kid).toBe(later.kid);
  });

  it('posts envelopes to endpoints.envelopes, not to a path made from the node id', async () => {
    const later = (await generateEncryptionKey()).publicJwk;
    const document = await resigned(at, (c) => {
      c.endpoints.envelopes = `${at.id}/their/own/path`;
      // Another X25519 key after the current one: not the one to seal to.
      c.jwks.keys.push(later);
    });
    await gr.ctx.database.db.updateTable('peers').set({ identity_jws: document }).where('id', '=', at.id).execute();
    const posted: string[] = [];
    net.rewrite = (url) => {
      posted.push(url.pathname);
      return url.pathname === '/their/own/path' ? new URL('/federation/v1/envelopes', url) : undefined;
    };
    try {
      const { body } = await api(gr, 'POST', '/api/v1/referrals', referralRequest(at.id));
      await net.settle();
      expect(posted).toContain('/their/own/path');
      expect(posted).not.toContain('/federation/v1/envelopes');
      expect((await api(gr, 'GET', `/api/v1/referrals/${body.id}`)).body.state).toBe('delivered');
      expect((await api(at, 'GET', `/api/v1/referrals/${body.id}`)).status).toBe(200);
    } finally {
      net.rewrite = undefined;
      await gr.ctx.database.db.updateTable('peers').set({ identity_jws: await servedDocument(at) }).where('id', '=', at.id).execute();
    }
  });
});

/** An offer from GR to AT made by hand, with the envelope id, referral id and JWS header changes given. */
async function handMadeOffer(options: { id?: string; referralId?: string; header?: Record<string, unknown> } = {}): Promise<Response> {
  const referralId = options.referralId ?? randomUUID();
  const request = referralRequest(at.id);
  const consent = {
    id: randomUUID(), categories: ['situation'], purposes: ['referral'], recipients: [at.id], method: 'written', language: 'ro',
    obtained_by: await adminIdOf(gr), obtained_at: net.clock.now().toISOString(), valid_until: new Date(net.clock.now().getTime() + 90 * 86_400_000).toISOString(),
  };
  const body = { referral_id: referralId, needs: request.needs, urgency: request.urgency, reason: request.reason, client: { situation: { summary: 'In a shelter.' } }, consent };
  const sealed = await sealEnvelope(
    {
      type: 'referral.offer', from: gr.id, to: at.id, referralId, seq: 1, createdAt: net.clock.now(), body,
      recipientKey: at.ctx.self.encryptionKey.publicJwk, senderKey: gr.ctx.self.encryptionKey.publicJwk,
    },
    options.id ? () => options.id! : undefined,
  );
  const jws = options.header
    ? await signedAs(gr, { alg: 'EdDSA', typ: 'referral-envelope+jws', kid: gr.ctx.self.signingKey.kid, iss: gr.id, iat: nowSeconds(net.clock), ...options.header }, utf8.encode(sealed.payload))
    : await signEnvelopeAttempt(sealed.payload, { nodeId: gr.id, signingKey: gr.ctx.self.signingKey }, net.clock.now());
  return at.request('/federation/v1/envelopes', { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
}

describe('the receiver\'s form checks', () => {
  it('refuses an envelope id that is not a UUIDv7, and a protected header with crit, as malformed-envelope, keeping nothing', async () => {
    const before = await snapshotDatabase(at);
    for (const response of [await handMadeOffer({ id: randomUUID() }), await handMadeOffer({ header: { crit: ['iss'] } })]) {
      expect(response.status).toBe(400);
      expect(((await expectMatchesSpec('federation', 'POST', '/federation/v1/envelopes', response)) as Json).type).toBe('urn:refnet:problem:malformed-envelope');
    }
    expectUnchanged(before, await snapshotDatabase(at));
    expect((await handMadeOffer()).status).toBe(200);
  });

  it('refuses an offer whose referral id it holds with another peer as unknown-referral, telling nothing of that referral', async () => {
    const { body } = await api(it3, 'POST', '/api/v1/referrals', referralRequest(at.id));
    await net.settle();
    expect((await api(at, 'GET', `/api/v1/referrals/${body.id}`)).status).toBe(200);
    const before = await snapshotDatabase(at);
    const response = await handMadeOffer({ referralId: body.id });
    expect(response.status).toBe(422);
    const problem = (await expectMatchesSpec('federation', 'POST', '/federation/v1/envelopes', response)) as Json;
    expect(problem.type).toBe('urn:refnet:problem:unknown-referral');
    expect(JSON.stringify(problem)).not.toContain(it3.id);
    expectUnchanged(before, await snapshotDatabase(at));
  });

  it('refuses a service token whose header carries crit', async () => {
    const path = '/federation/v1/directory';
    const token = async (header: Record<string, unknown>) => {
      const plain = await createServiceToken({ nodeId: gr.id, signingKey: gr.ctx.self.signingKey }, { aud: at.id, method: 'GET', path }, nowSeconds(net.clock));
      const claims = decodeJwt(plain);
      return signedAs(gr, { alg: 'EdDSA', typ: 'referral-service+jwt', kid: gr.ctx.self.signingKey.kid, ...header }, utf8.encode(JSON.stringify(claims)));
    };
    expect((await at.request(path, { headers: { authorization: `Bearer ${await token({})}` } })).status).toBe(200);
    const refused = await at.request(path, { headers: { authorization: `Bearer ${await token({ crit: ['htm'], htm: 'GET' })}` } });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as Json).type).toBe('urn:refnet:problem:malformed-service-token');
  });
});

describe('message types the peer accepts', () => {
  it('sends no message of a type the peer does not list, refusing it locally and sending nothing', async () => {
    const without = await resigned(at, (c) => (c.message_types = c.message_types!.filter((type) => type !== 'referral.inquiry')));
    await gr.ctx.database.db.updateTable('peers').set({ identity_jws: without }).where('id', '=', at.id).execute();
    try {
      const before = await snapshotDatabase(gr);
      const inquiry = { to: at.id, needs: ['legal-aid'], urgency: 'routine', profile: { age_group: 'adult' } };
      const { status, body } = await api(gr, 'POST', '/api/v1/inquiries', inquiry);
      expect(status).toBe(409);
      expect(body).toMatchObject({ type: 'urn:refnet:problem:message-type-not-accepted' });
      expect(body.detail).toContain('does not accept referral.inquiry messages');
      expectUnchanged(before, await snapshotDatabase(gr));
      // An offer it lists goes as before.
      expect((await api(gr, 'POST', '/api/v1/referrals', referralRequest(at.id))).status).toBe(201);
    } finally {
      await gr.ctx.database.db.updateTable('peers').set({ identity_jws: await servedDocument(at) }).where('id', '=', at.id).execute();
    }
  });

  it('takes a peer that lists no message_types to accept the base set of version 1, without referral.handover', async () => {
    const { peerMessageTypes } = await import('../../node/peers/capabilities.js');
    const types = peerMessageTypes(await resigned(at, (c) => delete c.message_types));
    expect(types.has('referral.offer')).toBe(true);
    expect(types.has('consent.withdraw')).toBe(true);
    expect(types.has('referral.handover')).toBe(false);
  });
});

describe('a peer already trusted, as the node refreshes it and sends to it', () => {
  const peerRow = () => gr.ctx.database.db.selectFrom('peers').selectAll().where('id', '=', at.id).executeTakeFirstOrThrow();
  const serving = (jws: string, status = 200) => (url: URL) =>
    url.href.startsWith(`${at.id}/.well-known/`) ? new Response(status === 304 ? null : jws, { status, headers: { 'content-type': 'application/jwt' } }) : undefined;

  it('keeps the document it holds, and alerts, when a refreshed one lists no version it speaks', async () => {
    const held = (await peerRow()).identity_jws;
    net.intercept = serving(await resigned(at, (c) => (c.protocol_versions = ['2'])));
    try {
      expect(await refreshPeerIdentity(gr.ctx, await peerRow(), { force: true })).toBe('alert');
    } finally {
      net.intercept = undefined;
    }
    expect((await peerRow()).identity_jws).toBe(held);
    const alerts = (await api(gr, 'GET', '/api/v1/peers/alerts')).body.items as Json[];
    expect(alerts.some((a) => a.kind === 'invalid-identity-document' && /speaks protocol version\(s\) "2" only/.test(a.detail))).toBe(true);
  });

  it('takes a 304 only as the answer to If-None-Match', async () => {
    await gr.ctx.database.db.updateTable('peers').set({ identity_etag: null }).where('id', '=', at.id).execute();
    net.intercept = serving('', 304);
    try {
      expect(await refreshPeerIdentity(gr.ctx, await peerRow(), { force: true })).toBe('unreachable');
    } finally {
      net.intercept = undefined;
    }
  });

  it('never posts envelopes off the peer\'s origin, even for a document stored before that was checked', async () => {
    const stored = await resigned(at, (c) => (c.endpoints.envelopes = 'http://collector.test/federation/v1/envelopes'));
    await gr.ctx.database.db.updateTable('peers').set({ identity_jws: stored }).where('id', '=', at.id).execute();
    const asked: string[] = [];
    net.rewrite = (url) => {
      asked.push(url.href);
      return undefined;
    };
    try {
      const { body } = await api(gr, 'POST', '/api/v1/referrals', referralRequest(at.id));
      await net.settle();
      expect(asked).toContain(`${at.id}/federation/v1/envelopes`);
      expect(asked.some((href) => href.startsWith('http://collector.test'))).toBe(false);
      expect((await api(gr, 'GET', `/api/v1/referrals/${body.id}`)).body.state).toBe('delivered');
    } finally {
      net.rewrite = undefined;
      await gr.ctx.database.db.updateTable('peers').set({ identity_jws: await servedDocument(at) }).where('id', '=', at.id).execute();
    }
  });
});
