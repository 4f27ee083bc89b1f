// Network trust lists: the anchor's operator makes, edits and signs a list with the CLI; nodes that
// follow it trust its members without pinning by hand, and revoke the members it drops. A member
// whose key is not the listed one is not trusted, peers trusted by hand stay, and a list that is
// expired, signed by another key, altered or older than the last one changes nothing.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../node/config/config.js';
import { nowSeconds } from '../../node/context.js';
import { changePeerState } from '../../node/peers/service.js';
import { followTrustList, trustListStatus, type TrustListFollowing } from '../../node/peers/trust-list-follower.js';
import { anchorKeyFrom, generateAnchorJwk, signTrustList, verifyTrustList, type AnchorKey, type TrustListMember } from '../../node/peers/trust-list.js';
import { cli, cliResult } from '../_util/cli.js';
import { addPending, api, createTestNetwork, referralRequest, snapshot, trust, type TestNetwork, type TestNode } from '../_util/test-node.js';

describe('the anchor operator\'s commands', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'refnet-trustlist-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('create, add, remove and sign a list that verifies with the printed anchor thumbprint', async () => {
    const key = join(dir, 'anchor.jwk');
    const list = join(dir, 'list.json');
    const signed = join(dir, 'list.jwt');
    const created = await cli('trustlist', 'create', '--key', key, '--out', list, '--network', 'Balkan Route Network');
    const anchorKid = /Anchor key thumbprint: ([A-Za-z0-9_-]{43})/.exec(created)![1]!;
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(list, 'utf8'))).toEqual({ network: 'Balkan Route Network', members: [] });

    const kidA = (await generateAnchorJwk()).kid!;
    const kidB = (await generateAnchorJwk()).kid!;
    expect(await cli('trustlist', 'add', list, '--node', 'https://a.example.org/', '--kid', kidA, '--name', 'Ariadne')).toContain('Added: https://a.example.org');
    await cli('trustlist', 'add', list, '--node', 'https://b.example.org', '--kid', kidB);
    await cli('trustlist', 'add', list, '--node', 'https://c.example.org', '--kid', kidB);
    expect(await cli('trustlist', 'remove', list, '--node', 'https://c.example.org')).toContain('Removed: https://c.example.org');
    const out = await cli('trustlist', 'sign', list, '--key', key, '--out', signed, '--valid-days', '10');
    expect(out).toContain('2 members');

    const verified = await verifyTrustList(readFileSync(signed, 'utf8').trim(), anchorKid, Math.floor(Date.now() / 1000), { clockSkewSeconds: 300 });
    expect(verified.ok).toBe(true);
    if (!verified.ok) return;
    expect(verified.claims.iss).toBe('Balkan Route Network');
    expect(verified.claims.exp - verified.claims.iat).toBe(10 * 86_400);
    expect(verified.claims.members).toEqual([
      { node_id: 'https://a.example.org', signing_kid: kidA, name: 'Ariadne' },
      { node_id: 'https://b.example.org', signing_kid: kidB },
    ]);
    const header = JSON.parse(Buffer.from(readFileSync(signed, 'utf8').split('.')[0]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    expect(header).toMatchObject({ alg: 'EdDSA', typ: 'referral-trust-list+jwt', kid: anchorKid });
    expect(header.jwk).not.toHaveProperty('d');
  });

  it('refuses bad input with a plain sentence and changes nothing', async () => {
    const key = join(dir, 'k2.jwk');
    const list = join(dir, 'l2.json');
    await cli('trustlist', 'create', '--key', key, '--out', list, '--network', 'N');
    const keyBefore = readFileSync(key, 'utf8');
    const refusals: Array<[string[], RegExp]> = [
      [['trustlist', 'create', '--key', key, '--out', join(dir, 'other.json'), '--network', 'N'], /already exists; a key file is never overwritten/],
      [['trustlist', 'add', list, '--node', 'not a url', '--kid', 'x'.repeat(43)], /is not a URL/],
      [['trustlist', 'add', list, '--node', 'https://a.example.org?x=1', '--kid', 'x'.repeat(43)], /no credentials, query or fragment/],
      [['trustlist', 'add', list, '--node', 'https://a.example.org', '--kid', 'ABCD-EFGH'], /43 characters of base64url/],
      [['trustlist', 'remove', list, '--node', 'https://nowhere.example.org'], /is not in the list; nothing was changed/],
      [['trustlist', 'sign', list, '--key', key, '--out', join(dir, 'x.jwt'), '--valid-days', '0'], /--valid-days takes a whole number of days/],
      [['trustlist', 'sign', list, '--key', list, '--out', join(dir, 'x.jwt')], /does not hold an Ed25519 private key/],
      [['trustlist', 'add', key, '--node', 'https://a.example.org', '--kid', 'x'.repeat(43)], /is not an unsigned trust list/],
    ];
    for (const [args, message] of refusals) {
      const { error } = await cliResult(...args);
      expect(error?.message, args.join(' ')).toMatch(message);
    }
    expect(readFileSync(key, 'utf8')).toBe(keyBefore);
    expect(JSON.parse(readFileSync(list, 'utf8'))).toEqual({ network: 'N', members: [] });
  });
});

describe('the configuration of a node that follows a list', () => {
  it('takes the URL and the anchor thumbprint together, and refuses either alone or malformed', () => {
    const kid = 'A'.repeat(43);
    expect(resolveConfig({ data: '/tmp/x' }, {}).trustList).toBeUndefined();
    expect(resolveConfig({ data: '/tmp/x' }, { trustListUrl: 'https://network.example.org/list.jwt', trustAnchorKid: kid }).trustList).toEqual({
      url: 'https://network.example.org/list.jwt',
      anchorKid: kid,
    });
    expect(() => resolveConfig({ data: '/tmp/x' }, { trustListUrl: 'https://network.example.org/list.jwt' })).toThrow(/set both/);
    expect(() => resolveConfig({ data: '/tmp/x' }, { trustAnchorKid: kid })).toThrow(/set both/);
    expect(() => resolveConfig({ data: '/tmp/x' }, { trustListUrl: 'ftp://x', trustAnchorKid: kid })).toThrow(/https/);
    expect(() => resolveConfig({ data: '/tmp/x' }, { trustListUrl: 'https://x.example', trustAnchorKid: 'ABCD-EFGH' })).toThrow(/43 characters/);
  });
});

describe('a node following a trust list', () => {
  let net: TestNetwork;
  let a: TestNode; // follows the list
  let b: TestNode; // a member; follows the list too
  let c: TestNode; // a member, later removed from the list
  let d: TestNode; // listed with a wrong key; trusted by hand by A
  let e: TestNode; // hosts the list (its URL serves it through the intercept); pending at A, then listed
  let anchor: AnchorKey;
  let following: TrustListFollowing;
  let served: string;
  const DAY = 86_400;

  const kid = (node: TestNode) => node.ctx.self.signingKey.kid;
  const member = (node: TestNode): TrustListMember => ({ node_id: node.id, signing_kid: kid(node) });
  async function publish(members: TrustListMember[], options: { iat?: number; validSeconds?: number; key?: AnchorKey } = {}): Promise<void> {
    const iat = options.iat ?? nowSeconds(net.clock);
    served = await signTrustList({ iss: 'Test network', iat, exp: iat + (options.validSeconds ?? 30 * DAY), members }, options.key ?? anchor);
  }
  const stateAt = async (node: TestNode, peer: TestNode) =>
    (await node.ctx.database.db.selectFrom('peers').select('state').where('id', '=', peer.id).executeTakeFirst())?.state;
  const appliedEntries = async (node: TestNode) =>
    (await node.ctx.database.db.selectFrom('audit_log').select('entry').where('type', '=', 'trust-list.applied').orderBy('idx').execute()).map((r) => JSON.parse(r.entry) as Record<string, unknown>);

  beforeAll(async () => {
    net = await createTestNetwork(5, { trust: false });
    [a, b, c, d, e] = net.nodes as [TestNode, TestNode, TestNode, TestNode, TestNode];
    const jwk = await generateAnchorJwk();
    anchor = await anchorKeyFrom(JSON.stringify(jwk));
    following = { url: `${e.id}/network/trust-list.jwt`, anchorKid: anchor.kid };
    net.intercept = (url) => (url.href === following.url ? new Response(served, { headers: { 'content-type': 'application/jwt' } }) : undefined);
  });
  afterAll(() => net.close());

  it('on-boards the members automatically, and two members that both follow it exchange a referral', async () => {
    await addPending(a, e);
    await publish([member(a), member(b), member(c), { node_id: d.id, signing_kid: kid(e) }, member(e)]);
    const outcome = await followTrustList(a.ctx, following);
    expect(outcome).toMatchObject({ outcome: 'applied', network: 'Test network' });
    if (outcome.outcome !== 'applied') return;
    expect(outcome.applied.added.sort()).toEqual([b.id, c.id, e.id].sort());
    expect([await stateAt(a, b), await stateAt(a, c), await stateAt(a, e)]).toEqual(['trusted', 'trusted', 'trusted']);

    // A member whose identity document shows another key than the listed one is not trusted.
    expect(await stateAt(a, d)).toBeUndefined();
    expect(outcome.problems).toEqual([expect.objectContaining({ node_id: d.id, kind: 'identity-mismatch' })]);
    const status = await trustListStatus(a.ctx, following);
    expect(status).toMatchObject({ outcome: 'applied', network: 'Test network', problems: [expect.objectContaining({ node_id: d.id })] });
    expect(await cli('trustlist', 'status', '--data', a.dataDir)).toMatch(/identity-mismatch/);
    expect(a.logs()).toContain('trust list member not trusted');

    const trustedEntry = (await a.ctx.database.db.selectFrom('audit_log').select('entry').where('type', '=', 'peer.trusted').execute()).map((r) => JSON.parse(r.entry) as { actor: unknown; peer_id: string });
    expect(trustedEntry.find((x) => x.peer_id === b.id)?.actor).toEqual({ kind: 'system', id: 'trust-list' });
    expect(await appliedEntries(a)).toEqual([expect.objectContaining({ network: 'Test network', members: 5, added: 3, removed: 0 })]);

    // B follows the same list: A and B now trust each other and a referral goes through.
    expect((await followTrustList(b.ctx, following)).outcome).toBe('applied');
    const sent = await api(a, 'POST', '/api/v1/referrals', referralRequest(b.id));
    expect(sent.status).toBe(201);
    await net.settle();
    expect((await api(a, 'GET', `/api/v1/referrals/${sent.body.id}`)).body.state).toBe('delivered');

    // Applying the same list again changes nothing and logs no second entry.
    await followTrustList(a.ctx, following);
    expect(await appliedEntries(a)).toHaveLength(1);
  });

  it('revokes a member the list dropped, leaves a hand-trusted peer alone, and does not re-trust a suspended one', async () => {
    await trust(a, d); // by hand, with d's own key: the list never vouched for it
    await changePeerState(a.ctx.database, e.id, 'suspend', net.clock.now());
    net.clock.advance(60_000);
    await publish([member(a), member(b), member(e)]); // c and d dropped
    const outcome = await followTrustList(a.ctx, following);
    expect(outcome).toMatchObject({ outcome: 'applied', applied: { added: [], removed: [c.id] } });
    expect(await stateAt(a, c)).toBe('revoked');
    expect(await stateAt(a, d)).toBe('trusted');
    expect(await stateAt(a, e)).toBe('suspended');
    const revoked = (await a.ctx.database.db.selectFrom('audit_log').select('entry').where('type', '=', 'peer.revoked').execute()).map((r) => JSON.parse(r.entry) as Record<string, unknown>);
    expect(revoked).toEqual([expect.objectContaining({ peer_id: c.id, reason: 'no-longer-partner', actor: { kind: 'system', id: 'trust-list' } })]);
    expect((await appliedEntries(a)).at(-1)).toMatchObject({ members: 3, added: 0, removed: 1 });

    // A key the list names that differs from the one pinned here is a problem, not a change.
    net.clock.advance(60_000);
    await publish([member(a), { node_id: b.id, signing_kid: kid(c) }, member(e)]);
    const conflict = await followTrustList(a.ctx, following);
    expect(conflict).toMatchObject({ outcome: 'applied', problems: [expect.objectContaining({ node_id: b.id, kind: 'key-conflict' })] });
    expect(await stateAt(a, b)).toBe('trusted');
  });

  it('changes nothing with a list that is expired, signed by another key, altered, older than the last one, or unreachable', async () => {
    const otherAnchor = await anchorKeyFrom(JSON.stringify(await generateAnchorJwk()));
    const everyone = [member(a), member(b), member(c), member(d), member(e)];
    const lastIat = (await a.ctx.database.db.selectFrom('trust_list_status').select('list_iat').executeTakeFirstOrThrow()).list_iat!;
    const cases: Array<[string, () => Promise<void>, RegExp]> = [
      ['expired', () => publish(everyone, { iat: nowSeconds(net.clock) - 2 * DAY, validSeconds: DAY }), /expired/],
      ['another key', () => publish(everyone, { key: otherAnchor }), /not signed by the configured trust anchor/],
      ['altered', async () => {
        await publish(everyone);
        const [h, , s] = served.split('.');
        const payload = Buffer.from(JSON.stringify({ iss: 'Test network', iat: nowSeconds(net.clock), exp: nowSeconds(net.clock) + DAY, members: everyone })).toString('base64url');
        served = `${h}.${payload}.${s}`;
      }, /signature does not verify/],
      ['older', () => publish(everyone, { iat: lastIat - 10 }), /older than the one applied last/],
      ['not JWS', async () => {
        served = '<html>maintenance</html>';
      }, /not a compact JWS/],
    ];
    const withoutStatus = async (node: TestNode) => {
      const { trust_list_status: _ignored, ...rest } = await snapshot(node);
      return rest;
    };
    for (const [what, make, reason] of cases) {
      await make();
      const before = await withoutStatus(a);
      const outcome = await followTrustList(a.ctx, following);
      expect(outcome, what).toMatchObject({ outcome: 'refused', detail: expect.stringMatching(reason) });
      expect(await withoutStatus(a), what).toEqual(before);
      expect(await trustListStatus(a.ctx, following), what).toMatchObject({ outcome: 'refused', list_iat: new Date(lastIat * 1000).toISOString() });
    }
    net.unreachable.add(e.id);
    const before = await withoutStatus(a);
    expect(await followTrustList(a.ctx, following)).toMatchObject({ outcome: 'unreachable' });
    expect(await withoutStatus(a)).toEqual(before);
    net.unreachable.delete(e.id);
  });
});
