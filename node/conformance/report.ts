// The kit's findings: one result per check (pass, fail or skip, what was checked, the part of
// spec/federation.yaml it rests on, and for a failure what was expected and what came), printed
// one line each with a summary, or as one JSON document.
export type Verdict = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  id: string;
  result: Verdict;
  what: string;
  /** Where in spec/federation.yaml the rule is, e.g. `federation.yaml § Service tokens`. */
  spec: string;
  /** For a failure, what was expected and what came; for a skip, why. */
  detail?: string;
}

export interface Summary {
  passed: number;
  failed: number;
  skipped: number;
}

/** Where each check is written down, so that every reference reads alike. */
export const SPEC = {
  conventions: 'federation.yaml § Conventions',
  keys: 'federation.yaml § Keys',
  identity: 'federation.yaml § Identity document',
  identityOp: 'federation.yaml paths./.well-known/referral-node',
  identityClaims: 'federation.yaml #/components/schemas/IdentityClaims',
  historicalKeys: 'federation.yaml paths./federation/v1/historical-keys',
  tokens: 'federation.yaml § Service tokens',
  sending: 'federation.yaml § Envelope construction (sender)',
  construction: (step: number) => `federation.yaml § Envelope construction (sender) ${step}`,
  verification: (step: number) => `federation.yaml § Envelope verification (receiver) ${step}`,
  receipt: 'federation.yaml § Receipt',
  lifecycle: 'federation.yaml #/components/schemas/MessageType (Referral lifecycle)',
  erasure: 'federation.yaml #/components/schemas/MessageType (Consent withdrawal and erasure)',
  handover: 'federation.yaml #/components/schemas/MessageType (The receiver\'s caseworker and case reference)',
  order: 'federation.yaml #/components/schemas/MessageType (Order)',
  messageTypes: 'federation.yaml #/components/schemas/MessageType',
  consent: 'federation.yaml #/components/schemas/ConsentRecord',
  erasureStatement: 'federation.yaml #/components/schemas/ErasureStatementClaims',
  directory: 'federation.yaml paths./federation/v1/directory',
  log: 'federation.yaml § Audit log, checkpoints and witnessing',
  logOp: (path: string) => `federation.yaml paths./federation/v1/log/${path}`,
  witness: 'federation.yaml paths./federation/v1/witness/add-checkpoint',
  problems: 'federation.yaml #/components/schemas/ProblemType',
} as const;

/** The results as they are found, in order. */
export class Findings {
  readonly results: CheckResult[] = [];

  pass(id: string, what: string, spec: string): void {
    this.results.push({ id, result: 'pass', what, spec });
  }

  fail(id: string, what: string, spec: string, detail: string): void {
    this.results.push({ id, result: 'fail', what, spec, detail });
  }

  skip(id: string, what: string, spec: string, why: string): void {
    this.results.push({ id, result: 'skip', what, spec, detail: why });
  }

  /** Passes when nothing is wrong, fails with every problem found. */
  expect(id: string, what: string, spec: string, problems: ReadonlyArray<string | undefined>): boolean {
    const found = problems.filter((p): p is string => Boolean(p));
    if (found.length === 0) this.pass(id, what, spec);
    else this.fail(id, what, spec, found.join('; '));
    return found.length === 0;
  }

  summary(): Summary {
    const count = (verdict: Verdict) => this.results.filter((r) => r.result === verdict).length;
    return { passed: count('pass'), failed: count('fail'), skipped: count('skip') };
  }
}

export const summaryLine = (s: Summary): string => `${s.passed} passed, ${s.failed} failed, ${s.skipped} skipped`;

/** Control characters from the target's answers never reach the terminal. */
const printable = (text: string): string => text.replace(/[\u0000-\u001F\u007F-\u009F]/g, ' ');

/** One line per check: `pass|fail|skip  <id>  <what>  (spec: <reference>)`, a failure's or skip's detail after it. */
export function formatText(results: readonly CheckResult[], summary: Summary): string {
  const width = Math.max(0, ...results.map((r) => r.id.length));
  const lines = results.map((r) => {
    const base = `${r.result.padEnd(4)}  ${r.id.padEnd(width)}  ${r.what}  (spec: ${r.spec})`;
    if (!r.detail) return base;
    return `${base}  ${r.result === 'skip' ? 'skipped: ' : ''}${printable(r.detail)}`;
  });
  return [...lines, summaryLine(summary)].join('\n');
}

export interface JsonReport {
  target: string;
  kit: string;
  checks: CheckResult[];
  summary: Summary;
}
