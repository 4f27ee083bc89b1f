// Two real nodes that have never met: A's administrator makes an invitation with the CLI, B's
// administrator redeems the code with the CLI while both nodes run, and referrals then flow both
// ways, with no fingerprint compared by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, runCli, runCliOk, startNode, type RunningNode } from '../_util/processes.js';
import { referralRequest, sendReferral, waitUntilDelivered } from './referrals.js';

const TIMEOUT = 60_000;

describe('an invitation between two running nodes', () => {
  let a: RunningNode;
  let b: RunningNode;

  beforeAll(async () => {
    [a, b] = await Promise.all([
      startNode({ name: 'Athens Women Support', country: 'GR', languages: ['el', 'en'] }),
      startNode({ name: 'Wien Frauenberatung', country: 'AT', languages: ['de', 'en'] }),
    ]);
  }, 120_000);

  afterAll(async () => {
    await cleanup.run();
  }, 60_000);

  const peersOf = async (node: RunningNode) => ((await (await node.api('/api/v1/peers')).json()) as { items: Array<{ id: string; state: string; fingerprint: string }> }).items;
  const fingerprintOf = async (node: RunningNode) => ((await (await node.api('/api/v1/node')).json()) as { fingerprint: string }).fingerprint;

  it('is made with peer invite, redeemed with peer redeem, and leaves both nodes trusting each other', async () => {
    const { code, id } = JSON.parse((await runCliOk(['peer', 'invite', '--json', '--data', a.dataDir])).stdout) as { code: string; id: string };
    const redeemed = await runCliOk(['peer', 'redeem', code, '--data', b.dataDir]);
    expect(redeemed.stdout).toContain(`Trusted: ${a.name} (GR), ${a.url}`);

    expect(await peersOf(a)).toEqual([expect.objectContaining({ id: b.url, state: 'trusted', fingerprint: await fingerprintOf(b) })]);
    expect(await peersOf(b)).toEqual([expect.objectContaining({ id: a.url, state: 'trusted', fingerprint: await fingerprintOf(a) })]);
    expect((await runCliOk(['peer', 'invitations', '--data', a.dataDir])).stdout).toMatch(new RegExp(`${id}\\s+used\\s`));

    const again = await runCli(['peer', 'redeem', code, '--data', b.dataDir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/refused the invitation: An invitation can be redeemed once/);
  }, TIMEOUT);

  it('lets referrals flow both ways', async () => {
    const toA = await sendReferral(b, referralRequest(a.url));
    const toB = await sendReferral(a, referralRequest(b.url));
    expect((await waitUntilDelivered(b, toA.id)).state).toBe('delivered');
    expect((await waitUntilDelivered(a, toB.id)).state).toBe('delivered');
  }, TIMEOUT);
});
