// The audit bundle: everything an auditor needs to check a node's log away from the node, and
// nothing personal. The entries in index order, every checkpoint with its cosignatures, this
// node's identity document (its signing key, signed by itself) and the identity documents of its
// witnesses as this node pinned them.
import { decodeJwt } from 'jose';
import type { NodeContext } from '../context.js';
import { signOwnIdentityDocument } from '../identity/own-document.js';
import { signHistoricalKeys } from '../identity/historical-keys.js';
import type { Db } from '../db/database.js';
import { replacedIdentityDocuments } from '../peers/peer-keys.js';
import { identityDocumentsOf } from '../peers/store.js';
import type { BundleIdentity } from './bundle-identity.js';
import { allCheckpointsOldestFirst, noteWithCosignatures } from './checkpoints.js';
import { readEntries } from './entries.js';
import { logSize } from './tree-store.js';
import { erasureStatements } from '../consents/erasures.js';

export const AUDIT_BUNDLE_FORMAT = 'refnet-audit-bundle/1';
const PAGE = 5_000;

export interface AuditBundle {
  format: typeof AUDIT_BUNDLE_FORMAT;
  node_id: string;
  /** This node's identity document (compact JWS), signed at export time. */
  identity: string;
  /** The entries' exact JSON texts, in index order (entries[i] has index i). */
  entries: string[];
  /** Signed checkpoint notes with their cosignatures, oldest first. */
  checkpoints: string[];
  /** Every witness that cosigned a checkpoint, with its identity document as pinned here (and earlier ones). */
  witnesses: BundleIdentity[];
  /** The signed erasure statements behind the erasure.confirmed entries (no personal data). */
  erasure_statements: string[];
  /** The identity documents, as pinned here, of the peers that signed those statements. */
  erasers: BundleIdentity[];
  /**
   * This node's historical keys (compact JWS, signed with its current key): the signing keys
   * its checkpoints were signed with before a rotation or a revocation.
   */
  historical_keys: string;
}

/**
 * Builds the bundle. The checkpoints are read first and the entries up to the log size after
 * them, so every checkpoint is covered even while the node keeps appending.
 */
export async function exportAuditBundle(
  ctx: NodeContext,
  options: { onProgress?: (done: number, total: number) => void } = {},
): Promise<AuditBundle> {
  const { db } = ctx.database;
  const checkpoints = await allCheckpointsOldestFirst(db);
  const size = await logSize(db);
  const entries: string[] = [];
  for (let start = 0; start < size; start += PAGE) {
    for (const entry of await readEntries(db, start, Math.min(start + PAGE, size))) entries.push(entry.entry);
    options.onProgress?.(entries.length, size);
  }
  const witnessIds = [...new Set(checkpoints.flatMap((c) => c.cosignatures.map((s) => s.witnessId)))].sort();
  const peers = await identityDocumentsOf(db, witnessIds);
  const statements = await erasureStatements(db);
  const signerIds = [...new Set(statements.map((s) => decodeJwt(s.statement!).iss as string))].sort();
  const erasers = await identityDocumentsOf(db, signerIds);
  const identity = await signOwnIdentityDocument(ctx);
  const historical = await signHistoricalKeys(ctx);
  return {
    format: AUDIT_BUNDLE_FORMAT,
    node_id: ctx.self.nodeId,
    identity,
    entries,
    checkpoints: checkpoints.map(noteWithCosignatures),
    witnesses: await withEarlier(db, peers),
    erasure_statements: statements.map((s) => s.statement!),
    erasers: await withEarlier(db, erasers),
    historical_keys: historical,
  };
}

/** Each peer's identity document as pinned here, with those it had before another key replaced them. */
async function withEarlier(db: Db, peers: ReadonlyArray<{ id: string; identity_jws: string }>): Promise<BundleIdentity[]> {
  const history = await replacedIdentityDocuments(db, peers.map((p) => p.id));
  return peers.map((p) => {
    const earlier = history.filter((h) => h.peer_id === p.id).map((h) => h.identity_jws);
    return { node_id: p.id, identity: p.identity_jws, ...(earlier.length > 0 ? { earlier } : {}) };
  });
}
