// An envelope committed in a process whose delivery worker runs goes straight to that worker
// (node/delivery/handover.ts): written leased to it, posted at once without a search, a lease
// statement or its sealed copy read back. One to a peer that is not trusted is not posted and
// waits unleased; a process without a worker writes envelopes unleased, for the worker processes.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutedQuery } from '../../node/db/database.js';
import { createDeliveryWorker, type DeliveryWorker } from '../../node/delivery/worker.js';
import { changePeerState } from '../../node/peers/service.js';
import { withdrawConsent } from '../../node/consents/withdrawal.js';
import { createReferral, getReferralSummary } from '../../node/referrals/service.js';
import { pollUntil } from '../_util/processes.js';
import { adminIdOf, createTestNetwork, referralRequest, sentReferral, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;
const statements: string[] = [];
let worker: DeliveryWorker | undefined;
/** Lets held posts go (a test that fails while holding them must not hang the next). */
let release: (() => void) | undefined;

beforeAll(async () => {
  net = await createTestNetwork(2, { onQuery: (node, query: ExecutedQuery) => node === 0 && statements.push(query.sql) });
  [gr, at] = net.nodes as [TestNode, TestNode];
  // AT has answered once: it is no longer sent one probe at a time.
  await sentReferral(net, gr, at);
});
afterEach(async () => {
  release?.();
  net.gate = undefined;
  await worker?.stop();
  worker = undefined;
});
afterAll(() => net.close());

/** A worker of GR's process whose timer never fires during a test: only commits and attempts make it look for work. */
async function startWorker(role?: 'web'): Promise<DeliveryWorker> {
  statements.length = 0;
  worker = createDeliveryWorker(gr.ctx, { pollMs: 3_600_000, ...(role ? { role } : {}) });
  worker.start();
  // Its first search, once it has registered its process, done: what follows is the test's. (A
  // web process's worker looks for nothing itself.)
  if (role === 'web') return worker;
  await pollUntil(async () => (statements.some((sql) => sql.startsWith('select distinct "peer_id" from "envelopes"')) ? true : undefined), {
    timeoutMs: 60_000, intervalMs: 10, what: 'the worker\'s first search',
  });
  await worker.deliverDueEnvelopes();
  return worker;
}

const envelopeOf = (referralId: string) =>
  gr.ctx.database.db.selectFrom('envelopes').select(['id', 'lease_owner', 'lease_until', 'delivery_state']).where('referral_id', '=', referralId).where('direction', '=', 'outgoing').orderBy('id', 'desc').executeTakeFirstOrThrow();

/** Requests to AT's envelope endpoint wait until released. */
function holdPosts(): { held: () => number; release: () => void } {
  const waiting: Array<() => void> = [];
  net.gate = async (url) => {
    if (url.href.startsWith(`${at.id}/federation/v1/envelopes`)) await new Promise<void>((resolve) => waiting.push(resolve));
  };
  release = () => {
    net.gate = undefined;
    for (const resolve of waiting.splice(0)) resolve();
  };
  return { held: () => waiting.length, release };
}

const isSearchOrLease = (sql: string) => /select distinct "peer_id" from "envelopes"|update "envelopes" set "lease_until"|^select "envelopes"\."id", "envelopes"\."peer_id"/.test(sql);

describe('an envelope handed over at commit', () => {
  it('is written leased to the worker of its process and posted at once, with no search, lease or read of its copy', async () => {
    await startWorker();
    const posts = holdPosts();
    statements.length = 0;
    const { id } = await createReferral(gr.ctx, { userId: await adminIdOf(gr) }, referralRequest(at.id));
    await pollUntil(async () => (posts.held() === 1 ? true : undefined), { timeoutMs: 60_000, intervalMs: 10, what: 'the offer to be posted' });
    // Held at the peer: leased to this process since its insert, still queued.
    const envelope = await envelopeOf(id);
    expect(envelope).toMatchObject({ lease_owner: gr.ctx.instanceId, delivery_state: 'queued' });
    expect(envelope.lease_until! > net.clock.now().toISOString()).toBe(true);
    expect(statements.filter(isSearchOrLease)).toEqual([]);
    expect(statements.some((sql) => /^select "keyring_key_id", "wrapped" from "data_keys"/.test(sql))).toBe(false);
    posts.release();
    await pollUntil(async () => ((await getReferralSummary(gr.ctx, id))?.state === 'delivered' ? true : undefined), { timeoutMs: 60_000, what: 'the offer to be delivered' });
    expect(await envelopeOf(id)).toMatchObject({ lease_owner: null, lease_until: null, delivery_state: 'delivered' });
    expect((await at.ctx.database.db.selectFrom('referrals').select('state').where('id', '=', id).executeTakeFirstOrThrow()).state).toBe('delivered');
  });

  it('to a peer no longer trusted is not posted, and waits unleased until the peer is restored', async () => {
    const { referralId, consentId } = await sentReferral(net, gr, at);
    await changePeerState(gr.ctx.database, at.id, 'suspend', net.clock.now());
    await startWorker();
    let posted = 0;
    net.gate = async (url) => {
      if (url.href.startsWith(`${at.id}/federation/v1/envelopes`)) posted += 1;
    };
    // The withdrawal is queued for the suspended peer, and handed over leased: the worker finds the peer not trusted.
    await withdrawConsent(gr.ctx, { userId: await adminIdOf(gr) }, consentId, {});
    await pollUntil(async () => ((await envelopeOf(referralId)).lease_owner === null ? true : undefined), { timeoutMs: 60_000, intervalMs: 10, what: 'the lease to be released' });
    expect(await envelopeOf(referralId)).toMatchObject({ lease_owner: null, delivery_state: 'queued' });
    expect(posted).toBe(0);
    await changePeerState(gr.ctx.database, at.id, 'restore', net.clock.now());
    await worker!.deliverDueEnvelopes();
    expect(posted).toBe(1);
    expect((await envelopeOf(referralId)).delivery_state).toBe('delivered');
  });

  it('waits unleased when the worker has no room for it, and goes with the peer\'s next search', async () => {
    worker = createDeliveryWorker(gr.ctx, { pollMs: 3_600_000, concurrency: 1 });
    statements.length = 0;
    worker.start();
    await pollUntil(async () => (statements.some((sql) => sql.startsWith('select distinct "peer_id" from "envelopes"')) ? true : undefined), {
      timeoutMs: 60_000, intervalMs: 10, what: 'the worker\'s first search',
    });
    await worker.deliverDueEnvelopes();
    const posts = holdPosts();
    const first = await createReferral(gr.ctx, { userId: await adminIdOf(gr) }, referralRequest(at.id));
    await pollUntil(async () => (posts.held() === 1 ? true : undefined), { timeoutMs: 60_000, intervalMs: 10, what: 'the first offer to be posted' });
    // One in flight, the limit: the second is not posted, and does not keep the lease it was written with.
    const second = await createReferral(gr.ctx, { userId: await adminIdOf(gr) }, referralRequest(at.id));
    await pollUntil(async () => ((await envelopeOf(second.id)).lease_owner === null ? true : undefined), { timeoutMs: 60_000, intervalMs: 10, what: 'the second lease to be released' });
    expect(posts.held()).toBe(1);
    posts.release();
    for (const { id } of [first, second]) {
      await pollUntil(async () => ((await getReferralSummary(gr.ctx, id))?.state === 'delivered' ? true : undefined), { timeoutMs: 60_000, what: 'both offers to be delivered' });
    }
  });

  it('is not leased where the process leaves deliveries to worker processes (serve --role web)', async () => {
    await startWorker('web');
    const { id } = await createReferral(gr.ctx, { userId: await adminIdOf(gr) }, referralRequest(at.id));
    expect(await envelopeOf(id)).toMatchObject({ lease_owner: null, lease_until: null, delivery_state: 'queued' });
    await net.settle();
    expect((await envelopeOf(id)).delivery_state).toBe('delivered');
  });
});
