// A peer whose requests verify is held to its requests per minute (issue 17 item 1,
// REFERRAL_NODE_LIMIT_PEER_PER_MINUTE): beyond them 429 with Retry-After and `rate-limited`, and
// nothing written. An envelope posted again (which the node answers with the receipt it gave
// before) counts like any other request: its signature is checked each time. Another peer is
// served as before; the sender's outbox keeps what was refused and posts it again once Retry-After
// has passed, not before. (tests/security/abuse.test.ts: the refusal between two real nodes.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelopeToDeliver } from '../../node/delivery/outbox.js';
import { signEnvelopeAttempt } from '../../node/envelope/seal.js';
import { createReferral } from '../../node/referrals/service.js';
import { createRequestLimiters } from '../../node/net/rate-limits.js';
import { readStoredRows } from '../_util/database.js';
import { adminIdOf, api, createTestNetwork, referralRequest, type TestNetwork, type TestNode } from '../_util/test-node.js';

const LIMIT = 3;
let net: TestNetwork;
let receiver: TestNode;
let gr: TestNode;
let it3: TestNode;

beforeAll(async () => {
  net = await createTestNetwork(3, { requestLimits: { peerPerMinute: LIMIT } });
  [receiver, gr, it3] = net.nodes as [TestNode, TestNode, TestNode];
  for (const node of net.nodes) await node.delivery.stop();
});
afterAll(() => net.close());

/** An offer from `from` to the receiver, queued but not posted, signed as its worker would sign an attempt. */
async function signedOffer(from: TestNode): Promise<string> {
  net.unreachable.add(receiver.id);
  try {
    const { id } = await createReferral(from.ctx, { userId: await adminIdOf(from) }, referralRequest(receiver.id));
    const queued = await from.ctx.database.db.selectFrom('envelopes').select('id').where('referral_id', '=', id).where('direction', '=', 'outgoing').executeTakeFirstOrThrow();
    const envelope = await envelopeToDeliver(from.ctx.database.db, from.ctx.dataKeys, queued.id);
    return await signEnvelopeAttempt(envelope.payload, { nodeId: from.ctx.self.nodeId, signingKey: from.ctx.self.signingKey }, net.clock.now());
  } finally {
    net.unreachable.delete(receiver.id);
  }
}

const post = (jws: string) => receiver.request('/federation/v1/envelopes', { method: 'POST', headers: { 'content-type': 'application/jose' }, body: jws });
const referralCount = async () => Number((await readStoredRows(receiver.dataDir, 'select count(*) as n from referrals'))[0]!.n);

describe('a peer beyond its requests per minute', () => {
  it('is refused with 429 rate-limited and Retry-After, its envelopes posted again counted too, and nothing stored', async () => {
    const first = await signedOffer(gr);
    const second = await signedOffer(gr);
    const answers: Response[] = [];
    // The first accepted, then the same envelope again: answered with its receipt, and counted.
    for (let i = 0; i < LIMIT; i++) answers.push(await post(first));
    expect(answers.map((r) => r.status)).toEqual(Array(LIMIT).fill(200));
    const receipts = await Promise.all(answers.map(async (r) => ((await r.json()) as { receipt: string }).receipt));
    expect(new Set(receipts).size).toBe(1);
    const before = await referralCount();

    const refused = await post(second);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as { type: string }).type).toBe('urn:refnet:problem:rate-limited');
    // Refused again, and the duplicate too: the peer is out of its minute's requests.
    expect((await post(first)).status).toBe(429);
    expect(await referralCount()).toBe(before);

    // Another peer has points of its own.
    expect((await post(await signedOffer(it3))).status).toBe(200);
    expect(await referralCount()).toBe(before + 1);
  });

  it('is kept by the sender and posted again once Retry-After has passed, not before', async () => {
    const limited = await createTestNetwork(2, { requestLimits: { peerPerMinute: 2 } });
    try {
      const [sender, target] = limited.nodes as [TestNode, TestNode];
      const ids: string[] = [];
      for (let i = 0; i < 4; i++) ids.push((await api(sender, 'POST', '/api/v1/referrals', referralRequest(target.id))).body.id as string);
      await limited.settle();
      const outgoing = () => sender.ctx.database.db.selectFrom('envelopes').select(['referral_id', 'delivery_state', 'last_error', 'next_attempt_at']).where('direction', '=', 'outgoing').execute();
      const refused = (await outgoing()).filter((e) => e.last_error?.startsWith('429 urn:refnet:problem:rate-limited'));
      expect(refused.length).toBeGreaterThan(0);
      for (const envelope of refused) {
        expect(envelope.delivery_state).toBe('queued');
        // Retry-After (the rest of the receiver's minute), not the first step of the backoff (1 to 2 s).
        expect(Date.parse(envelope.next_attempt_at!) - limited.clock.now().getTime()).toBeGreaterThan(10_000);
      }
      // The receiver's minute is over (its limiter counts real time; the test's clock moves by hand).
      (target.ctx.throttles as { requests: unknown }).requests = createRequestLimiters();
      // Not due yet: nothing is posted before Retry-After.
      await limited.settle();
      expect((await outgoing()).filter((e) => e.delivery_state === 'delivered')).toHaveLength(ids.length - refused.length);
      limited.clock.advance(61_000);
      await limited.settle();
      expect((await outgoing()).map((e) => e.delivery_state)).toEqual(ids.map(() => 'delivered'));
    } finally {
      await limited.close();
    }
  });
});
