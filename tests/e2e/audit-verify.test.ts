// Two real nodes that witness each other: a referral, its consent withdrawn, the erasure
// confirmed; then an auditor checks each node's log over the network with `audit verify --url`,
// and the CLI's exit status says whether it passed.
import { redirectingServer } from '../_util/redirecting-server.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, pollUntil, runCli, runCliOk, startNode, trustEachOther, type RunningNode } from '../_util/processes.js';
import { getReferral, referralRequest, sendReferral } from './referrals.js';

describe('an auditor verifying a running node', () => {
  let a: RunningNode;
  let b: RunningNode;
  let auditorToken: string;

  beforeAll(async () => {
    // Checkpoints every second, so the test need not wait a minute for them.
    const env = { REFERRAL_NODE_CHECKPOINT_SECONDS: '1' };
    [a, b] = await Promise.all([
      startNode({ name: 'Athens Women Support', country: 'GR', languages: ['el', 'en'], env }),
      startNode({ name: 'Wien Frauenberatung', country: 'AT', languages: ['de', 'en'], env }),
    ]);
    await trustEachOther(a, b);
    await runCliOk(['user', 'add', 'ines', '--role', 'auditor', '--data', a.dataDir]);
    auditorToken = (await runCliOk(['token', 'create', '--user', 'ines', '--label', 'audit', '--data', a.dataDir])).stdout.trim();
  }, 120_000);
  afterAll(() => cleanup.run(), 60_000);

  it('passes after a withdrawal whose erasure was confirmed, with cosignatures from the peer', async () => {
    const sent = await sendReferral(a, referralRequest(b.url));
    const consentId = (await pollUntil(async () => {
      const detail = await getReferral(a, sent.id);
      return detail.state === 'delivered' ? detail.consent_id : undefined;
    })) as string;
    await runCliOk(['consent', 'withdraw', consentId, '--user', 'admin', '--data', a.dataDir]);
    await pollUntil(async () => ((await getReferral(a, sent.id)).erasures?.[0]?.status === 'confirmed' ? true : undefined), { timeoutMs: 30_000 });

    const report = await pollUntil(
      async () => {
        const result = await runCli(['audit', 'verify', '--url', a.url, '--json'], { env: { REFERRAL_NODE_TOKEN: auditorToken } });
        const parsed = JSON.parse(result.stdout) as { ok: boolean; unsigned_entries: number; integrity: { counts: { cosignatures: number } } };
        // Wait for a checkpoint after the erasure, cosigned by the peer.
        return parsed.ok && parsed.integrity.counts.cosignatures > 0 && result.code === 0 ? parsed : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 1_000, what: 'a verified, cosigned log' },
    );
    expect(report.ok).toBe(true);

    // Each verification is an auditor's read, which is logged, so a checkpoint newer than the one
    // just verified may not be cosigned yet: wait for a run that finds the latest one cosigned.
    const human = await pollUntil(
      async () => {
        const result = await runCli(['audit', 'verify', '--url', a.url, '--token', auditorToken]);
        return result.code === 0 ? result : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 1_000, what: 'a human-readable verification that passes' },
    );
    expect(human.stdout).toMatch(/^PASSED: audit log of http:\/\/127\.0\.0\.1:\d+ \(signing key [A-Z2-7-]+\)/);
    expect(human.stdout).toMatch(/1 disclosures, 1 withdrawals; 0 problem\(s\), 0 erasure\(s\) pending/);
  }, 90_000);

  it('fails with exit status 1 and a plain sentence when the node refuses the token', async () => {
    const result = await runCli(['audit', 'verify', '--url', a.url, '--token', a.token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^referral-node: .*refused the token \(401\)/m);
  });

  it('follows no redirect: the token goes to the URL given and nowhere else', async () => {
    const redirecting = await redirectingServer();
    try {
      const result = await runCli(['audit', 'verify', '--url', `http://127.0.0.1:${redirecting.port}`, '--token', a.token]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^referral-node: .*answered with a redirect \(302\), which is not followed/m);
      expect(redirecting.requests).toEqual(['GET /api/v1/audit/bundle']);
    } finally {
      await redirecting.close();
    }
  });
});
