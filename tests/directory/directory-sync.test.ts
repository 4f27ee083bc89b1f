// The signed directory between peers: served only to trusted peers with an ETag, synced with
// conditional requests, checked before it is kept (a tampered, unsigned, foreign or expired one
// changes nothing but the error shown), followed across a signing-key rotation; its freshness
// shown in the local API and CLI; and the export in Open Referral HSDS form.
import { CompactSign } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken, createUser } from '../../node/users/service.js';
import { syncPeerDirectories, syncPeerDirectory } from '../../node/directory/sync.js';
import { DIRECTORY_TYP } from '../../node/directory/document.js';
import { generateSigningKey } from '../../node/identity/keys.js';
import { reloadKeysIfChanged, rotateSigningKey } from '../../node/identity/rotation.js';
import { createServiceToken } from '../../node/peers/service-token.js';
import { changePeerStateIn } from '../../node/peers/peer-state.js';
import { TRUST_LIST_ACTOR } from '../../node/peers/trust-list-follower.js';
import { nowSeconds } from '../../node/context.js';
import { cli } from '../_util/cli.js';
import { expectMatchesSpec } from '../_util/spec-check.js';
import { api, createTestNetwork, type Json, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { trainingService } from '../_util/services.js';

let net: TestNetwork;
let at: TestNode; // publishes services
let gr: TestNode; // syncs at's directory
let it3: TestNode; // suspended by at

beforeAll(async () => {
  net = await createTestNetwork(3);
  [gr, at, it3] = net.nodes as [TestNode, TestNode, TestNode];
  for (const s of [trainingService(), trainingService({ name: { en: 'Safe house for women and children' }, categories: ['safe-housing'], modes: ['in-person'] })]) {
    expect((await api(at, 'POST', '/api/v1/services', s)).status).toBe(201);
  }
});
afterAll(() => net.close());

const row = (node: TestNode, peer: TestNode) => node.ctx.database.db.selectFrom('peer_directories').selectAll().where('peer_id', '=', peer.id).executeTakeFirst();
const peerRow = (node: TestNode, peer: TestNode) => node.ctx.database.db.selectFrom('peers').selectAll().where('id', '=', peer.id).executeTakeFirstOrThrow();
const sync = async () => syncPeerDirectory(gr.ctx, await peerRow(gr, at), { force: true });

async function fetchAs(caller: TestNode, headers: Record<string, string> = {}): Promise<Response> {
  const token = await createServiceToken({ nodeId: caller.id, signingKey: caller.ctx.self.signingKey }, { aud: at.id, method: 'GET', path: '/federation/v1/directory' }, nowSeconds(net.clock));
  return at.request('/federation/v1/directory', { headers: { authorization: `Bearer ${token}`, ...headers } });
}

/** at's directory as it serves it, for tampering with. */
async function servedJws(): Promise<string> {
  return (await fetchAs(gr)).text();
}

/** Serves `body` at at's directory endpoint until the returned function is called. */
function serve(body: string): () => void {
  net.intercept = (url) => (url.href === `${at.id}/federation/v1/directory` ? new Response(body, { headers: { 'content-type': 'application/jwt', etag: '"forged"' } }) : undefined);
  return () => {
    net.intercept = undefined;
  };
}

describe('the directory served', () => {
  it('is a JWS signed by the node, for trusted peers only, with an ETag that makes a second fetch cheap', async () => {
    const response = await fetchAs(gr);
    const etag = response.headers.get('etag')!;
    const jws = (await expectMatchesSpec('federation', 'GET', '/federation/v1/directory', response)) as string;
    const claims = JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString()) as Json;
    expect(claims).toMatchObject({ iss: at.id, taxonomy_version: 1, organization: { name: at.ctx.self.name, country: 'AT' } });
    expect(claims.services.map((s: Json) => s.name.en)).toEqual(['Vocational training in retail and care', 'Safe house for women and children']);
    const again = await fetchAs(gr, { 'if-none-match': etag });
    expect(again.status).toBe(304);
    await expectMatchesSpec('federation', 'GET', '/federation/v1/directory', again);

    const anonymous = await at.request('/federation/v1/directory');
    expect(anonymous.status).toBe(401);
    await expectMatchesSpec('federation', 'GET', '/federation/v1/directory', anonymous);
    await api(at, 'POST', '/api/v1/peers/suspend', { id: it3.id });
    const suspended = await fetchAs(it3);
    expect(suspended.status).toBe(403);
    expect(((await suspended.json()) as Json).type).toBe('urn:refnet:problem:sender-suspended');
  });
});

describe('a peer\'s directory synced', () => {
  it('is fetched, checked and kept, then asked for again with If-None-Match', async () => {
    expect(await sync()).toBe('updated');
    const held = (await row(gr, at))!;
    expect(JSON.parse(held.services!)).toHaveLength(2);
    net.clock.advance(60_000);
    expect(await sync()).toBe('unchanged');
    const after = (await row(gr, at))!;
    expect(after.fetched_at).toBe(held.fetched_at);
    expect(after.checked_at).not.toBe(held.checked_at);
    // Not due again within the hour, unless forced.
    expect(await syncPeerDirectory(gr.ctx, await peerRow(gr, at))).toBe('not-due');
  });

  it('brings a change in at once when asked, and shows how fresh each directory is', async () => {
    const id = (await api(at, 'GET', '/api/v1/services')).body.items[0].id as string;
    expect((await api(at, 'POST', `/api/v1/services/${id}/availability`, { available: 0, accepting_referrals: false })).status).toBe(200);
    const synced = await api(gr, 'POST', '/api/v1/directories/sync');
    expect(synced.status).toBe(200);
    expect(JSON.parse((await row(gr, at))!.services!)[0]).toMatchObject({ accepting_referrals: false, capacity: { available: 0 } });
    const listed = await gr.request('/api/v1/directories', { headers: { authorization: `Bearer ${gr.token}` } });
    const body = (await expectMatchesSpec('local', 'GET', '/api/v1/directories', listed)) as Json;
    expect(body.items.find((d: Json) => d.peer_id === at.id)).toMatchObject({ freshness: 'current', services: 2, fetched_at: expect.any(String) });
    // it3 publishes nothing: the sync brought back an empty directory.
    expect(body.items.find((d: Json) => d.peer_id === it3.id)).toMatchObject({ freshness: 'current', services: 0 });
    expect(await cli('directory', 'status', '--data', gr.dataDir)).toMatch(new RegExp(`${at.id} +Test organisation AT +2 +current`));
  });

  it.each([
    ['with its content changed after signing', async (jws: string) => {
      const [h, p, s] = jws.split('.');
      const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Json;
      claims.services[0].capacity = { available: 50, maximum: 50 };
      return `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    }, /signature does not verify/],
    ['unsigned', async (jws: string) => `${Buffer.from(JSON.stringify({ alg: 'none', typ: DIRECTORY_TYP })).toString('base64url')}.${jws.split('.')[1]}.`, /not a compact JWS|not that of/],
    ['signed with another key', async (jws: string) => {
      const { key } = await generateSigningKey();
      return new CompactSign(Buffer.from(jws.split('.')[1]!, 'base64url')).setProtectedHeader({ alg: 'EdDSA', typ: DIRECTORY_TYP, kid: at.ctx.self.signingKey.kid }).sign(key.privateKey);
    }, /signature does not verify/],
    ['of another node', async (jws: string) => {
      const claims = JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString()) as Json;
      return new CompactSign(Buffer.from(JSON.stringify({ ...claims, iss: it3.id }))).setProtectedHeader({ alg: 'EdDSA', typ: DIRECTORY_TYP, kid: at.ctx.self.signingKey.kid }).sign(at.ctx.self.signingKey.privateKey);
    }, /issued by/],
    ['not of the protocol\'s form', async (jws: string) => {
      const claims = JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString()) as Json;
      claims.services[0].location.address = 'Hauptstraße 1';
      return new CompactSign(Buffer.from(JSON.stringify(claims))).setProtectedHeader({ alg: 'EdDSA', typ: DIRECTORY_TYP, kid: at.ctx.self.signingKey.kid }).sign(at.ctx.self.signingKey.privateKey);
    }, /does not match the protocol schema/],
  ])('is refused when %s, and the copy held is kept', async (_name, forge, reason) => {
    const held = (await row(gr, at))!;
    const stop = serve(await forge(await servedJws()));
    try {
      expect(await sync()).toBe('refused');
    } finally {
      stop();
    }
    const after = (await row(gr, at))!;
    expect(after).toMatchObject({ jws: held.jws, services: held.services, fetched_at: held.fetched_at });
    expect(after.last_error).toMatch(reason);
  });

  it('drops services of categories it does not know from a directory on a newer taxonomy, and says so', async () => {
    const jws = await servedJws();
    const claims = JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString()) as Json;
    claims.taxonomy_version = 2;
    claims.services[0].categories.push('space-travel');
    claims.services[1].categories = ['space-travel'];
    const stop = serve(await new CompactSign(Buffer.from(JSON.stringify(claims))).setProtectedHeader({ alg: 'EdDSA', typ: DIRECTORY_TYP, kid: at.ctx.self.signingKey.kid }).sign(at.ctx.self.signingKey.privateKey));
    try {
      expect(await sync()).toBe('updated');
    } finally {
      stop();
    }
    const held = (await row(gr, at))!;
    expect(JSON.parse(held.services!).map((s: Json) => s.categories)).toEqual([['vocational-training', 'language-courses']]);
    expect(held.last_error).toBe('kept; the directory uses taxonomy version 2, this node 1: 2 unknown categories left out, and 1 service with no other');
    net.clock.advance(60_000);
    expect(await sync()).toBe('updated'); // at's own directory again
  });

  it('never lets an older directory, fetched slowly, replace a newer one kept meanwhile', async () => {
    const older = await servedJws();
    const id = (await api(at, 'GET', '/api/v1/services')).body.items[1].id as string;
    net.clock.advance(60_000);
    expect((await api(at, 'POST', `/api/v1/services/${id}/availability`, { available: 1 })).status).toBe(200);
    let release!: () => void;
    const gate = new Promise<void>((done) => (release = done));
    let slowServed = false;
    net.intercept = (url) => {
      if (url.href !== `${at.id}/federation/v1/directory` || slowServed) return undefined;
      slowServed = true;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          await gate;
          controller.enqueue(new TextEncoder().encode(older));
          controller.close();
        },
      });
      return new Response(body, { headers: { 'content-type': 'application/jwt', etag: '"older"' } });
    };
    try {
      const slow = sync();
      await new Promise((done) => setTimeout(done, 20));
      expect(await sync()).toBe('updated');
      release();
      expect(await slow).toBe('unchanged');
    } finally {
      net.intercept = undefined;
    }
    const held = (await row(gr, at))!;
    expect(held.etag).not.toBe('"older"');
    expect(JSON.parse(held.services!)[1].capacity).toEqual({ available: 1, maximum: 12 });
  });

  it('raises the revision only when the services changed, and fetches an expired copy whole', async () => {
    const before = (await row(gr, at))!;
    net.clock.advance(13 * 60 * 60_000); // at signs its directory again, with the same services
    expect(await sync()).toBe('updated');
    const resigned = (await row(gr, at))!;
    expect(resigned.iat).toBeGreaterThan(before.iat!);
    expect(resigned.revision).toBe(before.revision);
    net.clock.advance(25 * 60 * 60_000);
    expect((await api(gr, 'GET', '/api/v1/directories')).body.items.find((d: Json) => d.peer_id === at.id).freshness).toBe('expired');
    // Expired: no If-None-Match, so a 304 cannot keep it expired.
    expect(await sync()).toBe('updated');
    expect((await api(gr, 'GET', '/api/v1/directories')).body.items.find((d: Json) => d.peer_id === at.id).freshness).toBe('current');
  });

  it('refuses a directory that lists one service id twice', async () => {
    const jws = await servedJws();
    const claims = JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString()) as Json;
    claims.services[1].id = claims.services[0].id;
    const stop = serve(await new CompactSign(Buffer.from(JSON.stringify(claims))).setProtectedHeader({ alg: 'EdDSA', typ: DIRECTORY_TYP, kid: at.ctx.self.signingKey.kid }).sign(at.ctx.self.signingKey.privateKey));
    try {
      expect(await sync()).toBe('refused');
    } finally {
      stop();
    }
    expect((await row(gr, at))!.last_error).toMatch(/same service id twice/);
  });

  it('keeps the copy held while the peer is down, and follows a signing-key rotation', async () => {
    net.unreachable.add(at.id);
    expect(await sync()).toBe('unreachable');
    expect((await row(gr, at))!.last_error).toMatch(/not reachable/);
    net.unreachable.delete(at.id);
    await rotateSigningKey(at.ctx.database, at.ctx.dataKeys, at.ctx.self, net.clock.now(), { kind: 'system', id: 'test' });
    await reloadKeysIfChanged(at.ctx);
    net.clock.advance(6 * 60_000);
    expect(await sync()).toBe('updated');
    expect((await peerRow(gr, at)).signing_kid).toBe(at.ctx.self.signingKey.kid);
    expect((await row(gr, at))!.last_error).toBeNull();
  });
});

describe('the export in Open Referral HSDS form', () => {
  it('lists this organisation\'s services, and with peers=true the peers\' too', async () => {
    await createUser(gr.ctx.database, { username: 'auditor', role: 'auditor' }, net.clock.now());
    const auditor = await createApiToken(gr.ctx.database, 'auditor', { label: 'test', days: gr.ctx.limits.apiTokenDays }, net.clock.now());
    const own = await at.request('/api/v1/directory/hsds', { headers: { authorization: `Bearer ${at.token}` } });
    const body = (await expectMatchesSpec('local', 'GET', '/api/v1/directory/hsds', own)) as Json;
    expect(body.organizations).toHaveLength(1);
    const service = body.organizations[0].services[0];
    expect(service).toMatchObject({
      name: 'Vocational training in retail and care', status: 'active', minimum_age: 18,
      languages: expect.arrayContaining([expect.objectContaining({ code: 'ar' })]),
      attributes: expect.arrayContaining([expect.objectContaining({ taxonomy_term: expect.objectContaining({ code: 'vocational-training', taxonomy: 'refnet' }) })]),
      service_at_locations: [expect.objectContaining({ location: expect.objectContaining({ name: 'Wien, Wien, AT' }) })],
      refnet_service_id: expect.any(String),
    });
    // No street address anywhere, and ids of the organisation's own making, not the service's.
    expect(JSON.stringify(body)).not.toMatch(/address/);
    expect(service.id).not.toBe(service.refnet_service_id);
    expect(JSON.stringify(await (await at.request('/api/v1/directory/hsds', { headers: { authorization: `Bearer ${at.token}` } })).json())).toBe(JSON.stringify(body));

    expect((await gr.request('/api/v1/directory/hsds?peers=true', { headers: { authorization: `Bearer ${auditor}` } })).status).toBe(403);
    await syncPeerDirectories(gr.ctx, { force: true }); // days have passed in this file's clock
    const withPeers = await gr.request('/api/v1/directory/hsds?peers=true', { headers: { authorization: `Bearer ${gr.token}` } });
    const network = (await expectMatchesSpec('local', 'GET', '/api/v1/directory/hsds', withPeers)) as Json;
    expect(network.organizations.map((o: Json) => o.website)).toEqual([gr.id, at.id, it3.id]);
    expect((await gr.request('/api/v1/directory/hsds?peers=maybe', { headers: { authorization: `Bearer ${gr.token}` } })).status).toBe(400);
    expect(JSON.parse(await cli('directory', 'export', '--peers', '--data', gr.dataDir)).organizations).toHaveLength(3);
    expect((await gr.request('/api/v1/directories/sync', { method: 'POST', headers: { authorization: `Bearer ${auditor}` } })).status).toBe(403);
  });
});

describe('a peer revoked', () => {
  it('leaves no directory behind', async () => {
    expect(await row(gr, at)).toBeDefined();
    expect((await api(gr, 'POST', '/api/v1/peers/revoke', { id: at.id, reason: 'no-longer-partner' })).status).toBe(200);
    expect(await row(gr, at)).toBeUndefined();
  });

  it('by the trust list or its key revocation, where the directory is not told, leaves none after the next round', async () => {
    expect(await row(gr, it3)).toBeDefined();
    await gr.ctx.database.transaction((tx) => changePeerStateIn(tx, it3.id, 'revoke', net.clock.now(), TRUST_LIST_ACTOR, 'no-longer-partner'));
    await syncPeerDirectories(gr.ctx);
    expect(await row(gr, it3)).toBeUndefined();
  });
});
