// The demo is ready only once an auditor would find each node's log verified: every node has
// signed a checkpoint and at least one of its peers has cosigned it. Before that, `audit verify`
// says "not yet witnessed", which is true but not what a first look at the demo should show.
import type { components } from '../../spec/generated/local.js';
import type { DemoNode } from './credentials.js';
import { DemoError } from './errors.js';
import { callLocalApi, expectStatus } from './referrals.js';

type AuditVerification = components['schemas']['AuditVerification'];

/** How often the demo's nodes sign a checkpoint and ask their witnesses (a node's default is 60). */
export const DEMO_CHECKPOINT_SECONDS = '10';

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Polls each node's own verification until it passes; a failed one stops the demo at once, saying why. */
export async function waitUntilWitnessed(nodes: readonly DemoNode[], timeoutMs: number): Promise<void> {
  const waiting = new Map(nodes.map((node) => [node.key, { node, last: 'not checked yet' }]));
  const deadline = Date.now() + timeoutMs;
  while (waiting.size > 0) {
    for (const [key, entry] of waiting) {
      const report = await expectStatus<AuditVerification>(
        await callLocalApi(entry.node, 'GET', '/api/v1/audit/verification', undefined, 'admin'),
        200,
        `Verifying the audit log of the ${key} node`,
      );
      if (report.status === 'failed') throw new DemoError(`The audit log of the ${key} node does not verify: ${describeFindings(report)}`);
      if (report.status === 'passed') waiting.delete(key);
      else entry.last = report.warnings.map((w) => w.message).join(' ');
    }
    if (waiting.size === 0) return;
    if (Date.now() >= deadline) {
      const lines = [...waiting.entries()].map(([key, { last }]) => `  ${key}: ${last}`);
      throw new DemoError(`Not every node's audit log was witnessed within ${timeoutMs / 1000} s:\n${lines.join('\n')}`);
    }
    await sleep(500);
  }
}

function describeFindings(report: AuditVerification): string {
  const messages = [
    ...report.integrity.findings.map((f) => f.message),
    ...report.erasures.findings.map((f) => f.message),
    ...report.consent.findings.map((f) => f.detail),
  ];
  return messages.slice(0, 5).join(' ');
}
