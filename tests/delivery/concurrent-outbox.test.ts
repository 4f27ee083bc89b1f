// The outbox served concurrently (node/delivery/worker.ts): several envelopes in flight to a peer
// up to the limit, never two of one referral at once, and a peer that does not answer delays no
// other peer's deliveries, nor a message committed while it hangs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b64u, utf8 } from '../../node/crypto/encoding.js';
import { DEFAULTS } from '../../node/config/config.js';
import { createReferral, getReferralSummary } from '../../node/referrals/service.js';
import { pollUntil } from '../_util/processes.js';
import { adminIdOf, createTestNetwork, referralRequest, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;
let it3: TestNode;
/** The statements GR runs while `counting`. */
let counting = false;
let statements = 0;

beforeAll(async () => {
  net = await createTestNetwork(3, { onQuery: (node) => counting && node === 0 && (statements += 1) });
  [gr, at, it3] = net.nodes as [TestNode, TestNode, TestNode];
});
afterAll(async () => {
  net.gate = undefined;
  await net.close();
});


async function send(to: TestNode): Promise<string> {
  return (await createReferral(gr.ctx, { userId: await adminIdOf(gr) }, referralRequest(to.id))).id;
}

/** The referral an envelope posted in `init` belongs to (from the header inside the signed payload). */
function referralOf(init: RequestInit | undefined): string {
  const payload = JSON.parse(utf8.decode(b64u.decode(String(init?.body).split('.')[1]!))) as { header: string };
  return (JSON.parse(utf8.decode(b64u.decode(payload.header))) as { referral_id: string }).referral_id;
}

/** Requests to `peer` wait at the gate until released; the gate counts them. */
function holdRequestsTo(peer: TestNode) {
  const waiting: Array<() => void> = [];
  const inFlight = new Map<string, number>();
  const state = { held: 0, most: 0, sameReferralAtOnce: false, waiting };
  net.gate = async (url, init) => {
    if (!url.href.startsWith(`${peer.id}/federation/v1/envelopes`)) return;
    const referral = referralOf(init);
    if ((inFlight.get(referral) ?? 0) > 0) state.sameReferralAtOnce = true;
    inFlight.set(referral, (inFlight.get(referral) ?? 0) + 1);
    state.held += 1;
    state.most = Math.max(state.most, state.held);
    try {
      await new Promise<void>((resolve, reject) => {
        waiting.push(resolve);
        init?.signal?.addEventListener('abort', () => reject(init.signal!.reason), { once: true });
      });
    } finally {
      state.held -= 1;
      inFlight.set(referral, inFlight.get(referral)! - 1);
    }
  };
  return state;
}

describe('the concurrent outbox', () => {
  it('posts up to the limit of envelopes to a peer at once, never two of one referral', async () => {
    // A first referral, delivered: AT has answered, so it is no longer sent one probe at a time.
    await send(at);
    await net.settle();
    const gate = holdRequestsTo(at);
    const referrals: string[] = [];
    for (let i = 0; i < DEFAULTS.deliveryConcurrency + 4; i++) referrals.push(await send(at));
    const run = gr.delivery.deliverDueEnvelopes();
    await pollUntil(async () => (gate.held === DEFAULTS.deliveryConcurrency ? true : undefined), { timeoutMs: 60_000, intervalMs: 20, what: 'the peer to hold the limit' });
    // Released one by one: each release lets the next waiting envelope go.
    let finished = false;
    void run.then(() => (finished = true));
    while (!finished) {
      gate.waiting.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    net.gate = undefined;
    expect(await run).toBe(referrals.length);
    expect(gate.most).toBe(DEFAULTS.deliveryConcurrency);
    expect(gate.sameReferralAtOnce).toBe(false);
    for (const id of referrals) expect((await getReferralSummary(gr.ctx, id))?.state).toBe('delivered');
  });

  it('delivers to the other peers, and a message committed meanwhile, while one peer does not answer', async () => {
    await send(it3);
    await net.settle();
    const silent = holdRequestsTo(it3);
    const toItaly = await send(it3);
    gr.delivery.kick();
    await pollUntil(async () => (silent.held === 1 ? true : undefined), { timeoutMs: 60_000, intervalMs: 20, what: 'the attempt to Italy to hang' });

    // Committed while the attempt to Italy hangs: it leaves at once.
    const toAustria = await send(at);
    gr.delivery.kick();
    await pollUntil(async () => ((await getReferralSummary(gr.ctx, toAustria))?.state === 'delivered' ? true : undefined), {
      timeoutMs: 60_000,
      what: 'the referral to Austria to be delivered',
    });
    expect(silent.held).toBe(1);
    expect((await getReferralSummary(gr.ctx, toItaly))?.state).toBe('sent');

    // Italy answers again: its referral goes too.
    net.gate = undefined;
    silent.waiting.shift()?.();
    await net.settle();
    expect((await getReferralSummary(gr.ctx, toItaly))?.state).toBe('delivered');
  });

  it('leaves an envelope whose attempt broke on our side alone until its lease runs out, instead of trying it again in a loop', async () => {
    const id = await send(at);
    const [envelope] = await gr.ctx.database.db.selectFrom('envelopes').select('id').where('referral_id', '=', id).execute();
    // Its data key gone (as if the database were damaged): opening the copy to post it throws.
    await gr.ctx.database.db.deleteFrom('data_keys').where('id', '=', `envelope:${envelope!.id}`).execute();
    const failures = () => gr.logs().split('\n').filter((line) => line.includes('delivery attempt failed') && line.includes(envelope!.id)).length;
    await gr.delivery.deliverDueEnvelopes();
    await gr.delivery.deliverDueEnvelopes();
    expect(failures()).toBe(1);
    expect((await getReferralSummary(gr.ctx, id))?.delivery?.state).toBe('queued');
    // Out of the way of the tests after it.
    await gr.ctx.database.db.updateTable('envelopes').set({ delivery_state: 'failed' }).where('id', '=', envelope!.id).execute();
  });

  it('asks only the peers that have something due: finding work costs the same with 300 peers as with 3', async () => {
    const lookFor = async () => {
      statements = 0;
      counting = true;
      await gr.delivery.deliverDueEnvelopes();
      counting = false;
      return statements;
    };
    await send(at);
    const withFew = await lookFor();
    await gr.ctx.database.transaction(async (tx) => {
      for (let p = 0; p < 300; p++) {
        const when = net.clock.now().toISOString();
        await tx
          .insertInto('peers')
          .values({
            id: `https://peer-${p}.example.org`, name: `Organisation ${p}`, country: 'GR', languages: '["en"]', contact: null, state: 'trusted',
            signing_kid: `kid-${p}`, signing_jwk: '{}', encryption_kid: `enc-${p}`, encryption_jwk: '{}', identity_jws: '', added_at: when, trusted_at: when, updated_at: when,
          })
          .execute();
      }
    });
    await send(at);
    expect(await lookFor()).toBe(withFew);
  });
});
