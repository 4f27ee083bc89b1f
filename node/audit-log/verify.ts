// `audit verify`: the whole check of an audit bundle, as an auditor runs it. The log's integrity
// (entries, tree, the node's signatures, its witnesses' cosignatures) and the consent rules
// (every disclosure covered by a consent in force, every withdrawal followed by erasure at every
// recipient), in one report that holds ids and counts only.
import { parseCheckpointBody } from './checkpoint.js';
import { noteText } from './cosignature.js';
import { checkConsentRules, DEFAULT_ERASURE_GRACE_DAYS, type ConsentRulesReport } from './consent-rules.js';
import { verifyBundleIntegrity, type IntegrityReport } from './verify-integrity.js';
import { readableFingerprint } from '../identity/keys.js';

export interface AuditVerification {
  ok: boolean;
  node_id: string;
  /** The readable fingerprint of the key the bundle's checkpoints are signed with: compare it with the node's administrator. */
  fingerprint?: string;
  checked_at: string;
  /** Entries after the last checkpoint: checked for the consent rules, not yet signed. */
  unsigned_entries: number;
  integrity: IntegrityReport;
  consent: ConsentRulesReport;
}

export async function verifyAuditBundle(
  bundle: unknown,
  options: { now: Date; erasureGraceDays?: number },
): Promise<AuditVerification> {
  const integrity = await verifyBundleIntegrity(bundle);
  const shaped = bundle as { node_id?: unknown; identity?: unknown; entries?: unknown; checkpoints?: unknown };
  const entries = Array.isArray(shaped.entries) ? shaped.entries.filter((e): e is string => typeof e === 'string') : [];
  const consent = checkConsentRules(entries, { now: options.now, erasureGraceDays: options.erasureGraceDays ?? DEFAULT_ERASURE_GRACE_DAYS });
  const fingerprint = fingerprintOf(shaped.identity);
  return {
    ok: integrity.ok && consent.ok,
    node_id: typeof shaped.node_id === 'string' ? shaped.node_id : '',
    ...(fingerprint ? { fingerprint } : {}),
    checked_at: options.now.toISOString(),
    unsigned_entries: Math.max(0, entries.length - lastCheckpointSize(shaped.checkpoints)),
    integrity,
    consent,
  };
}

function lastCheckpointSize(checkpoints: unknown): number {
  if (!Array.isArray(checkpoints)) return 0;
  const last = checkpoints.at(-1);
  if (typeof last !== 'string') return 0;
  const body = parseCheckpointBody(noteText(last));
  return body.ok ? body.checkpoint.size : 0;
}

function fingerprintOf(identity: unknown): string | undefined {
  if (typeof identity !== 'string') return undefined;
  try {
    const header = JSON.parse(Buffer.from(identity.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: unknown };
    return typeof header.kid === 'string' ? readableFingerprint(header.kid) : undefined;
  } catch {
    return undefined;
  }
}

/** The report as lines for a terminal: a summary, then every finding and pending erasure. */
export function describeVerification(report: AuditVerification): string[] {
  const { integrity, consent } = report;
  return [
    `${report.ok ? 'PASSED' : 'FAILED'}: audit log of ${report.node_id}${report.fingerprint ? ` (signing key ${report.fingerprint})` : ''}`,
    `  integrity: ${integrity.counts.entries} entries, ${integrity.counts.checkpoints} checkpoints, ${integrity.counts.cosignatures} cosignatures; ${integrity.findings.length} problem(s)`,
    ...(report.unsigned_entries > 0 ? [`  ${report.unsigned_entries} entries after the last checkpoint are not signed yet`] : []),
    `  consent: ${consent.disclosures} disclosures, ${consent.withdrawals} withdrawals; ${consent.findings.length} problem(s), ${consent.pending.length} erasure(s) pending`,
    ...integrity.findings.map((f) => `  [${f.check}] ${f.message}`),
    ...consent.findings.map((f) => `  [${f.rule}] ${f.detail}`),
    ...consent.pending.map((p) => `  [pending] ${p.node_id} has not yet confirmed erasing referral ${p.referral_id} (asked ${p.requested_at})`),
  ];
}
