// Every way an envelope can be refused, checked in the order of spec/federation.yaml: the right
// status and problem type, a response that matches the spec, and no change to the database.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { CompactSign } from 'jose';
import { b64u, utf8 } from '../../node/crypto/encoding.js';
import { sealedFromText } from '../../node/data-keys/data-keys.js';
import { generateEncryptionKey, generateSigningKey } from '../../node/identity/keys.js';
import { sealEnvelope, signEnvelopeAttempt, type SealInput } from '../../node/envelope/seal.js';
import { verifyReceipt } from '../../node/envelope/receipt.js';
import { uuidv7 } from '../../node/util/uuidv7.js';
import { expectMatchesSpec } from '../_util/spec-check.js';
import { addPending, createTestNetwork, snapshot, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let a: TestNode; // trusted sender
let b: TestNode; // receiver
let c: TestNode; // unknown to b at first

beforeAll(async () => {
  net = await createTestNetwork(3, { trust: false });
  [a, b, c] = net.nodes as [TestNode, TestNode, TestNode];
  const { trust } = await import('../_util/test-node.js');
  await trust(a, b);
  await trust(b, a);
});
afterAll(() => net.close());

function offerBody(referralId: string, recipient: string, overrides: Record<string, unknown> = {}) {
  return {
    referral_id: referralId,
    needs: ['legal-aid-residence'],
    urgency: 'urgent',
    reason: 'Her residence permit expires next month; she asks for a lawyer who speaks Romanian.',
    client: { situation: { summary: 'Works part time in a bakery.' } },
    consent: {
      id: '0b5f3c1e-2f4d-4c3e-9a51-6c1f0e2d7a44',
      categories: ['situation'],
      purposes: ['referral'],
      recipients: [recipient],
      method: 'written',
      language: 'ro',
      obtained_by: '4f1c2b7e-8d3a-4e6f-9b21-7c5d0e3a9f18',
      obtained_at: '2026-11-20T09:00:00Z',
      valid_until: '2027-05-20T09:00:00Z',
    },
    ...overrides,
  };
}

function sealInput(from: TestNode, to: TestNode, overrides: Partial<SealInput> = {}): SealInput {
  const referralId = randomUUID();
  return {
    type: 'referral.offer',
    from: from.id,
    to: to.id,
    referralId,
    seq: 1,
    createdAt: net.clock.now(),
    body: offerBody(referralId, to.id),
    recipientKey: to.ctx.self.encryptionKey.publicJwk,
    senderKey: from.ctx.self.encryptionKey.publicJwk,
    ...overrides,
  };
}

async function signedBy(node: TestNode, payload: string, at = net.clock.now()): Promise<string> {
  return signEnvelopeAttempt(payload, { nodeId: node.id, signingKey: node.ctx.self.signingKey }, at);
}

async function validEnvelope(from = a, to = b, overrides: Partial<SealInput> = {}) {
  const sealed = await sealEnvelope(sealInput(from, to, overrides));
  return { sealed, jws: await signedBy(from, sealed.payload) };
}

const post = (node: TestNode, body: string | Uint8Array, contentType = 'application/jose') =>
  node.request('/federation/v1/envelopes', { method: 'POST', headers: { 'content-type': contentType }, body });

/** Posts and checks the refusal: status, problem type, spec conformance, nothing changed. */
async function expectRefused(body: string | Uint8Array, status: number, problem: string, contentType?: string) {
  const before = await snapshot(b);
  const response = await post(b, body, contentType);
  expect(response.status).toBe(status);
  const problemBody = (await expectMatchesSpec('federation', 'POST', '/federation/v1/envelopes', response)) as { type: string };
  expect(problemBody.type).toBe(`urn:refnet:problem:${problem}`);
  expect(await snapshot(b)).toEqual(before);
}

/** Replaces a part of the envelope payload, keeping everything else. */
function alterPayload(payload: string, change: (p: Record<string, unknown>) => void): string {
  const parsed = JSON.parse(payload) as Record<string, unknown>;
  change(parsed);
  return JSON.stringify(parsed);
}

describe('a valid envelope', () => {
  it('is stored and answered with a receipt that verifies with the receiver key', async () => {
    const { sealed, jws } = await validEnvelope();
    const response = await post(b, jws);
    expect(response.status).toBe(200);
    const body = (await expectMatchesSpec('federation', 'POST', '/federation/v1/envelopes', response)) as { receipt: string; payload_digest: string };
    expect(body.payload_digest).toBe(sealed.digest);
    const claims = await verifyReceipt(body.receipt, {
      peerId: b.id,
      peerSigningKeys: new Map([[b.ctx.self.signingKey.kid, b.ctx.self.signingKey.publicJwk]]),
      selfId: a.id,
      envelopeId: sealed.header.id,
      digest: sealed.digest,
    });
    expect(claims?.envelope_id).toBe(sealed.header.id);
    const stored = await b.ctx.database.db.selectFrom('referrals').selectAll().where('id', '=', sealed.header.referral_id).executeTakeFirst();
    expect(stored).toMatchObject({ direction: 'incoming', state: 'delivered', peer_id: a.id });
    // Kept as evidence: the JWS exactly as received, sealed at rest; its payload is not kept twice.
    const row = await b.ctx.database.db.selectFrom('envelopes').select(['payload', 'signed_jws', 'receipt']).where('id', '=', sealed.header.id).executeTakeFirstOrThrow();
    expect(row.payload).toBe('');
    expect(row.signed_jws).not.toContain(jws.split('.')[1]!.slice(0, 40));
    const kept = await b.ctx.dataKeys.open(b.ctx.database.db, `envelope:${sealed.header.id}`, sealedFromText(row.signed_jws!), utf8.encode(`envelope:${sealed.header.id}:jws`));
    expect(utf8.decode(kept!)).toBe(jws);
    expect(row.receipt).toBe(body.receipt);
  });

  it('posted twice returns the same receipt and has no second effect', async () => {
    const { jws } = await validEnvelope();
    const first = await (await post(b, jws)).json();
    const before = await snapshot(b);
    net.clock.advance(30_000);
    const second = await post(b, jws);
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual(first);
    expect(await snapshot(b)).toEqual(before);
  });

  it('delivered days later is accepted because each attempt is signed afresh', async () => {
    const sealed = await sealEnvelope(sealInput(a, b));
    net.clock.advance(3 * 24 * 3600_000);
    const response = await post(b, await signedBy(a, sealed.payload));
    expect(response.status).toBe(200);
  });
});

describe('an envelope is refused', () => {
  beforeEach(() => net.clock.advance(1_000));

  it('when the body is larger than the limit', async () => {
    await expectRefused('x'.repeat(b.ctx.limits.maxEnvelopeBytes + 1), 413, 'envelope-too-large');
  });

  it('when it is not sent as application/jose', async () => {
    const { jws } = await validEnvelope();
    await expectRefused(jws, 415, 'unsupported-media-type', 'application/json');
  });

  it('when it is not a compact JWS', async () => {
    await expectRefused('not a jws', 400, 'malformed-envelope');
    await expectRefused('a.b.c', 400, 'malformed-envelope');
    const { jws } = await validEnvelope();
    await expectRefused(`${jws.split('.').slice(0, 2).join('.')}.not+base64/url`, 400, 'malformed-envelope');
  });

  it('when its payload is not JSON', async () => {
    const jws = await new CompactSign(utf8.encode('{"header": not json'))
      .setProtectedHeader({ alg: 'EdDSA', typ: 'referral-envelope+jws', kid: a.ctx.self.signingKey.kid, iss: a.id, iat: Math.floor(net.clock.now().getTime() / 1000) })
      .sign(a.ctx.self.signingKey.privateKey);
    await expectRefused(jws, 400, 'malformed-envelope');
  });

  it('when its protected header lacks iat', async () => {
    const { sealed } = await validEnvelope();
    const jws = await new CompactSign(utf8.encode(sealed.payload))
      .setProtectedHeader({ alg: 'EdDSA', typ: 'referral-envelope+jws', kid: a.ctx.self.signingKey.kid, iss: a.id })
      .sign(a.ctx.self.signingKey.privateKey);
    await expectRefused(jws, 400, 'malformed-envelope');
  });

  it('when the sender is unknown, with the answer to a bad signature (who is known is not told)', async () => {
    const { jws } = await validEnvelope(c, b);
    await expectRefused(jws, 403, 'bad-signature');
  });

  it('when the sender is known but not trusted', async () => {
    await addPending(b, c);
    const { jws } = await validEnvelope(c, b);
    await expectRefused(jws, 403, 'untrusted-sender');
  });

  it('when it is signed with a key that is not pinned for the sender', async () => {
    const { sealed } = await validEnvelope();
    const { key: otherKey } = await generateSigningKey();
    const jws = await signEnvelopeAttempt(sealed.payload, { nodeId: a.id, signingKey: otherKey }, net.clock.now());
    await expectRefused(jws, 403, 'bad-signature');
  });

  it('when the signature does not verify', async () => {
    const { jws } = await validEnvelope();
    const [h, p, s] = jws.split('.');
    const flipped = `${s!.slice(0, 10)}${s![10] === 'A' ? 'B' : 'A'}${s!.slice(11)}`;
    await expectRefused(`${h}.${p}.${flipped}`, 403, 'bad-signature');
  });

  it('when the header was tampered with after signing', async () => {
    const { sealed, jws } = await validEnvelope();
    const [h, , s] = jws.split('.');
    const header = { ...sealed.header, seq: 2 };
    const tampered = alterPayload(sealed.payload, (p) => (p.header = b64u.encode(JSON.stringify(header))));
    await expectRefused(`${h}.${b64u.encode(tampered)}.${s}`, 403, 'bad-signature');
  });

  it('when it is addressed to another node', async () => {
    const { jws } = await validEnvelope(a, b, { to: c.id });
    await expectRefused(jws, 400, 'wrong-recipient');
  });

  it('when its header names another sender than the signer', async () => {
    const { jws } = await validEnvelope(a, b, { from: c.id });
    await expectRefused(jws, 400, 'sender-mismatch');
  });

  it('when it is sealed to an encryption key the receiver does not hold', async () => {
    const stranger = await generateEncryptionKey();
    const { jws } = await validEnvelope(a, b, { recipientKey: stranger.publicJwk });
    await expectRefused(jws, 400, 'unknown-recipient-key');
  });

  it('when its signing time is outside the allowed skew, in either direction', async () => {
    const { sealed } = await validEnvelope();
    const skew = b.ctx.limits.clockSkewSeconds * 1000;
    await expectRefused(await signedBy(a, sealed.payload, new Date(net.clock.now().getTime() - skew - 2_000)), 400, 'signature-time-skew');
    await expectRefused(await signedBy(a, sealed.payload, new Date(net.clock.now().getTime() + skew + 2_000)), 400, 'signature-time-skew');
  });

  it('when a captured request is replayed after the skew has passed', async () => {
    const { jws } = await validEnvelope();
    expect((await post(b, jws)).status).toBe(200);
    net.clock.advance((b.ctx.limits.clockSkewSeconds + 5) * 1000);
    await expectRefused(jws, 400, 'signature-time-skew');
  });

  it('when an envelope id is reused for another payload', async () => {
    const id = uuidv7();
    const first = await sealEnvelope(sealInput(a, b), () => id);
    expect((await post(b, await signedBy(a, first.payload))).status).toBe(200);
    const second = await sealEnvelope(sealInput(a, b), () => id);
    await expectRefused(await signedBy(a, second.payload), 409, 'envelope-conflict');
  });

  it('when the envelope id is one this node used for an envelope of its own', async () => {
    const { createReferral } = await import('../../node/referrals/service.js');
    const admin = await b.ctx.database.db.selectFrom('users').select('id').executeTakeFirstOrThrow();
    const { referralRequest } = await import('../_util/test-node.js');
    const sent = await createReferral(b.ctx, { userId: admin.id }, referralRequest(a.id));
    const own = await b.ctx.database.db.selectFrom('envelopes').select('id').where('referral_id', '=', sent.id).executeTakeFirstOrThrow();
    const forged = await sealEnvelope(sealInput(a, b), () => own.id);
    await expectRefused(await signedBy(a, forged.payload), 409, 'envelope-conflict');
  });

  it('when its message type is not one the node accepts', async () => {
    const { jws } = await validEnvelope(a, b, { type: 'referral.teleport' });
    await expectRefused(jws, 400, 'unsupported-message-type');
  });

  it('when the ciphertext was tampered with', async () => {
    const { sealed } = await validEnvelope();
    const tampered = alterPayload(sealed.payload, (p) => {
      const bytes = b64u.decode(p.ciphertext as string);
      bytes[0] = bytes[0]! ^ 0xff;
      p.ciphertext = b64u.encode(bytes);
    });
    await expectRefused(await signedBy(a, tampered), 400, 'decryption-failed');
  });

  it('when the header no longer matches the associated data of the ciphertext', async () => {
    const { sealed } = await validEnvelope();
    const tampered = alterPayload(sealed.payload, (p) => {
      p.header = b64u.encode(JSON.stringify({ ...sealed.header, created_at: '2026-01-01T00:00:00.000Z' }));
    });
    await expectRefused(await signedBy(a, tampered), 400, 'decryption-failed');
  });

  it('when the decrypted body fails its schema', async () => {
    const input = sealInput(a, b);
    const { jws } = await validEnvelope(a, b, { ...input, body: offerBody(input.referralId, b.id, { needs: ['teleportation'] }) });
    await expectRefused(jws, 422, 'invalid-body');
  });

  it('when the decrypted body is not JSON', async () => {
    const { jws } = await validEnvelope(a, b, { body: undefined });
    await expectRefused(jws, 422, 'invalid-body');
  });

  it('when the body carries data outside the consented categories', async () => {
    const input = sealInput(a, b);
    const body = offerBody(input.referralId, b.id, { client: { situation: { summary: 'x' }, health: { note: 'y' } } });
    const { jws } = await validEnvelope(a, b, { ...input, body });
    // Its own problem type, not invalid-body: the sender can tell which consent rule it broke (tests/consent/consent-coverage.test.ts).
    await expectRefused(jws, 422, 'consent-category-not-covered');
  });

  it('when the body names another referral than the header', async () => {
    const input = sealInput(a, b);
    const { jws } = await validEnvelope(a, b, { ...input, body: offerBody(randomUUID(), b.id) });
    await expectRefused(jws, 422, 'invalid-body');
  });
});

describe('hostile input', () => {
  it('never gets a 5xx and leaves the node running', async () => {
    const inputs = ['', '...', '.'.repeat(5000), 'eyJ9.eyJ9.eyJ9', `${b64u.encode('{"alg":"EdDSA"}')}.${b64u.encode('[]')}.AAAA`, '\u0000\u0001'];
    for (const input of inputs) {
      const response = await post(b, input);
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
    }
    expect((await b.request('/healthz')).status).toBe(200);
  });
});

describe('an envelope whose signature does not verify', () => {
  it('gets the same answer whether its claimed sender is trusted, suspended, revoked, pending or unknown', async () => {
    const states = await createTestNetwork(5, { trust: false });
    try {
      const [receiver, trusted, suspended, revoked, pending] = states.nodes as [TestNode, TestNode, TestNode, TestNode, TestNode];
      const { changePeerState } = await import('../../node/peers/service.js');
      const { trust } = await import('../_util/test-node.js');
      for (const peer of [trusted, suspended, revoked]) await trust(receiver, peer);
      await addPending(receiver, pending);
      await changePeerState(receiver.ctx.database, suspended.id, 'suspend', states.clock.now());
      await changePeerState(receiver.ctx.database, revoked.id, 'revoke', states.clock.now(), undefined, 'other');
      const { key: forger } = await generateSigningKey();
      const answers: string[] = [];
      const claims = [trusted, suspended, revoked, pending].map((n) => ({ id: n.id, from: n }));
      for (const claim of [...claims, { id: 'https://stranger.example.org', from: trusted }]) {
        const referralId = randomUUID();
        const sealed = await sealEnvelope({
          type: 'referral.offer', from: claim.id, to: receiver.id, referralId, seq: 1, createdAt: states.clock.now(),
          body: offerBody(referralId, receiver.id), recipientKey: receiver.ctx.self.encryptionKey.publicJwk, senderKey: claim.from.ctx.self.encryptionKey.publicJwk,
        });
        // Named as the claimed sender's pinned key, and as a key no one pinned: neither verifies.
        for (const kid of [claim.from.ctx.self.signingKey.kid, forger.kid]) {
          const jws = await signEnvelopeAttempt(sealed.payload, { nodeId: claim.id, signingKey: { ...forger, kid } }, states.clock.now());
          const response = await receiver.request('/federation/v1/envelopes', { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
          answers.push(`${response.status} ${JSON.stringify(await response.json())}`);
        }
      }
      expect(new Set(answers).size).toBe(1);
      expect(answers[0]).toMatch(/^403 .*urn:refnet:problem:bad-signature/);
      // Signed by the suspended and the revoked peers themselves, the answers say where they stand.
      const own = async (from: TestNode) => {
        const referralId = randomUUID();
        const sealed = await sealEnvelope({
          type: 'referral.offer', from: from.id, to: receiver.id, referralId, seq: 1, createdAt: states.clock.now(),
          body: offerBody(referralId, receiver.id), recipientKey: receiver.ctx.self.encryptionKey.publicJwk, senderKey: from.ctx.self.encryptionKey.publicJwk,
        });
        const jws = await signEnvelopeAttempt(sealed.payload, { nodeId: from.id, signingKey: from.ctx.self.signingKey }, states.clock.now());
        const response = await receiver.request('/federation/v1/envelopes', { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
        return ((await response.json()) as { type: string }).type;
      };
      expect(await own(suspended)).toBe('urn:refnet:problem:sender-suspended');
      expect(await own(revoked)).toBe('urn:refnet:problem:sender-revoked');
      expect(await own(pending)).toBe('urn:refnet:problem:untrusted-sender');
    } finally {
      await states.close();
    }
  });
});

