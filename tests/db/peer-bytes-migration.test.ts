// Migration 026 fills referrals.peer_bytes for the messages received before it: from the stored
// copies, a little above what the node counts for a message from then on (its JWS), never below.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { fillPeerBytes } from '../../node/db/migrations/026-peer-bytes.js';
import { createTestNetwork, sentReferral, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;

beforeAll(async () => {
  net = await createTestNetwork(2);
  [gr, at] = net.nodes as [TestNode, TestNode];
});
afterAll(() => net.close());

const bytesOf = async () =>
  Object.fromEntries((await at.ctx.database.db.selectFrom('referrals').select(['id', 'peer_bytes']).execute()).map((r) => [r.id, Number(r.peer_bytes)]));

describe('migration 026', () => {
  it('fills each referral\'s bytes from the copies of the peer\'s messages kept', async () => {
    const { referralId } = await sentReferral(net, gr, at);
    const counted = await bytesOf();
    expect(counted[referralId]).toBeGreaterThan(1000);
    await at.ctx.database.db.updateTable('referrals').set({ peer_bytes: 0 }).execute();
    await fillPeerBytes(at.ctx.database.db as unknown as Kysely<unknown>);
    const filled = await bytesOf();
    expect(filled[referralId]).toBeGreaterThanOrEqual(counted[referralId]!);
    expect(filled[referralId]).toBeLessThan(counted[referralId]! * 1.5);
  });
});
