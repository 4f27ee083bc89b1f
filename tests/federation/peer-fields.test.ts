// No field a peer sends reaches a plaintext column or the audit log as free text (issue 17 item
// 8): a consent's `obtained_by` is a UUID (not a name of up to 100 characters), it names the
// receiver alone as its recipient, and a service token's `jti` is a bounded identifier. Each is
// refused with the existing problem types and changes nothing; what is accepted is what the spec
// allows, and the audit entry holds that and no more.
import { randomUUID } from 'node:crypto';
import { CompactSign } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { utf8 } from '../../node/crypto/encoding.js';
import { sealEnvelope, signEnvelopeAttempt } from '../../node/envelope/seal.js';
import { nowSeconds } from '../../node/context.js';
import { expectMatchesSpec } from '../_util/spec-check.js';
import { expectUnchanged, snapshotDatabase } from '../_util/database-snapshot.js';
import { adminIdOf, createTestNetwork, type Json, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;
let it3: TestNode;

beforeAll(async () => {
  net = await createTestNetwork(3);
  [gr, at, it3] = net.nodes as [TestNode, TestNode, TestNode];
});
afterAll(() => net.close());

async function offerWith(consent: Json): Promise<Response> {
  const referralId = randomUUID();
  const body = {
    referral_id: referralId, needs: ['legal-aid'], urgency: 'routine', reason: 'She asks for a lawyer.', client: { situation: { summary: 'In a shelter.' } },
    consent: {
      id: randomUUID(), categories: ['situation'], purposes: ['referral'], recipients: [at.id], method: 'written', language: 'ro',
      obtained_by: await adminIdOf(gr), obtained_at: net.clock.now().toISOString(), valid_until: new Date(net.clock.now().getTime() + 90 * 86_400_000).toISOString(),
      ...consent,
    },
  };
  const sealed = await sealEnvelope({
    type: 'referral.offer', from: gr.id, to: at.id, referralId, seq: 1, createdAt: net.clock.now(), body,
    recipientKey: at.ctx.self.encryptionKey.publicJwk, senderKey: gr.ctx.self.encryptionKey.publicJwk,
  });
  const jws = await signEnvelopeAttempt(sealed.payload, { nodeId: gr.id, signingKey: gr.ctx.self.signingKey }, net.clock.now());
  return at.request('/federation/v1/envelopes', { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
}

describe('a consent from a peer', () => {
  it('is refused when obtained_by is anything but a lower-case UUID, or it names other recipients; nothing is written', async () => {
    const before = await snapshotDatabase(at);
    for (const bad of [
      { obtained_by: 'Maria Ionescu, social worker' },
      { obtained_by: 'user-1' },
      { obtained_by: randomUUID().toUpperCase() },
      { obtained_by: `urn:uuid:${randomUUID()}` },
      { obtained_by: `${randomUUID()} ` },
      { recipients: [at.id, 'https://ana-popescu-1990.example'] },
      { recipients: [at.id, it3.id] },
      { onward_referral: { allowed: true, recipients: Array.from({ length: 51 }, (_, i) => `https://n${i}.example`) } },
    ]) {
      const response = await offerWith(bad);
      expect(response.status, JSON.stringify(bad)).toBe(422);
      expect(((await expectMatchesSpec('federation', 'POST', '/federation/v1/envelopes', response)) as Json).type).toBe('urn:refnet:problem:invalid-body');
    }
    expectUnchanged(before, await snapshotDatabase(at));
  });

  it('is recorded with the sender user\'s UUID, the receiver as its one recipient, and the audit entry holds no more', async () => {
    const obtainedBy = randomUUID();
    const response = await offerWith({ obtained_by: obtainedBy });
    expect(response.status).toBe(200);
    const entries = await at.ctx.database.db.selectFrom('audit_log').select('entry').where('type', '=', 'consent.recorded').execute();
    const entry = JSON.parse(entries.at(-1)!.entry) as Json;
    expect(entry.obtained_by).toBe(obtainedBy);
    expect(entry.recipients).toEqual([at.id]);
    expect(entry.language).toBe('ro');
  });
});

describe('a service token', () => {
  const token = (jti: string) =>
    new CompactSign(utf8.encode(JSON.stringify({ iss: gr.id, aud: at.id, htm: 'GET', htu: `${at.id}/federation/v1/directory`, iat: nowSeconds(net.clock), exp: nowSeconds(net.clock) + 60, jti })))
      .setProtectedHeader({ alg: 'EdDSA', typ: 'referral-service+jwt', kid: gr.ctx.self.signingKey.kid })
      .sign(gr.ctx.self.signingKey.privateKey);

  it('is refused when its jti is not a bounded identifier, and nothing is kept of it', async () => {
    const before = await snapshotDatabase(at, {});
    for (const jti of ['Ana Popescu, born 1990 in Iași', 'x'.repeat(65), 'short', 'a/b+c=d0123456789']) {
      const response = await at.request('/federation/v1/directory', { headers: { authorization: `Bearer ${await token(jti)}` } });
      expect(response.status, jti).toBe(401);
      expect(((await expectMatchesSpec('federation', 'GET', '/federation/v1/directory', response)) as Json).type).toBe('urn:refnet:problem:malformed-service-token');
    }
    // Compared in full: not even the jtis of the refused tokens are kept.
    expectUnchanged(before, await snapshotDatabase(at, {}));
    const fine = await at.request('/federation/v1/directory', { headers: { authorization: `Bearer ${await token(randomUUID())}` } });
    expect(fine.status).toBe(200);
  });
});
