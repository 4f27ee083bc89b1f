// A serving node signs checkpoints of its grown log and gets them cosigned by itself, every
// REFERRAL_NODE_CHECKPOINT_SECONDS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../../node/config/config.js';
import { serveNode } from '../../node/node.js';
import { logSize } from '../../node/audit-log/tree-store.js';
import { createTestNetwork, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { appendEvents } from './_log-helpers.js';

let net: TestNetwork;
let a: TestNode;
let b: TestNode;

beforeAll(async () => {
  net = await createTestNetwork(2);
  [a, b] = net.nodes as [TestNode, TestNode];
});
afterAll(() => net.close());

async function waitFor(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('a serving node', () => {
  it('signs a checkpoint when its log has grown and has it cosigned, on its own', async () => {
    await appendEvents(a, 3);
    const serving = await serveNode({ ...a, checkpointEveryMs: 50 }, { port: 0, host: '127.0.0.1' });
    try {
      const { db } = a.ctx.database;
      await waitFor(async () => (await db.selectFrom('cosignatures').selectAll().execute()).length > 0);
      const [first] = await db.selectFrom('checkpoints').select('size').execute();
      expect(first!.size).toBeGreaterThanOrEqual(3);
      expect(first!.size).toBeLessThanOrEqual(await logSize(db));
      await appendEvents(a, 2);
      await waitFor(async () => (await db.selectFrom('cosignatures').select('checkpoint_size').where('checkpoint_size', '>=', first!.size + 2).execute()).length > 0);
      expect((await db.selectFrom('cosignatures').select('witness_id').distinct().execute()).map((r) => r.witness_id)).toEqual([b.id]);
    } finally {
      await serving.shutdown();
    }
  });
});

describe('REFERRAL_NODE_CHECKPOINT_SECONDS', () => {
  it('defaults to 60 and takes whole seconds from 1 to a day', () => {
    expect(resolveConfig({ data: '/tmp/x' }, {}).checkpointSeconds).toBe(60);
    expect(resolveConfig({ data: '/tmp/x' }, { checkpointSeconds: '5' }).checkpointSeconds).toBe(5);
    for (const bad of ['0', '1.5', 'soon', '86401']) {
      expect(() => resolveConfig({ data: '/tmp/x' }, { checkpointSeconds: bad })).toThrow(ConfigError);
    }
  });
});
