// Encryption-key rotation with messages in flight: a key retired is still held for a while, so
// envelopes sealed to it open; once it is destroyed, a sender told `unknown-recipient-key` fetches
// the new key (signed with the pinned signing key) and seals the same message again. Nothing is lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyRound, reloadKeysIfChanged } from '../../node/identity/rotation.js';
import { verifyIdentityDocument } from '../../node/identity/document.js';
import { nowSeconds } from '../../node/context.js';
import { cli } from '../_util/cli.js';
import { compactVerify } from 'jose';
import { importSigningPublicKey } from '../../node/identity/keys.js';
import { validatorFor } from '../../node/schema/validators.js';
import { expectMatchesSpec } from '../_util/spec-check.js';
import { api, createTestNetwork, type Json, referralRequest, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let gr: TestNode; // rotates its keys
let at: TestNode; // keeps sending to it

beforeAll(async () => {
  net = await createTestNetwork(2);
  [gr, at] = net.nodes as [TestNode, TestNode];
});
afterAll(() => net.close());

const DAY = 24 * 60 * 60_000;
const policy = { rotationDays: 30, retiredDays: 7 };
const keysOf = (node: TestNode) => node.ctx.database.db.selectFrom('node_keys').selectAll().where('use', '=', 'enc').orderBy('created_at').execute();
const pinnedKeyOfGr = async () => (await at.ctx.database.db.selectFrom('peers').select('encryption_kid').where('id', '=', gr.id).executeTakeFirstOrThrow()).encryption_kid;
const messagesOn = async (node: TestNode, id: string) => ((await api(node, 'GET', `/api/v1/referrals/${id}`)).body.messages as Json[]);

describe('rotating the encryption key', () => {
  let id: string;
  let first: string;

  beforeAll(async () => {
    id = (await api(gr, 'POST', '/api/v1/referrals', referralRequest(at.id))).body.id;
    await net.settle();
    expect((await api(at, 'POST', `/api/v1/referrals/${id}/accept`, {})).status).toBe(200);
    await net.settle();
    first = gr.ctx.self.encryptionKey.kid;
  });

  it('waits for the rotation period, then publishes a new key and keeps the old one', async () => {
    expect(await keyRound(gr.ctx, policy)).toEqual({ destroyed: [] });
    net.clock.advance(31 * DAY);
    const { rotated } = await keyRound(gr.ctx, policy);
    expect(rotated).toBeDefined();
    expect(gr.ctx.self.encryptionKey.kid).toBe(rotated);
    expect([...gr.ctx.self.encryptionKeys.keys()].sort()).toEqual([first, rotated].sort());
    expect((await keysOf(gr)).map((k) => [k.kid, k.status])).toEqual([[first, 'retired'], [rotated, 'active']]);

    const response = await gr.request('/.well-known/referral-node');
    const document = await verifyIdentityDocument(await response.text(), nowSeconds(net.clock), gr.id);
    expect(document.ok && document.identity.encryptionKey.kid).toBe(rotated);
  });

  it('still opens what a peer sealed to the retired key', async () => {
    expect(await pinnedKeyOfGr()).toBe(first);
    expect((await api(at, 'POST', `/api/v1/referrals/${id}/update`, { status: 'first-contact-made' })).status).toBe(200);
    await net.settle();
    expect((await api(gr, 'GET', `/api/v1/referrals/${id}`)).body.state).toBe('in-progress');
  });

  it('destroys the retired key after its grace period; a message sealed to it is sealed again to the new key and delivered', async () => {
    net.unreachable.add(gr.id);
    expect((await api(at, 'POST', `/api/v1/referrals/${id}/update`, { status: 'service-started', note: 'Started on Monday.' })).status).toBe(200);
    await net.settle();
    net.clock.advance(8 * DAY);
    const { destroyed } = await keyRound(gr.ctx, policy);
    expect(destroyed).toEqual([first]);
    const old = (await keysOf(gr)).find((k) => k.kid === first)!;
    expect(old).toMatchObject({ status: 'destroyed', private_wrapped: '' });
    expect(gr.ctx.self.encryptionKeys.has(first)).toBe(false);

    net.unreachable.delete(gr.id);
    await net.settle();
    const onGr = (await api(gr, 'GET', `/api/v1/referrals/${id}`)).body;
    expect(onGr.timeline.at(-1)).toMatchObject({ action: 'referral.update', code: 'service-started', note: 'Started on Monday.' });
    expect(await pinnedKeyOfGr()).toBe(gr.ctx.self.encryptionKey.kid);
    const sent = (await messagesOn(at, id)).filter((m) => m.direction === 'outgoing');
    expect(sent.every((m) => m.delivery.state === 'delivered')).toBe(true);
    expect(at.logs()).toMatch(/envelope sealed again to the peer's new encryption key/);

    const types = (await gr.ctx.database.db.selectFrom('audit_log').select('type').where('type', 'like', 'key.%').orderBy('idx').execute()).map((r) => r.type);
    expect(types).toEqual(['key.rotated', 'key.destroyed']);
  });

  it('lists retired keys, with their validity, in the signed historical keys', async () => {
    const response = await at.request(`/federation/v1/historical-keys`);
    expect(response.status).toBe(200);
    const own = await gr.request('/federation/v1/historical-keys');
    const jws = (await expectMatchesSpec('federation', 'GET', '/federation/v1/historical-keys', own)) as string;
    const { payload, protectedHeader } = await compactVerify(jws, await importSigningPublicKey(gr.ctx.self.signingKey.publicJwk));
    expect(protectedHeader.typ).toBe('referral-historical-keys+jwt');
    const claims = JSON.parse(new TextDecoder().decode(payload)) as Json;
    expect(validatorFor('federation', 'HistoricalKeysClaims')(claims)).toBe(true);
    expect(claims.keys).toEqual([
      expect.objectContaining({ kid: first, use: 'enc', retired_at: expect.any(Number), destroyed_at: expect.any(Number) }),
    ]);
    expect(claims.keys[0].destroyed_at - claims.keys[0].retired_at).toBe(8 * 24 * 60 * 60);
    expect(JSON.stringify(claims)).not.toMatch(/"d"/);
  });

  it('keeps a retired key of the sender while a message sealed with it waits in the outbox', async () => {
    const ownFirst = at.ctx.self.encryptionKey.kid;
    net.unreachable.add(gr.id);
    expect((await api(at, 'POST', `/api/v1/referrals/${id}/update`, { status: 'on-hold' })).status).toBe(200);
    await net.settle();
    net.clock.advance(31 * DAY);
    expect((await keyRound(at.ctx, policy)).rotated).toBeDefined();
    net.clock.advance(8 * DAY);
    // Past its grace period, but the queued update was sealed with it: kept.
    expect((await keyRound(at.ctx, policy)).destroyed).toEqual([]);
    net.unreachable.delete(gr.id);
    await net.settle();
    expect((await api(gr, 'GET', `/api/v1/referrals/${id}`)).body.timeline.at(-1)).toMatchObject({ code: 'on-hold' });
    expect((await keyRound(at.ctx, policy)).destroyed).toEqual([ownFirst]);
  });

  it('keeps a retired key of the sender while a message refused for good can still be sent again', async () => {
    const ownKey = at.ctx.self.encryptionKey.kid;
    // gr refuses the next message for good (as a peer with a bug would).
    net.intercept = (url) =>
      url.href === `${gr.id}/federation/v1/envelopes`
        ? new Response(JSON.stringify({ type: 'urn:refnet:problem:invalid-body', title: 'Invalid body', status: 400 }), { status: 400, headers: { 'content-type': 'application/problem+json' } })
        : undefined;
    expect((await api(at, 'POST', `/api/v1/referrals/${id}/update`, { status: 'resumed' })).status).toBe(200);
    await net.settle();
    net.intercept = undefined;
    const refused = (await messagesOn(at, id)).find((m) => m.direction === 'outgoing' && m.delivery.state === 'failed');
    expect(refused).toBeDefined();
    net.clock.advance(31 * DAY);
    expect((await keyRound(at.ctx, policy)).rotated).toBeDefined();
    net.clock.advance(8 * DAY);
    expect((await keyRound(at.ctx, policy)).destroyed).toEqual([]);
    // The cause dealt with, a person sends it again: it still opens, is sealed anew if need be, and goes.
    expect((await api(at, 'POST', `/api/v1/referrals/${id}/messages/${refused!.envelope_id}/retry`, {})).status).toBe(200);
    await net.settle();
    expect((await messagesOn(at, id)).find((m) => m.envelope_id === refused!.envelope_id)?.delivery.state).toBe('delivered');
    expect((await keyRound(at.ctx, policy)).destroyed).toEqual([ownKey]);
  });

  it('can be rotated by hand, and keys status lists every key', async () => {
    const before = gr.ctx.self.encryptionKey.kid;
    expect(await cli('keys', 'rotate', '--data', gr.dataDir)).toMatch(/^New encryption key [A-Z2-7-]+ is published; [A-Z2-7-]+ is retired\./);
    // The running node notices at its next round (which also reloads the keys).
    expect(await reloadKeysIfChanged(gr.ctx)).toBe(true);
    expect(await reloadKeysIfChanged(gr.ctx)).toBe(false);
    expect(gr.ctx.self.encryptionKey.kid).not.toBe(before);
    const status = JSON.parse(await cli('keys', 'status', '--json', '--data', gr.dataDir)) as Json[];
    expect(status.filter((k) => k.use === 'enc').map((k) => k.status).sort()).toEqual(['active', 'destroyed', 'retired']);
    expect(await cli('keys', 'status', '--data', gr.dataDir)).toMatch(/signing +active/);
  });
});
