// The whole-database snapshot the refusal tests compare (tests/_util/database-snapshot.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNetwork, type TestNetwork } from '../_util/test-node.js';
import { diffSnapshots, expectUnchanged, snapshotDatabase } from '../_util/database-snapshot.js';

describe('database snapshot', () => {
  let net: TestNetwork;
  beforeAll(async () => {
    net = await createTestNetwork(1, { trust: false });
  });
  afterAll(async () => net.close());

  it('reads the same rows through the node and through a connection of its own', async () => {
    const [node] = net.nodes;
    const viaNode = await snapshotDatabase(node!);
    const viaFolder = await snapshotDatabase(node!.dataDir);
    expect(viaFolder).toEqual(viaNode);
    expect(Object.keys(viaNode)).toContain('audit_log');
    expect(Object.keys(viaNode)).not.toContain('sign_in_limits');
    expect(viaNode.users!.length).toBe(1);
  });

  it('names the rows that changed, and leaves out only what a refused request may change', async () => {
    const [node] = net.nodes;
    const { db } = node!.ctx.database;
    const before = await snapshotDatabase(node!);
    await db.updateTable('api_tokens').set({ last_used_at: '2000-01-01T00:00:00.000Z' }).execute();
    expectUnchanged(before, await snapshotDatabase(node!));
    await db.updateTable('node_settings').set({ contact: 'changed@example.org' }).execute();
    const after = await snapshotDatabase(node!);
    const diff = diffSnapshots(before, after);
    expect(diff[0]).toBe('table node_settings:');
    expect(diff.filter((line) => line.startsWith('  - ')).length).toBe(1);
    expect(diff.filter((line) => line.startsWith('  + ')).length).toBe(1);
    expect(diff.join('\n')).toContain('changed@example.org');
    expect(() => expectUnchanged(before, after, 'the test')).toThrow(/changed by the test:\ntable node_settings:/);
  });
});
