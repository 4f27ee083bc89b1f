// Whom a node trusts is not told to anyone who cannot sign as that organisation (issue 17 item 3),
// against a real node process: envelopes and service tokens forged in the name of a real node, one
// that the attacked node does not know, holds as pending, trusts, has suspended and has revoked
// (each state made with the CLI, as an administrator would), and in the name of a node that does
// not exist, all get the same answer: 403 bad-signature, byte for byte. (Signed by the peer's own
// key, an envelope is told where the peer stands, the distinct answers its outbox needs:
// tests/federation/envelopes.test.ts.)
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealEnvelope, signEnvelopeAttempt } from '../../node/envelope/seal.js';
import { generateSigningKey, type SigningKey } from '../../node/identity/keys.js';
import { verifyIdentityDocument, type VerifiedIdentity } from '../../node/identity/document.js';
import { createServiceToken } from '../../node/peers/service-token.js';
import { cleanup, runCliOk, startNode, type RunningNode } from '../_util/processes.js';
import { readStoredRows } from '../_util/database.js';

let target: RunningNode;
let partner: RunningNode;
let forger: SigningKey;

async function identityOf(node: RunningNode): Promise<VerifiedIdentity> {
  const jws = (await (await fetch(`${node.url}/.well-known/referral-node`)).text()).trim();
  const verified = await verifyIdentityDocument(jws, Math.floor(Date.now() / 1000), node.url);
  if (!verified.ok) throw new Error(verified.reason);
  return verified.identity;
}

beforeAll(async () => {
  [target, partner] = await Promise.all([
    startNode({ name: 'Attacked', country: 'AT', languages: ['en'] }),
    startNode({ name: 'Partner', country: 'IT', languages: ['en'] }),
  ]);
  forger = (await generateSigningKey()).key;
}, 240_000);
afterAll(() => cleanup.run());

/** An offer to the target in `claimed`'s name, sealed as `claimed` would seal it, signed with `key`. */
async function envelopeAs(claimed: string, senderKeys: VerifiedIdentity, key: SigningKey): Promise<string> {
  const targetKeys = await identityOf(target);
  const referralId = randomUUID();
  const now = new Date();
  const sealed = await sealEnvelope({
    type: 'referral.offer', from: claimed, to: target.url, referralId, seq: 1, createdAt: now,
    body: {
      referral_id: referralId, needs: ['legal-aid-residence'], urgency: 'urgent', reason: 'Forged.', client: { situation: { summary: 'Forged.' } },
      consent: {
        id: randomUUID(), categories: ['situation'], purposes: ['referral'], recipients: [target.url], method: 'written', language: 'ro',
        obtained_by: randomUUID(), obtained_at: '2026-11-20T09:00:00Z', valid_until: '2099-05-20T09:00:00Z',
      },
    },
    recipientKey: targetKeys.encryptionKey, senderKey: senderKeys.encryptionKey,
  });
  return signEnvelopeAttempt(sealed.payload, { nodeId: claimed, signingKey: key }, now);
}

/** What the target answers to forgeries in `claimed`'s name: an envelope and a service token, each under the claimed node's key id and under a key id no one pinned. */
async function answersToForgeries(claimed: string, claimedKeys: VerifiedIdentity): Promise<string[]> {
  const answers: string[] = [];
  for (const kid of [claimedKeys.signingKey.kid!, forger.kid]) {
    const key = { ...forger, kid };
    const envelope = await fetch(`${target.url}/federation/v1/envelopes`, {
      method: 'POST', headers: { 'content-type': 'application/jose' }, body: await envelopeAs(claimed, claimedKeys, key),
    });
    answers.push(`envelope ${envelope.status} ${envelope.headers.get('content-type')} ${await envelope.text()}`);
    const token = await createServiceToken({ nodeId: claimed, signingKey: key }, { aud: target.url, method: 'GET', path: '/federation/v1/directory' }, Math.floor(Date.now() / 1000));
    const directory = await fetch(`${target.url}/federation/v1/directory`, { headers: { authorization: `Bearer ${token}` } });
    answers.push(`token ${directory.status} ${directory.headers.get('content-type')} ${await directory.text()}`);
  }
  return answers;
}

const cli = (...args: string[]) => runCliOk([...args, '--data', target.dataDir]);

describe('requests forged in the name of a real node', () => {
  it('get the same answer whether the target does not know it, holds it pending, trusts, suspended or revoked it, and nothing is kept', async () => {
    const partnerKeys = await identityOf(partner);
    const byState = new Map<string, string[]>();
    byState.set('unknown', await answersToForgeries(partner.url, partnerKeys));
    byState.set('no such node', await answersToForgeries('https://no-such-node.example.org', partnerKeys));
    await cli('peer', 'add', partner.url);
    byState.set('pending', await answersToForgeries(partner.url, partnerKeys));
    await cli('peer', 'trust', partner.url);
    byState.set('trusted', await answersToForgeries(partner.url, partnerKeys));
    await cli('peer', 'suspend', partner.url);
    byState.set('suspended', await answersToForgeries(partner.url, partnerKeys));

    await cli('peer', 'revoke', partner.url, '--reason', 'other');
    byState.set('revoked', await answersToForgeries(partner.url, partnerKeys));

    const answers = [...byState.values()].flat();
    const envelopeAnswers = new Set(answers.filter((a) => a.startsWith('envelope ')));
    const tokenAnswers = new Set(answers.filter((a) => a.startsWith('token ')));
    expect([...envelopeAnswers]).toHaveLength(1);
    expect([...tokenAnswers]).toHaveLength(1);
    expect([...envelopeAnswers][0]).toMatch(/^envelope 403 application\/problem\+json .*urn:refnet:problem:bad-signature/);
    expect([...tokenAnswers][0]).toMatch(/^token 403 application\/problem\+json .*urn:refnet:problem:bad-signature/);
    // Nothing a forgery sent was kept.
    expect(Number((await readStoredRows(target.dataDir, 'select count(*) as n from referrals'))[0]!.n)).toBe(0);
    expect(Number((await readStoredRows(target.dataDir, "select count(*) as n from envelopes where direction = 'incoming'"))[0]!.n)).toBe(0);
  });
});

