// `audit verify`: the whole check of an audit bundle, as an auditor runs it. The log's integrity
// (entries, tree, the node's signatures, its witnesses' cosignatures) and the consent rules
// (every disclosure covered by a consent in force, every withdrawal followed by erasure at every
// recipient), in one report that holds ids and counts only.
import { decodeProtectedHeader } from 'jose';
import { parseCheckpointBody } from './checkpoint.js';
import { noteText, signatureLines } from './cosignature.js';
import { checkConsentRules, DEFAULT_ERASURE_GRACE_DAYS, type ConsentRulesReport } from './consent-rules.js';
import { verifyBundleIntegrity, type IntegrityReport } from './verify-integrity.js';
import { checkErasureEvidence, type ErasureEvidence } from './verify-erasures.js';
import { readableFingerprint } from '../identity/keys.js';

/**
 * The verdict. `failed`: something checked is wrong (the log, a signature, a consent rule, an
 * erasure). `not-yet-witnessed`: nothing checked is wrong, but no witness vouches for the log's
 * latest state yet: it has entries and no checkpoint, or its latest checkpoint has no cosignature
 * (a node that has just started, a checkpoint signed a moment ago, a node whose witnesses do not
 * answer). Verified again once its witnesses have cosigned, the same log passes (on a busy node a
 * checkpoint signed a moment ago may be the latest: monitoring treats this verdict as a warning and
 * looks again). `passed`: nothing is wrong, and the latest checkpoint is cosigned or the log is empty.
 */
export type VerificationStatus = 'passed' | 'not-yet-witnessed' | 'failed';

/**
 * What is not wrong but not yet vouched for. `no-checkpoint` and `not-witnessed` make the verdict
 * `not-yet-witnessed`; `entries-after-checkpoint` does not: a live log always has a tail of entries
 * written since its last checkpoint (signed at the next round), checked for the consent rules and
 * counted, and the verdict on them would otherwise never be anything but "not yet".
 */
export interface VerificationWarning {
  check: 'no-checkpoint' | 'not-witnessed' | 'entries-after-checkpoint';
  message: string;
}

export interface AuditVerification {
  /** The same as `status === 'passed'`. */
  ok: boolean;
  status: VerificationStatus;
  warnings: VerificationWarning[];
  node_id: string;
  /** The readable fingerprint of the key the bundle's checkpoints are signed with: compare it with the node's administrator. */
  fingerprint?: string;
  checked_at: string;
  /** Entries after the last checkpoint: checked for the consent rules, not yet signed. */
  unsigned_entries: number;
  /**
   * Cosignatures on the latest checkpoint. Without any, nothing outside the node vouches that the
   * log was not rewritten and re-signed: the verdict is `not-yet-witnessed`. Compare the witnesses' fingerprints with their
   * administrators, and ask a witness for the latest checkpoint it cosigned to see a cut-off log.
   */
  latest_cosignatures: number;
  witnesses: Array<{ node_id: string; fingerprint?: string }>;
  integrity: IntegrityReport;
  consent: ConsentRulesReport;
  erasures: ErasureEvidence;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export async function verifyAuditBundle(
  bundle: unknown,
  options: { now: Date; erasureGraceDays?: number; expectFingerprint?: string | undefined },
): Promise<AuditVerification> {
  const integrity = await verifyBundleIntegrity(bundle);
  // Anything may arrive here (a pasted file, an upload): what is not an object is read as an empty one.
  const shaped = (isRecord(bundle) ? bundle : {}) as { node_id?: unknown; identity?: unknown; entries?: unknown; checkpoints?: unknown; witnesses?: unknown; erasure_statements?: unknown; erasers?: unknown };
  const erasures = await checkErasureEvidence(shaped);
  const entries = Array.isArray(shaped.entries) ? shaped.entries.filter((e): e is string => typeof e === 'string') : [];
  const consent = checkConsentRules(entries, { now: options.now, erasureGraceDays: options.erasureGraceDays ?? DEFAULT_ERASURE_GRACE_DAYS });
  const fingerprint = fingerprintOf(shaped.identity);
  if (options.expectFingerprint !== undefined && normalise(options.expectFingerprint) !== normalise(fingerprint ?? '')) {
    integrity.findings.push({ check: 'node-identity', message: `The node's signing key is ${fingerprint ?? 'unknown'}, not ${options.expectFingerprint} as expected: this is not the log of the node you meant, or its key was replaced.` });
  }
  const latest = Array.isArray(shaped.checkpoints) ? shaped.checkpoints.at(-1) : undefined;
  const latestCosignatures = typeof latest === 'string' ? Math.max(0, signatureLines(latest).length - 1) : 0;
  integrity.ok = integrity.findings.length === 0;
  const unsignedEntries = Math.max(0, entries.length - lastCheckpointSize(shaped.checkpoints));
  const warnings = witnessingWarnings({ entries: entries.length, latest, latestCosignatures, unsignedEntries });
  const witnesses = Array.isArray(shaped.witnesses)
    ? (shaped.witnesses.filter(isRecord) as Array<{ node_id?: unknown; identity?: unknown }>).map((w) => {
        const print = fingerprintOf(w.identity);
        return { node_id: typeof w.node_id === 'string' ? w.node_id : '', ...(print ? { fingerprint: print } : {}) };
      })
    : [];
  const broken = !(integrity.ok && consent.ok && erasures.ok);
  const status: VerificationStatus = broken ? 'failed' : warnings.some((w) => w.check !== 'entries-after-checkpoint') ? 'not-yet-witnessed' : 'passed';
  return {
    ok: status === 'passed',
    status,
    warnings,
    node_id: typeof shaped.node_id === 'string' ? shaped.node_id : '',
    ...(fingerprint ? { fingerprint } : {}),
    checked_at: options.now.toISOString(),
    unsigned_entries: unsignedEntries,
    latest_cosignatures: latestCosignatures,
    witnesses,
    integrity,
    consent,
    erasures,
  };
}

function witnessingWarnings(log: { entries: number; latest: unknown; latestCosignatures: number; unsignedEntries: number }): VerificationWarning[] {
  const warnings: VerificationWarning[] = [];
  if (typeof log.latest !== 'string') {
    if (log.entries > 0) {
      warnings.push({
        check: 'no-checkpoint',
        message: `None of the ${log.entries} entries is covered by a signed checkpoint yet. A running node signs one at its next checkpoint round (every minute by default): verify again then.`,
      });
    }
    return warnings;
  }
  if (log.latestCosignatures === 0) {
    warnings.push({
      check: 'not-witnessed',
      message: 'The latest checkpoint has no cosignature yet: no witness vouches for this log yet. A node asks its witnesses at every checkpoint round: verify again in a few minutes; if it lasts, ask the administrator whether the node has a witness that answers.',
    });
  }
  if (log.unsignedEntries > 0) {
    warnings.push({
      check: 'entries-after-checkpoint',
      message: `${log.unsignedEntries} entries after the last checkpoint are not signed yet: they were checked for the consent rules, and the next checkpoint will cover them.`,
    });
  }
  return warnings;
}

const normalise = (fingerprint: string) => fingerprint.replace(/[^A-Za-z0-9]/g, '').toUpperCase();

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
    const header = decodeProtectedHeader(identity);
    return typeof header.kid === 'string' ? readableFingerprint(header.kid) : undefined;
  } catch {
    return undefined;
  }
}

/** The report as lines for a terminal: a summary, then every finding and pending erasure. */
const HEADLINE: Record<VerificationStatus, string> = { passed: 'PASSED', 'not-yet-witnessed': 'NOT YET WITNESSED', failed: 'FAILED' };

export function describeVerification(report: AuditVerification): string[] {
  const { integrity, consent } = report;
  return [
    `${HEADLINE[report.status]}: audit log of ${report.node_id}${report.fingerprint ? ` (signing key ${report.fingerprint})` : ''}`,
    `  integrity: ${integrity.counts.entries} entries, ${integrity.counts.checkpoints} checkpoints, ${integrity.counts.cosignatures} cosignatures; ${integrity.findings.length} problem(s)`,
    ...report.warnings.map((w) => `  [warning: ${w.check}] ${w.message}`),
    ...report.witnesses.map((w) => `  witness ${w.node_id}${w.fingerprint ? ` (signing key ${w.fingerprint})` : ''}`),
    `  consent: ${consent.disclosures} disclosures, ${consent.withdrawals} withdrawals; ${consent.findings.length} problem(s), ${consent.pending.length} erasure(s) pending`,
    `  erasures: ${report.erasures.confirmed} confirmed, ${report.erasures.verified} statement(s) verified, ${report.erasures.unverified} from organisations this node does not know; ${report.erasures.findings.length} problem(s)`,
    ...integrity.findings.map((f) => `  [${f.check}] ${f.message}`),
    ...report.erasures.findings.map((f) => `  [${f.check}] ${f.message}`),
    ...consent.findings.map((f) => `  [${f.rule}] ${f.detail}`),
    ...consent.pending.map((p) => `  [pending] ${p.node_id} has not yet confirmed erasing referral ${p.referral_id} (asked ${p.requested_at})`),
  ];
}
