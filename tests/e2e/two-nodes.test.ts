// Two real nodes, each its own process on loopback, trusted mutually through the CLI, exchange
// a referral end to end: identity documents, sending, delivery with a signed receipt, reading on
// the receiving side (API and CLI), and persistence across a restart.
import { compactVerify, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifiedIdentity } from '../../node/identity/document.js';
import { importSigningPublicKey } from '../../node/identity/keys.js';
import { expectMatchesSpec } from '../_util/spec-check.js';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cleanup, pollUntil, runCli, runCliOk, startNode, trustEachOther, type RunningNode } from '../_util/processes.js';
import {
  fetchIdentity,
  getReferral,
  referralRequest,
  sendReferral,
  waitUntilDelivered,
  type CreateReferralRequest,
  type InlineConsentRequest,
  type ReferralDetail,
  type ReferralSummary,
} from './referrals.js';

const TIMEOUT = 60_000;

describe('two nodes running as separate processes', () => {
  let a: RunningNode;
  let b: RunningNode;
  let identityB: VerifiedIdentity;
  let request: InlineConsentRequest;
  let sent: ReferralSummary;
  let delivered: ReferralDetail;

  beforeAll(async () => {
    [a, b] = await Promise.all([
      startNode({ name: 'Athens Women Support', country: 'GR', languages: ['el', 'en'] }),
      startNode({ name: 'Wien Frauenberatung', country: 'AT', languages: ['de', 'en'] }),
    ]);
    await trustEachOther(a, b);
  }, 120_000);

  afterAll(async () => {
    await cleanup.run();
  }, 60_000);

  it('each node serves an identity document that matches the spec and verifies with the key it lists', async () => {
    for (const [node, country] of [
      [a, 'GR'],
      [b, 'AT'],
    ] as const) {
      const { jws, identity } = await fetchIdentity(node);
      expect(identity.claims.iss).toBe(node.url);
      expect(identity.claims.sub).toBe(node.url);
      expect(identity.claims.country).toBe(country);
      expect(identity.claims.name).toBe(node.name);
      // Independently of verifyIdentityDocument: the header's kid names a listed Ed25519 key
      // and that key verifies the signature.
      const header = decodeProtectedHeader(jws);
      const listed = identity.claims.jwks.keys.find((k) => k.kid === header.kid && k.crv === 'Ed25519');
      expect(listed).toBeDefined();
      await expect(compactVerify(jws, await importSigningPublicKey(listed!))).resolves.toBeDefined();
      if (node === b) identityB = identity;
    }
  }, TIMEOUT);

  it('peer list on A shows B as trusted with a readable fingerprint', async () => {
    const { stdout } = await runCliOk(['peer', 'list', '--data', a.dataDir, '--json']);
    const peers = JSON.parse(stdout) as Array<{ id: string; state: string; fingerprint: string; country: string }>;
    const peerB = peers.find((p) => p.id === b.url);
    expect(peerB, stdout).toBeDefined();
    expect(peerB!.state).toBe('trusted');
    expect(peerB!.country).toBe('AT');
    expect(peerB!.fingerprint).toMatch(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){7}$/);
  }, TIMEOUT);

  it('a referral posted on A is accepted with 201 and delivered to B with a receipt signed by B', async () => {
    request = referralRequest(b.url);
    sent = await sendReferral(a, request);
    expect(sent.direction).toBe('outgoing');
    expect(sent.peer.id).toBe(b.url);
    expect(['sent', 'delivered']).toContain(sent.state);

    delivered = await waitUntilDelivered(a, sent.id);
    expect(delivered.delivery?.state).toBe('delivered');
    const message = delivered.messages[0];
    expect(message, JSON.stringify(delivered.messages)).toBeDefined();
    expect(message!.type).toBe('referral.offer');
    expect(message!.receipt, 'the delivered offer carries the receipt').toEqual(expect.any(String));

    const receipt = message!.receipt!;
    if (!identityB) identityB = (await fetchIdentity(b)).identity;
    const { payload, protectedHeader } = await compactVerify(receipt, await importSigningPublicKey(identityB.signingKey), {
      algorithms: ['EdDSA'],
    });
    expect(protectedHeader.kid).toBe(identityB.signingKey.kid);
    const claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
    expect(claims.envelope_id).toBe(message!.envelope_id);
    expect(claims.iss).toBe(b.url);
    expect(claims.aud).toBe(a.url);
    expect(claims.payload_digest).toEqual(expect.any(String));
  }, TIMEOUT);

  it('B lists the referral as incoming and delivered, and shows the content A sent', async () => {
    const listUrl = `${b.url}/api/v1/referrals?direction=incoming`;
    const list = (await expectMatchesSpec('local', 'GET', listUrl, await b.api('/api/v1/referrals?direction=incoming'))) as {
      items: ReferralSummary[];
    };
    const item = list.items.find((r) => r.id === sent.id);
    expect(item, JSON.stringify(list)).toBeDefined();
    expect(item!.direction).toBe('incoming');
    expect(item!.state).toBe('delivered');
    expect(item!.peer.id).toBe(a.url);
    expect(item!.peer.name).toBe(a.name);

    const detail = await getReferral(b, sent.id);
    expect(detail.direction).toBe('incoming');
    expect(detail.state).toBe('delivered');
    expect(detail.content?.needs).toEqual(request.needs);
    expect(detail.content?.urgency).toBe(request.urgency);
    expect(detail.content?.reason).toBe(request.reason);
    expect(detail.content?.client).toEqual(request.client);
    expect(detail.content?.consent.categories).toEqual(request.consent.categories);
    expect(detail.content?.consent.recipients).toEqual([b.url]);
    expect(detail.messages.map((m) => [m.envelope_id, m.direction])).toEqual([[delivered.messages[0]!.envelope_id, 'incoming']]);
  }, TIMEOUT);

  it('the CLI on B lists and shows the referral too', async () => {
    const list = JSON.parse((await runCliOk(['referral', 'list', '--data', b.dataDir, '--json'])).stdout) as { items: ReferralSummary[] };
    const item = list.items.find((r) => r.id === sent.id);
    expect(item, JSON.stringify(list)).toBeDefined();
    expect(item!.direction).toBe('incoming');
    expect(item!.state).toBe('delivered');

    const shown = JSON.parse((await runCliOk(['referral', 'show', sent.id, '--data', b.dataDir, '--json'])).stdout) as ReferralDetail;
    expect(shown.id).toBe(sent.id);
    expect(shown.content?.reason).toBe(request.reason);
    expect(shown.content?.client).toEqual(request.client);
    expect(shown.content?.needs).toEqual(request.needs);
  }, TIMEOUT);

  it('the CLI on B sends a referral back to A while both nodes run, and A receives it', async () => {
    const file = join(dirname(b.dataDir), 'referral.json');
    const { to: _to, ...withoutRecipient } = referralRequest(a.url, { reason: 'Sent from the command line.' });
    writeFileSync(file, JSON.stringify(withoutRecipient));
    const { stdout } = await runCliOk(['referral', 'send', '--file', file, '--to', a.url, '--user', 'admin', '--data', b.dataDir, '--json']);
    const summary = JSON.parse(stdout) as ReferralSummary;
    expect(summary.direction).toBe('outgoing');
    // The CLI posts the offer itself, unless B's running worker (it looks every second) leased it
    // first; either way it is delivered once, with one attempt.
    const onB = await pollUntil(
      async () => {
        const detail = await getReferral(b, summary.id);
        return detail.state === 'delivered' ? detail : undefined;
      },
      { timeoutMs: 30_000, what: 'the referral sent from the CLI to be delivered' },
    );
    expect(onB.messages[0]).toMatchObject({ delivery: { state: 'delivered', attempts: 1 } });
    const received = await getReferral(a, summary.id);
    expect(received.direction).toBe('incoming');
    expect(received.content?.reason).toBe('Sent from the command line.');

    const refused = await runCli(['referral', 'send', '--file', file, '--user', 'admin', '--data', b.dataDir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/does not match CreateReferralRequest/);
  }, TIMEOUT);

  it('SIGTERM stops each node with exit code 0, and after a restart the referral is still there', async () => {
    const [codeA, codeB] = await Promise.all([a.stop('SIGTERM'), b.stop('SIGTERM')]);
    expect(codeA, `A's output:\n${a.logs()}`).toBe(0);
    expect(codeB, `B's output:\n${b.logs()}`).toBe(0);
    expect(a.logs()).toMatch(/shutting down/);

    await b.restart();
    const onB = await getReferral(b, sent.id);
    expect(onB.state).toBe('delivered');
    expect(onB.content?.reason).toBe(request.reason);
    expect(onB.content?.client).toEqual(request.client);

    await a.restart();
    const onA = await getReferral(a, sent.id);
    expect(onA.state).toBe('delivered');
    expect(onA.messages[0]!.receipt).toBe(delivered.messages[0]!.receipt);

    const [again, againB] = await Promise.all([a.stop(), b.stop()]);
    expect(again, a.logs()).toBe(0);
    expect(againB, b.logs()).toBe(0);
  }, TIMEOUT);
});
