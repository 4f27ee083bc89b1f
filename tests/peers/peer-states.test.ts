// An administrator's decisions about peers: add by URL and trust only with the right fingerprint;
// suspend (refused for now, messages wait on both sides), restore (what waited is delivered),
// revoke (refused for good, what waited is cancelled). Each change is in the audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../_util/cli.js';
import { api, createTestNetwork, type Json, referralRequest, snapshot, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;
let it3: TestNode;

beforeAll(async () => {
  net = await createTestNetwork(3);
  [gr, at, it3] = net.nodes as [TestNode, TestNode, TestNode];
});
afterAll(() => net.close());

const HOUR = 60 * 60_000;
const get = async (node: TestNode, id: string) => (await api(node, 'GET', `/api/v1/referrals/${id}`)).body;
const outgoing = async (node: TestNode, id: string) => (await get(node, id)).messages.filter((m: Json) => m.direction === 'outgoing') as Json[];
const auditTypes = async (node: TestNode) =>
  (await node.ctx.database.db.selectFrom('audit_log').select(['type', 'entry']).orderBy('idx').execute()).map((r) => [r.type, JSON.parse(r.entry).peer_id]);

describe('adding and trusting a peer through the local API', () => {
  let lone: TestNetwork;
  let a: TestNode;
  let b: TestNode;
  beforeAll(async () => {
    lone = await createTestNetwork(2, { trust: false });
    [a, b] = lone.nodes as [TestNode, TestNode];
  });
  afterAll(() => lone.close());

  it('adds pending with its fingerprint, and trusts only with that fingerprint', async () => {
    const added = await api(a, 'POST', '/api/v1/peers', { url: b.id });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ id: b.id, state: 'pending' });
    expect((await api(a, 'POST', '/api/v1/peers', { url: b.id })).status).toBe(200);

    const before = await snapshot(a);
    const wrong = await api(a, 'POST', '/api/v1/peers/trust', { id: b.id, fingerprint: 'AAAA-BBBB-CCCC-DDDD' });
    expect(wrong).toMatchObject({ status: 409, body: { type: 'urn:refnet:problem:peer-state' } });
    expect(wrong.body.detail).toContain(added.body.fingerprint);
    expect(await snapshot(a)).toEqual(before);

    const trusted = await api(a, 'POST', '/api/v1/peers/trust', { id: b.id, fingerprint: added.body.fingerprint.toLowerCase().replaceAll('-', ' ') });
    expect(trusted).toMatchObject({ status: 200, body: { state: 'trusted' } });
    expect((await auditTypes(a)).filter(([, peer]) => peer === b.id).map(([type]) => type)).toEqual(['peer.added', 'peer.trusted']);
  });

  it('records the administrator who added and trusted the peer, not the command line', async () => {
    const admin = await a.ctx.database.db.selectFrom('users').select('id').where('username', '=', 'admin').executeTakeFirstOrThrow();
    const actors = (await a.ctx.database.db.selectFrom('audit_log').select('entry').where('type', 'in', ['peer.added', 'peer.trusted']).execute()).map((r) => JSON.parse(r.entry).actor);
    expect(actors).toEqual([{ kind: 'user', id: admin.id }, { kind: 'user', id: admin.id }]);
  });

  it('is for administrators only, and refuses what is not a node URL', async () => {
    expect((await api(a, 'POST', '/api/v1/peers', { url: 'ftp://example.org' })).status).toBe(422);
    expect((await api(a, 'POST', '/api/v1/peers', { url: 'https://unreachable.example.org' })).status).toBe(409);
    const { createApiToken, createUser } = await import('../../node/users/service.js');
    await createUser(a.ctx.database, { username: 'maria', role: 'caseworker' }, a.ctx.clock.now());
    const token = await createApiToken(a.ctx.database, 'maria', { label: 'test', days: a.ctx.limits.apiTokenDays }, a.ctx.clock.now());
    const response = await a.request('/api/v1/peers/suspend', {
      method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ id: b.id }),
    });
    expect(response.status).toBe(403);
  });
});

describe('a suspended peer', () => {
  let id: string;

  beforeAll(async () => {
    id = (await api(gr, 'POST', '/api/v1/referrals', referralRequest(at.id))).body.id;
    await net.settle();
    expect((await get(at, id)).state).toBe('delivered');
    const suspended = await api(gr, 'POST', '/api/v1/peers/suspend', { id: at.id });
    expect(suspended.body.state).toBe('suspended');
  });

  it('cannot be sent to, and its messages are refused with sender-suspended while it keeps them', async () => {
    const refused = await api(gr, 'POST', '/api/v1/referrals', referralRequest(at.id));
    expect(refused).toMatchObject({ status: 409, body: { type: 'urn:refnet:problem:peer-not-trusted' } });

    const before = await snapshot(gr);
    expect((await api(at, 'POST', `/api/v1/referrals/${id}/accept`, {})).status).toBe(200);
    await net.settle();
    const [accept] = (await outgoing(at, id)).filter((m) => m.type === 'referral.accept');
    expect(accept!.delivery).toMatchObject({ state: 'queued', last_error: '403 urn:refnet:problem:sender-suspended' });
    expect(await snapshot(gr)).toEqual(before);
    expect((await get(gr, id)).state).toBe('delivered');
  });

  it('is not trusted again by approving it: the suspension is lifted only by a restore', async () => {
    const { fingerprint } = (await api(gr, 'GET', '/api/v1/peers')).body.items.find((p: Json) => p.id === at.id);
    const before = await snapshot(gr);
    const refused = await api(gr, 'POST', '/api/v1/peers/trust', { id: at.id, fingerprint });
    expect(refused).toMatchObject({ status: 409, body: { type: 'urn:refnet:problem:peer-state' } });
    expect(refused.body.detail).toContain('restore it instead');
    expect(await snapshot(gr)).toEqual(before);
  });

  it('is restored, and what waited on both sides is delivered', async () => {
    expect((await api(gr, 'POST', '/api/v1/peers/restore', { id: at.id })).body.state).toBe('trusted');
    net.clock.advance(HOUR);
    await net.settle();
    expect((await get(gr, id)).state).toBe('accepted');
    expect((await auditTypes(gr)).filter(([type]) => type === 'peer.suspended' || type === 'peer.restored')).toEqual([
      ['peer.suspended', at.id],
      ['peer.restored', at.id],
    ]);
  });
});

describe('a revoked peer', () => {
  it('is refused for good with sender-revoked, and what was queued for it is cancelled, never sent', async () => {
    const id = (await api(gr, 'POST', '/api/v1/referrals', referralRequest(it3.id))).body.id as string;
    await net.settle();
    // A message to it3 waits while it3 is unreachable; it3 answers meanwhile.
    net.unreachable.add(it3.id);
    await api(gr, 'POST', `/api/v1/referrals/${id}/withdraw`, { reason: 'client-request' });
    await net.settle();
    net.unreachable.delete(it3.id);

    const revoked = await api(gr, 'POST', '/api/v1/peers/revoke', { id: it3.id, reason: 'key-compromise' });
    expect(revoked.body.state).toBe('revoked');
    const [withdraw] = (await outgoing(gr, id)).filter((m) => m.type === 'referral.withdraw');
    expect(withdraw!.delivery).toMatchObject({ state: 'failed', last_error: 'cancelled: peer revoked' });
    const stored = await gr.ctx.database.db.selectFrom('envelopes').select('payload').where('id', '=', withdraw!.envelope_id).executeTakeFirstOrThrow();
    expect(stored.payload).toBe('');

    expect((await api(it3, 'POST', `/api/v1/referrals/${id}/accept`, {})).status).toBe(200);
    net.clock.advance(HOUR);
    await net.settle();
    const [accept] = (await outgoing(it3, id)).filter((m) => m.type === 'referral.accept');
    expect(accept!.delivery).toMatchObject({ state: 'failed', last_error: '403 urn:refnet:problem:sender-revoked' });

    expect((await api(gr, 'POST', '/api/v1/peers/restore', { id: it3.id })).status).toBe(409);
    expect((await api(gr, 'POST', '/api/v1/peers/revoke', { id: it3.id, reason: 'other' })).body.state).toBe('revoked');
    expect((await auditTypes(gr)).filter(([type]) => type === 'peer.revoked')).toEqual([['peer.revoked', it3.id]]);
    const entry = await gr.ctx.database.db.selectFrom('audit_log').select('entry').where('type', '=', 'peer.revoked').executeTakeFirstOrThrow();
    expect(JSON.parse(entry.entry)).toMatchObject({ reason: 'key-compromise', actor: { kind: 'user' } });
  });
});

describe('the CLI', () => {
  it('suspends, restores and revokes', async () => {
    expect(await cli('peer', 'suspend', at.id, '--data', it3.dataDir)).toMatch(/is suspended\./);
    expect(await cli('peer', 'restore', at.id, '--data', it3.dataDir)).toMatch(/is trusted\./);
    expect(await cli('peer', 'revoke', at.id, '--reason', 'no-longer-partner', '--data', it3.dataDir)).toMatch(/is revoked\./);
    await expect(cli('peer', 'restore', at.id, '--data', it3.dataDir)).rejects.toThrow(/was revoked/);
  });
});

describe('a peer revoked for a compromised key', () => {
  const invite = async (node: TestNode) => (await api(node, 'POST', '/api/v1/invitations', {})).body.code as string;
  const redeem = (node: TestNode, code: string) => api(node, 'POST', '/api/v1/invitations/redeem', { code });

  it('cannot come back by invitation with the same key; one that left the network can', async () => {
    // gr revoked it3 for key-compromise above; it3 still has the same key.
    const before = await snapshot(gr);
    const refused = await redeem(it3, await invite(gr));
    expect(refused.status).toBe(422);
    expect(refused.body.type).toBe('urn:refnet:problem:peer-key-conflict');
    const { invitations: _used, audit_log: _log, ...rest } = await snapshot(gr);
    const { invitations: _before, audit_log: _beforeLog, ...restBefore } = before;
    expect(rest).toEqual(restBefore);

    // it3 revoked at (no-longer-partner) in the CLI test above: an invitation brings it back.
    const back = await redeem(at, await invite(it3));
    expect(back.status).toBe(200);
    const peer = await it3.ctx.database.db.selectFrom('peers').select(['state', 'revocation_reason']).where('id', '=', at.id).executeTakeFirstOrThrow();
    expect(peer).toEqual({ state: 'trusted', revocation_reason: null });
  });
});
