// Invitations: administrator A makes a one-time, expiring, signed code; B's node redeems it and
// both nodes end trusting each other, with every change in the audit log. Every refusal (used,
// expired, revoked, wrong secret, an altered code, a redeemer that is not who its URL says, a
// conflicting key) has its own problem type and changes nothing on either node.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nowSeconds } from '../../node/context.js';
import { b64u } from '../../node/crypto/encoding.js';
import { readableFingerprint } from '../../node/identity/keys.js';
import { INVITATION_CODE_PREFIX, REDEEM_REQUEST_TYP, readInvitationCode, signInvitationJws, type InvitationRedeemClaims } from '../../node/peers/invitation-jws.js';
import { cliResult } from '../_util/cli.js';
import { expectMatchesSpec } from '../_util/spec-check.js';
import { addPending, api, createTestNetwork, type Json, referralRequest, snapshot, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let a: TestNode; // invites
let b: TestNode; // redeems A's invitation and exchanges referrals with A
let c: TestNode; // is refused in every way, then uses the CLI
let d: TestNode; // redeems the invitation used twice
let e: TestNode; // a node whose URL others pretend to be; revoked by A, then invited anew

beforeAll(async () => {
  net = await createTestNetwork(5, { trust: false });
  [a, b, c, d, e] = net.nodes as [TestNode, TestNode, TestNode, TestNode, TestNode];
});
afterAll(() => net.close());

const HOUR = 60 * 60_000;

async function invite(node: TestNode, body: Json = {}): Promise<{ id: string; code: string; expires_at: string }> {
  const created = await api(node, 'POST', '/api/v1/invitations', body);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { id: string; code: string; expires_at: string };
}

const redeem = (node: TestNode, code: string) => api(node, 'POST', '/api/v1/invitations/redeem', { code });

async function invitations(node: TestNode): Promise<Json[]> {
  return (await api(node, 'GET', '/api/v1/invitations')).body.items as Json[];
}

/** The audit entries written after index `from`. */
async function entriesSince(node: TestNode, from: number): Promise<Json[]> {
  const rows = await node.ctx.database.db.selectFrom('audit_log').select('entry').where('idx', '>=', from).orderBy('idx').execute();
  return rows.map((r) => JSON.parse(r.entry) as Json);
}

const logSize = async (node: TestNode) => (await node.ctx.database.db.selectFrom('audit_log').select('idx').execute()).length;

/**
 * Runs `attempt` and checks that no table of any of `nodes` changed. Each node's API token is used
 * once first, at the current time, so the token's last use (written on every call) stays the same.
 */
async function expectUnchanged(nodes: TestNode[], attempt: () => Promise<void>): Promise<void> {
  for (const node of nodes) expect((await api(node, 'GET', '/api/v1/node')).status).toBe(200);
  const before = await Promise.all(nodes.map((n) => snapshot(n)));
  await attempt();
  expect(await Promise.all(nodes.map((n) => snapshot(n)))).toEqual(before);
}

async function expectRefused(redeemer: TestNode, code: string, status: number, problem: string): Promise<Json> {
  const refused = await redeem(redeemer, code);
  expect(refused.status, JSON.stringify(refused.body)).toBe(status);
  expect(refused.body.type).toBe(`urn:refnet:problem:${problem}`);
  return refused.body;
}

/** A redeem request as a node would sign it; `claims` and `signer` override the honest ones. */
async function redeemRequest(from: TestNode, code: string, claims: Partial<InvitationRedeemClaims> = {}, signer: TestNode = from): Promise<{ id: string; jws: string }> {
  const read = readInvitationCode(code)!;
  const jws = await signInvitationJws(
    REDEEM_REQUEST_TYP,
    { iss: from.id, aud: read.claims.iss, invitation: read.claims.id, secret: read.claims.secret, iat: nowSeconds(net.clock), jti: randomUUID(), ...claims },
    signer.ctx.self.signingKey,
  );
  return { id: read.claims.id, jws };
}

async function postRedeem(to: TestNode, id: string, body: string, contentType = 'application/jose'): Promise<{ status: number; body: Json }> {
  const path = `/federation/v1/invitations/${id}/redeem`;
  const response = await to.request(path, { method: 'POST', headers: { 'content-type': contentType }, body });
  const status = response.status;
  return { status, body: (await expectMatchesSpec('federation', 'POST', path, response)) as Json };
}

/** The code with its JWS header or payload changed (the signature no longer covers it). */
function alteredCode(code: string, part: 0 | 1, change: (value: Json) => Json): string {
  const parts = code.slice(INVITATION_CODE_PREFIX.length).split('.');
  parts[part] = b64u.encode(JSON.stringify(change(JSON.parse(Buffer.from(parts[part]!, 'base64url').toString('utf8')) as Json)));
  return INVITATION_CODE_PREFIX + parts.join('.');
}

describe('an invitation redeemed', () => {
  it('leaves both nodes trusting each other with pinned keys, every change in the audit log, the secret nowhere', async () => {
    const [fromA, fromB] = [await logSize(a), await logSize(b)];
    const created = await invite(a);
    expect(created.code.startsWith(INVITATION_CODE_PREFIX)).toBe(true);
    expect(Date.parse(created.expires_at) - net.clock.now().getTime()).toBe(72 * HOUR);
    const { secret } = readInvitationCode(created.code)!.claims;
    expect(await invitations(a)).toEqual([expect.objectContaining({ id: created.id, status: 'open', expires_at: created.expires_at })]);

    const trusted = await redeem(b, created.code);
    expect(trusted.status, JSON.stringify(trusted.body)).toBe(200);
    expect(trusted.body).toMatchObject({ id: a.id, state: 'trusted', fingerprint: readableFingerprint(a.ctx.self.signingKey.kid) });

    const peersOfA = (await api(a, 'GET', '/api/v1/peers')).body.items as Json[];
    expect(peersOfA).toEqual([expect.objectContaining({ id: b.id, state: 'trusted', fingerprint: readableFingerprint(b.ctx.self.signingKey.kid) })]);
    expect((await a.ctx.database.db.selectFrom('peers').select('signing_kid').executeTakeFirstOrThrow()).signing_kid).toBe(b.ctx.self.signingKey.kid);
    expect((await b.ctx.database.db.selectFrom('peers').select('signing_kid').executeTakeFirstOrThrow()).signing_kid).toBe(a.ctx.self.signingKey.kid);
    expect((await invitations(a))[0]).toMatchObject({
      id: created.id, status: 'used', used_by: b.id, used_fingerprint: readableFingerprint(b.ctx.self.signingKey.kid), used_at: net.clock.now().toISOString(),
    });

    const adminOfA = (await a.ctx.database.db.selectFrom('users').select('id').executeTakeFirstOrThrow()).id;
    const adminOfB = (await b.ctx.database.db.selectFrom('users').select('id').executeTakeFirstOrThrow()).id;
    const onA = (await entriesSince(a, fromA)).filter((entry) => entry.type !== 'user.login');
    expect(onA.map((entry) => [entry.type, entry.actor])).toEqual([
      ['invitation.created', { kind: 'user', id: adminOfA }],
      ['invitation.redeemed', { kind: 'peer', id: b.id }],
      ['peer.added', { kind: 'peer', id: b.id }],
      ['peer.trusted', { kind: 'peer', id: b.id }],
    ]);
    expect(onA[0]).toMatchObject({ invitation_id: created.id, expires_at: created.expires_at });
    expect(onA[1]).toMatchObject({ invitation_id: created.id, peer_id: b.id, signing_kid: b.ctx.self.signingKey.kid });
    const onB = (await entriesSince(b, fromB)).filter((entry) => entry.type !== 'user.login');
    expect(onB.map((entry) => [entry.type, entry.actor, entry.peer_id])).toEqual([
      ['invitation.redeemed', { kind: 'user', id: adminOfB }, a.id],
      ['peer.added', { kind: 'user', id: adminOfB }, a.id],
      ['peer.trusted', { kind: 'user', id: adminOfB }, a.id],
    ]);
    expect(onB[0]).toMatchObject({ invitation_id: created.id, signing_kid: a.ctx.self.signingKey.kid });

    // Only the digest of the secret is stored, and neither node wrote it anywhere.
    for (const node of [a, b]) {
      expect(JSON.stringify(await snapshot(node))).not.toContain(secret);
      expect(node.logs()).not.toContain(secret);
    }
  });

  it('lets the two organisations exchange referrals both ways at once', async () => {
    const toA = await api(b, 'POST', '/api/v1/referrals', referralRequest(a.id));
    const toB = await api(a, 'POST', '/api/v1/referrals', referralRequest(b.id));
    expect([toA.status, toB.status]).toEqual([201, 201]);
    await net.settle();
    expect((await api(b, 'GET', `/api/v1/referrals/${toA.body.id}`)).body.state).toBe('delivered');
    expect((await api(a, 'GET', `/api/v1/referrals/${toA.body.id}`)).body).toMatchObject({ direction: 'incoming', state: 'delivered' });
    expect((await api(a, 'GET', `/api/v1/referrals/${toB.body.id}`)).body.state).toBe('delivered');
  });
});

describe('an invitation is refused, changing nothing on either node,', () => {
  it('when it was used already, and when a captured redeem request is replayed', async () => {
    const { code } = await invite(a);
    expect((await redeem(d, code)).status).toBe(200);
    await expectUnchanged([a, c], () => expectRefused(c, code, 422, 'invitation-used').then(() => undefined));
    await expectUnchanged([a, d], () => expectRefused(d, code, 422, 'invitation-used').then(() => undefined));

    const second = await invite(a);
    const captured = await redeemRequest(d, second.code);
    expect((await postRedeem(a, captured.id, captured.jws)).status).toBe(200);
    await expectUnchanged([a], async () => {
      const replayed = await postRedeem(a, captured.id, captured.jws);
      expect([replayed.status, replayed.body.type]).toEqual([409, 'urn:refnet:problem:invitation-used']);
    });
  });

  it('after it expired', async () => {
    const { id, code } = await invite(a, { valid_hours: 1 });
    net.clock.advance(HOUR + 1000);
    await expectUnchanged([a, c], () => expectRefused(c, code, 422, 'invitation-expired').then(() => undefined));
    expect((await invitations(a)).find((i) => i.id === id)!.status).toBe('expired');
  });

  it('after it was revoked; a used one cannot be revoked', async () => {
    const { id, code } = await invite(a);
    const revoked = await api(a, 'DELETE', `/api/v1/invitations/${id}`);
    expect(revoked.body).toMatchObject({ id, status: 'revoked', revoked_at: net.clock.now().toISOString() });
    const entries = await logSize(a);
    expect((await api(a, 'DELETE', `/api/v1/invitations/${id}`)).status).toBe(200);
    expect((await entriesSince(a, entries)).map((entry) => entry.type).filter((t) => t !== 'user.login')).toEqual([]);
    await expectUnchanged([a, c], () => expectRefused(c, code, 422, 'invitation-revoked').then(() => undefined));

    const used = (await invitations(a)).find((i) => i.status === 'used')!;
    const refused = await api(a, 'DELETE', `/api/v1/invitations/${used.id}`);
    expect([refused.status, refused.body.type]).toEqual([409, 'urn:refnet:problem:invitation-used']);
    expect((await api(a, 'DELETE', `/api/v1/invitations/${randomUUID()}`)).status).toBe(404);
    expect((await api(a, 'DELETE', '/api/v1/invitations/not-an-id')).status).toBe(400);
  });

  it('with a wrong secret, answered exactly like an unknown invitation', async () => {
    const { id, code } = await invite(a);
    await expectUnchanged([a], async () => {
      const wrongSecret = await redeemRequest(c, code, { secret: b64u.encode(new Uint8Array(32).fill(7)) });
      const unknown = await redeemRequest(c, code, { invitation: randomUUID() });
      const [first, second] = [await postRedeem(a, wrongSecret.id, wrongSecret.jws), await postRedeem(a, JSON.parse(Buffer.from(unknown.jws.split('.')[1]!, 'base64url').toString()).invitation, unknown.jws)];
      expect(first).toEqual({ status: 403, body: expect.objectContaining({ type: 'urn:refnet:problem:invalid-invitation' }) });
      expect(second).toEqual(first);
    });
    expect((await invitations(a)).find((i) => i.id === id)!.status).toBe('open');
  });

  it('when the code was edited to name another key, or its contents were changed', async () => {
    const { code } = await invite(a);
    const otherKid = alteredCode(code, 0, (header) => ({ ...header, kid: e.ctx.self.signingKey.kid }));
    const otherSecret = alteredCode(code, 1, (claims) => ({ ...claims, secret: b64u.encode(new Uint8Array(32).fill(1)) }));
    await expectUnchanged([a, c], async () => {
      const body = await expectRefused(c, otherKid, 422, 'invitation-key-mismatch');
      expect(body.detail).toContain(readableFingerprint(e.ctx.self.signingKey.kid));
      await expectRefused(c, otherSecret, 422, 'bad-signature');
      await expectRefused(c, 'refnet-invite:not-a-code', 422, 'invalid-invitation-code');
      await expectRefused(c, alteredCode(code, 0, (header) => ({ ...header, kid: 'short' })), 422, 'invalid-invitation-code');
      await expectRefused(c, code.slice(INVITATION_CODE_PREFIX.length), 422, 'invalid-invitation-code');
    });
  });

  it('when the redeemer is not the node its URL names', async () => {
    const { code } = await invite(a);
    // C signs as if it were E: A fetches E's identity document, which lists another key.
    const impostor = await redeemRequest(e, code, {}, c);
    // C redeems honestly, but its URL serves another node's identity document.
    const documentOfE = await (await e.request('/.well-known/referral-node')).text();
    await expectUnchanged([a, c, e], async () => {
      const refused = await postRedeem(a, impostor.id, impostor.jws);
      expect([refused.status, refused.body.type]).toEqual([403, 'urn:refnet:problem:identity-mismatch']);
      net.intercept = (url) => (url.href === `${c.id}/.well-known/referral-node` ? new Response(documentOfE, { headers: { 'content-type': 'application/jwt' } }) : undefined);
      try {
        await expectRefused(c, code, 422, 'identity-mismatch');
      } finally {
        net.intercept = undefined;
      }
    });
  });

  it('when either node knows the other with another key, or has suspended it', async () => {
    const { code } = await invite(a);
    const peersOf = (node: TestNode) => node.ctx.database.db.updateTable('peers');
    await addPending(c, a);
    await peersOf(c).set({ signing_kid: e.ctx.self.signingKey.kid }).execute();
    await expectUnchanged([a, c], async () => {
      const body = await expectRefused(c, code, 409, 'peer-key-conflict');
      expect(body.detail).toContain(readableFingerprint(e.ctx.self.signingKey.kid));
    });
    await peersOf(c).set({ signing_kid: a.ctx.self.signingKey.kid, state: 'suspended' }).execute();
    await expectUnchanged([a, c], () => expectRefused(c, code, 409, 'peer-suspended').then(() => undefined));
    await c.ctx.database.db.deleteFrom('peers').execute();

    await addPending(a, c);
    await peersOf(a).set({ signing_kid: e.ctx.self.signingKey.kid }).where('id', '=', c.id).execute();
    await expectUnchanged([a, c], () => expectRefused(c, code, 422, 'peer-key-conflict').then(() => undefined));
    await a.ctx.database.db.deleteFrom('peers').where('id', '=', c.id).execute();
  });

  it('when the request is not a redeem request for this node and this time', async () => {
    const { code } = await invite(a);
    await expectUnchanged([a], async () => {
      const honest = await redeemRequest(c, code);
      const cases: Array<[Promise<{ status: number; body: Json }>, number, string]> = [
        [postRedeem(a, honest.id, honest.jws, 'application/json'), 415, 'unsupported-media-type'],
        [postRedeem(a, honest.id, 'x'.repeat(70_000)), 413, 'redeem-request-too-large'],
        [postRedeem(a, honest.id, 'not.a.jws'), 400, 'malformed-redeem-request'],
        [postRedeem(a, randomUUID(), honest.jws), 400, 'malformed-redeem-request'],
        [postRedeem(a, honest.id, (await redeemRequest(c, code, { iss: c.id.replace('node', 'NODE') })).jws), 400, 'malformed-redeem-request'],
        [postRedeem(a, honest.id, (await redeemRequest(c, code, { aud: b.id })).jws), 400, 'wrong-recipient'],
        [postRedeem(a, honest.id, (await redeemRequest(c, code, { iat: nowSeconds(net.clock) - 3600 })).jws), 400, 'signature-time-skew'],
      ];
      for (const [call, status, problem] of cases) {
        const { status: got, body } = await call;
        expect([got, body.type]).toEqual([status, `urn:refnet:problem:${problem}`]);
      }
    });
  });
});

describe('a peer A had revoked', () => {
  it('becomes a peer anew by invitation, with the key its identity document lists now', async () => {
    await addPending(a, e);
    await a.ctx.database.db.updateTable('peers').set({ state: 'revoked' }).where('id', '=', e.id).execute();
    const from = await logSize(a);
    expect((await redeem(e, (await invite(a)).code)).status).toBe(200);
    expect((await api(a, 'GET', '/api/v1/peers')).body.items).toContainEqual(expect.objectContaining({ id: e.id, state: 'trusted' }));
    const types = (await entriesSince(a, from)).map((entry) => entry.type).filter((t) => t !== 'user.login');
    expect(types).toEqual(['invitation.created', 'invitation.redeemed', 'peer.added', 'peer.trusted']);
  });
});

describe('the CLI', () => {
  it('makes an invitation whose code another node redeems, lists it, and refuses what it must', async () => {
    const made = await cliResult('peer', 'invite', '--valid-hours', '24', '--json', '--data', a.dataDir);
    expect(made.error).toBeUndefined();
    const { id, code, expires_at: expiresAt } = JSON.parse(made.out) as { id: string; code: string; expires_at: string };
    await net.catchUpWithCli();
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(23 * HOUR);

    const text = await cliResult('peer', 'invite', '--data', a.dataDir);
    expect(text.out).toMatch(/^refnet-invite:\S+$/m);
    expect(text.out).toContain('referral-node peer redeem CODE');

    expect((await redeem(c, code)).status).toBe(200);
    const listed = await cliResult('peer', 'invitations', '--data', a.dataDir);
    expect(listed.out).toMatch(new RegExp(`${id}\\s+used\\s+.*${c.id.replace(/[.]/g, '\\.')}`));
    expect((await cliResult('peer', 'revoke-invitation', id, '--data', a.dataDir)).error?.message).toMatch(/redeemed by/);
    expect((await cliResult('peer', 'invite', '--valid-hours', '0', '--data', a.dataDir)).error?.message).toMatch(/--valid-hours/);

    // The CLI redeems over the real network: these test nodes are only reachable in memory.
    const open = JSON.parse((await cliResult('peer', 'invite', '--json', '--data', a.dataDir)).out) as { code: string };
    await expectUnchanged([d], async () => {
      expect((await cliResult('peer', 'redeem', 'refnet-invite:nonsense', '--data', d.dataDir)).error?.message).toMatch(/not an invitation code/);
      const unreachable = await cliResult('peer', 'redeem', open.code, '--data', d.dataDir);
      expect(unreachable.error).toMatchObject({ problem: 'peer-unreachable' });
    });
  });
});
