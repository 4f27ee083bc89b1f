// The "Problem types" section of spec/federation.yaml is the one place an implementer reads what
// each refusal means: it must list every name of ProblemType once, with the status the node
// answers it with, and mark "no" (not retried) exactly the envelope refusals the node's outbox
// takes as final.
import { describe, expect, it } from 'vitest';
import { FINAL_PROBLEMS } from '../../node/delivery/worker.js';
import { envelopeProblems } from '../../node/envelope/problems.js';
import { logProblems } from '../../node/audit-log/problems.js';
import { invitationProblems } from '../../node/peers/invitation-problems.js';
import { serviceTokenProblems } from '../../node/peers/service-token.js';
import { keyRevocationProblems } from '../../node/peers/key-revocation.js';
import { requestProblems } from '../../node/http/server.js';
import type { ProblemCatalogue } from '../../node/errors.js';
import { loadSpec } from '../../node/schema/validators.js';

interface Row {
  status: number;
  retried: string;
}

const spec = loadSpec('federation') as { info: { description: string }; components: { schemas: { ProblemType: { enum: string[] } } } };
const section = spec.info.description.split('## Problem types')[1]!.split('\n## ')[0]!;
const rows = new Map<string, Row>();
for (const line of section.split('\n')) {
  const match = /^\| `([a-z-]+)` \| (\d{3}) \| .+ \| (.+) \|$/.exec(line.trim());
  if (match) rows.set(match[1]!, { status: Number(match[2]), retried: match[3]! });
}
const names = spec.components.schemas.ProblemType.enum.map((type) => type.replace('urn:refnet:problem:', ''));

describe('the problem types section of federation.yaml', () => {
  it('lists every problem type of ProblemType once, and nothing else', () => {
    const listed = section.split('\n').filter((line) => line.trim().startsWith('| `'));
    expect(listed).toHaveLength(rows.size);
    expect([...rows.keys()].sort()).toEqual([...names].sort());
  });

  it('gives each the status the node answers it with', () => {
    const catalogues: ProblemCatalogue[] = [envelopeProblems, logProblems, invitationProblems, serviceTokenProblems, keyRevocationProblems, requestProblems];
    let compared = 0;
    for (const catalogue of catalogues) {
      for (const [name, [status]] of Object.entries(catalogue)) {
        const row = rows.get(name);
        if (!row) continue; // a problem of the local API only (e.g. an invitation code refused on the redeeming side)
        expect(row.status, name).toBe(status);
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(45);
  });

  it('marks "no" exactly the envelope refusals the sender takes as final', () => {
    const envelopeNames = Object.keys(envelopeProblems);
    const final = envelopeNames.filter((name) => rows.get(name)!.retried === 'no');
    expect(final.sort()).toEqual([...FINAL_PROBLEMS].map((type) => type.replace('urn:refnet:problem:', '')).sort());
  });
});
