// A serving node runs the expiry rule by itself: an overdue referral expires without anyone
// calling it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveNode } from '../../node/node.js';
import { api, createTestNetwork, referralRequest, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let gr: TestNode;
let at: TestNode;

beforeAll(async () => {
  net = await createTestNetwork(2);
  [gr, at] = net.nodes as [TestNode, TestNode];
});
afterAll(() => net.close());

describe('a serving node', () => {
  it('expires an overdue referral on its own', async () => {
    const replyBy = new Date(net.clock.now().getTime() + 60_000).toISOString();
    const { body } = await api(gr, 'POST', '/api/v1/referrals', { ...referralRequest(at.id), reply_by: replyBy });
    await net.settle();
    net.clock.advance(120_000);
    const serving = await serveNode(at, { port: 0, host: '127.0.0.1' });
    try {
      const deadline = Date.now() + 10_000;
      let state = '';
      while (Date.now() < deadline && state !== 'expired') {
        state = (await at.ctx.database.db.selectFrom('referrals').select('state').where('id', '=', body.id).executeTakeFirstOrThrow()).state;
        if (state !== 'expired') await new Promise((r) => setTimeout(r, 50));
      }
      expect(state).toBe('expired');
    } finally {
      await serving.shutdown();
    }
  });
});
