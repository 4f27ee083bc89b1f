// Graceful shutdown: a request in flight when shutdown starts still gets its answer, new
// connections are refused, and the database is closed afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { randomUUID } from 'node:crypto';
import { serveNode } from '../../node/node.js';
import { sealEnvelope, signEnvelopeAttempt } from '../../node/envelope/seal.js';
import { createTestNetwork, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let a: TestNode;
let b: TestNode;

beforeAll(async () => {
  net = await createTestNetwork(2);
  [a, b] = net.nodes as [TestNode, TestNode];
});
afterAll(() => net.close());

async function envelopeFromAToB(): Promise<string> {
  const referralId = randomUUID();
  const sealed = await sealEnvelope({
    type: 'referral.offer', from: a.id, to: b.id, referralId, seq: 1, createdAt: net.clock.now(),
    body: {
      referral_id: referralId, needs: ['healthcare'], urgency: 'routine', reason: 'Check-up.', client: {},
      consent: { id: randomUUID(), categories: [], purposes: ['referral'], recipients: [b.id], method: 'written', language: 'en', obtained_by: randomUUID(), obtained_at: '2026-11-20T00:00:00Z', valid_until: '2027-11-20T00:00:00Z' },
    },
    recipientKey: b.ctx.self.encryptionKey.publicJwk, senderKey: a.ctx.self.encryptionKey.publicJwk,
  });
  return signEnvelopeAttempt(sealed.payload, { nodeId: a.id, signingKey: a.ctx.self.signingKey }, net.clock.now());
}

describe('shutdown', () => {
  it('finishes a request in flight, then closes the database', async () => {
    const serving = await serveNode(b, { port: 0, host: '127.0.0.1' });
    const jws = await envelopeFromAToB();
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${serving.url}/federation/v1/envelopes`, { method: 'POST', headers: { 'content-type': 'application/jose' } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.write(jws.slice(0, 100));
      setTimeout(() => req.end(jws.slice(100)), 300);
    });
    await new Promise((r) => setTimeout(r, 100));
    const stopped = serving.shutdown();
    const { status, body } = await answer;
    expect(status).toBe(200);
    expect(JSON.parse(body).receipt).toBeTruthy();
    await stopped;
    await expect(fetch(`${serving.url}/healthz`)).rejects.toThrow();
    await expect(b.ctx.database.db.selectFrom('peers').selectAll().execute()).rejects.toThrow();
  });
});
