// The evidence behind each `erasure.confirmed` entry: the eraser's signed statement, carried in
// the audit bundle (statements hold no personal data). Each entry's statement must be there (same
// SHA-256), say what the entry says (who erased which referral, for whom), and verify with the
// eraser's key when the bundle carries that organisation's identity document. A statement from
// an organisation the node does not know (an onward recipient, relayed) is counted as unverified.
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { b64u, sha256 } from '../crypto/encoding.js';
import { keysOfBundleIdentity } from './bundle-identity.js';
import { verifyWithKeyNamed, type OkpPublicJwk } from '../identity/keys.js';
import { STATEMENT_TYP } from '../consents/statement.js';

export interface ErasureEvidenceFinding {
  check: 'erasure-statement-missing' | 'erasure-statement-invalid';
  message: string;
  entry: number;
}

export interface ErasureEvidence {
  ok: boolean;
  /** Confirmed erasures in the log, and how many statements verified with a known key. */
  confirmed: number;
  verified: number;
  unverified: number;
  findings: ErasureEvidenceFinding[];
}

interface StatementClaims {
  iss?: unknown;
  aud?: unknown;
  referral_id?: unknown;
  reason?: unknown;
}

export async function checkErasureEvidence(bundle: {
  node_id?: unknown;
  entries?: unknown;
  erasure_statements?: unknown;
  erasers?: unknown;
}): Promise<ErasureEvidence> {
  const findings: ErasureEvidenceFinding[] = [];
  const byDigest = new Map<string, string>();
  for (const statement of Array.isArray(bundle.erasure_statements) ? bundle.erasure_statements : []) {
    if (typeof statement === 'string') byDigest.set(b64u.encode(sha256(statement)), statement);
  }
  const keys = new Map<string, ReadonlyMap<string, OkpPublicJwk>>();
  for (const eraser of Array.isArray(bundle.erasers) ? (bundle.erasers.filter((e) => typeof e === 'object' && e !== null) as Array<{ node_id?: unknown; identity?: unknown; earlier?: unknown }>) : []) {
    if (typeof eraser.node_id !== 'string' || typeof eraser.identity !== 'string') continue;
    const checked = await keysOfBundleIdentity({ node_id: eraser.node_id, identity: eraser.identity, earlier: Array.isArray(eraser.earlier) ? (eraser.earlier as string[]) : [] });
    if (checked.ok) keys.set(eraser.node_id, new Map(checked.keys.map((k) => [k.kid, k])));
  }
  let confirmed = 0;
  let verified = 0;
  let unverified = 0;
  const entries = Array.isArray(bundle.entries) ? bundle.entries : [];
  for (const [position, text] of entries.entries()) {
    if (typeof text !== 'string' || !text.includes('"erasure.confirmed"')) continue;
    let entry: { type?: unknown; index?: unknown; referral_id?: unknown; node_id?: unknown; relayed_by?: unknown; statement_digest?: unknown; reason?: unknown };
    try {
      entry = JSON.parse(text) as typeof entry;
    } catch {
      continue; // The integrity check reports malformed entries.
    }
    if (entry.type !== 'erasure.confirmed') continue;
    confirmed += 1;
    const index = typeof entry.index === 'number' ? entry.index : position;
    const statement = typeof entry.statement_digest === 'string' ? byDigest.get(entry.statement_digest) : undefined;
    if (!statement) {
      findings.push({ check: 'erasure-statement-missing', entry: index, message: `Entry ${index}: the signed statement of the erasure by ${String(entry.node_id)} is not in the bundle.` });
      continue;
    }
    const claims = readClaims(statement);
    const relayed = typeof entry.relayed_by === 'string' ? entry.relayed_by : undefined;
    // Who may have signed it: the eraser; for a relayed one, the relay when it vouches that the
    // onward offer never left. Addressed to this node, or to the relay.
    const signers = [entry.node_id, ...(relayed ? [relayed] : [])];
    const audiences = relayed ? [relayed, bundle.node_id] : [bundle.node_id];
    const matches =
      claims &&
      signers.includes(claims.iss) &&
      audiences.includes(claims.aud) &&
      claims.reason === entry.reason &&
      (relayed !== undefined || claims.referral_id === entry.referral_id);
    if (!claims || !matches) {
      findings.push({ check: 'erasure-statement-invalid', entry: index, message: `Entry ${index}: the erasure statement does not say what the entry says (signer, addressee, referral or reason).` });
      continue;
    }
    const key = keys.get(claims.iss as string);
    if (!key) {
      unverified += 1;
      continue;
    }
    if (await verifyWithKeyNamed(statement, key)) verified += 1;
    else findings.push({ check: 'erasure-statement-invalid', entry: index, message: `Entry ${index}: the erasure statement is not signed by ${String(claims.iss)}.` });
  }
  return { ok: findings.length === 0, confirmed, verified, unverified, findings };
}

function readClaims(statement: string): StatementClaims | undefined {
  try {
    if (decodeProtectedHeader(statement).typ !== STATEMENT_TYP) return undefined;
    return decodeJwt(statement) as StatementClaims;
  } catch {
    return undefined;
  }
}
