// A bundle to verify can be anything someone pasted or uploaded: the verifier says it is not a
// verified log, and never crashes on a value of the wrong shape.
import { describe, expect, it } from 'vitest';
import { verifyAuditBundle } from '../../node/audit-log/verify.js';

const MALFORMED: unknown[] = [
  null, [], 1, 'x', {},
  { witnesses: [null] }, { witnesses: [{ identity: 5 }] },
  { erasure_statements: [null] }, { erasure_statements: [{}] },
  { entries: [null] }, { checkpoints: [null] }, { identity: null }, { erasers: [null] },
];

describe('verifying a malformed bundle', () => {
  it.each(MALFORMED.map((bundle) => [JSON.stringify(bundle), bundle]))('%s is not verified, and nothing throws', async (_, bundle) => {
    const report = await verifyAuditBundle(bundle, { now: new Date() });
    expect(report.ok).toBe(false);
  });
});
