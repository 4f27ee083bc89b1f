// Keeping trusted peers' identity documents fresh: each is fetched again (If-None-Match) once it
// has passed half its lifetime. A new document signed with the pinned signing key, or with a key
// its continuity chain leads to from the pinned one, is accepted on its own (a new name,
// languages, contact, encryption key, signing key); anything else (another signing key, a
// document that does not verify or is not the peer's) changes nothing and is raised as an alert
// for the administrator, with the document kept as evidence. An unreachable peer is only
// tried again at the next round: the delivery worker already shows that it is down.
import { decodeJwt } from 'jose';
import type { NodeContext } from '../context.js';
import { b64u, sha256 } from '../crypto/encoding.js';
import { appendAuditEvent } from '../audit-log/append.js';
import { verifyIdentityDocument } from '../identity/document.js';
import { readableFingerprint } from '../identity/keys.js';
import { startPeriodic, type Periodic } from '../periodic.js';
import { raisePeerAlert } from './alerts.js';
import { applyKeyRevocationsIn } from './key-revocation.js';
import { keepReplacedIdentity } from './peer-keys.js';
import { identityDocumentText } from './identity-response.js';
import { peersInState, recordIdentityChecked, recordRefreshedIdentity, type PeerRow } from './store.js';

export type RefreshOutcome = 'unchanged' | 'updated' | 'alert' | 'unreachable' | 'not-due' | 'revoked';

const REQUEST_TIMEOUT_MS = 15_000;


function claimsOf(jws: string): { iat: number; exp: number } | undefined {
  try {
    const claims = decodeJwt(jws);
    return typeof claims.iat === 'number' && typeof claims.exp === 'number' ? { iat: claims.iat, exp: claims.exp } : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the copy held has passed half its lifetime (or cannot be read). */
function due(peer: PeerRow, nowSeconds: number): boolean {
  const claims = claimsOf(peer.identity_jws);
  return !claims || nowSeconds >= claims.iat + (claims.exp - claims.iat) / 2;
}

/**
 * Fetches a peer's identity document again and applies it. With `onlyIfRotated`, the document is
 * applied only when it brings a new signing key (reached by the chain from the pinned one), and
 * nothing is written otherwise: a request naming a key not pinned here (unknown-key.ts) changes
 * nothing unless the peer really rotated.
 */
export async function refreshPeerIdentity(
  ctx: NodeContext,
  peer: PeerRow,
  options: { force?: boolean; signal?: AbortSignal; onlyIfRotated?: boolean } = {},
): Promise<RefreshOutcome> {
  const now = ctx.clock.now();
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (!options.force && !due(peer, nowSeconds)) return 'not-due';
  const log = ctx.logger.child({ subsystem: 'identity-refresh' });
  let response: Response;
  try {
    response = await ctx.fetch(`${peer.id}/.well-known/referral-node`, {
      headers: peer.identity_etag ? { 'if-none-match': peer.identity_etag } : {},
      signal: options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]) : AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    log.info({ peer: peer.id, error: error instanceof Error ? error.name : 'error' }, 'peer identity not reachable; tried again later');
    return 'unreachable';
  }
  const checkedAt = now.toISOString();
  // 304 only answers an If-None-Match (spec: Identity document, 1): without one it says nothing.
  if (response.status === 304 && !peer.identity_etag) {
    log.info({ peer: peer.id }, 'peer answered 304 to a request without If-None-Match; tried again later');
    return 'unreachable';
  }
  if (response.status === 304) {
    if (options.onlyIfRotated) return 'unchanged';
    await recordIdentityChecked(ctx.database.db, peer.id, checkedAt);
    return 'unchanged';
  }
  const read = await identityDocumentText(response, peer.id);
  if (!read.ok && read.why === 'status') {
    log.info({ peer: peer.id, status: response.status }, 'peer identity not served; tried again later');
    return 'unreachable';
  }
  if (!read.ok) return raise(ctx, peer, 'invalid-identity-document', `The identity document was refused: ${read.reason}`, undefined);
  const { jws } = read;
  const etag = response.headers.get('etag');
  const verification = await verifyIdentityDocument(jws, nowSeconds, peer.id, 'peer', ctx.limits.clockSkewSeconds);
  if (!verification.ok) {
    return raise(ctx, peer, 'invalid-identity-document', `The identity document ${peer.id} served was refused: ${verification.reason}`, jws);
  }
  const { identity } = verification;
  // The peer declared a key we pinned compromised, and the statement pushed at the time did not reach us.
  if (identity.claims.key_revocations?.length && (await applyKeyRevocationsIn(ctx, peer.id, identity.claims.key_revocations))) return 'revoked';
  // A replayed older document (within its lifetime) must not roll back what a newer one said.
  const held = claimsOf(peer.identity_jws);
  if (held && identity.claims.iat < held.iat) {
    log.info({ peer: peer.id }, 'peer served an older identity document than the one held; kept the newer one');
    return 'unchanged';
  }
  // The pinned key, or a key its continuity chain leads to (identity/continuity.ts); nothing else.
  if (!identity.signingKeys.some((k) => k.kid === peer.signing_kid)) {
    return raise(
      ctx,
      peer,
      'signing-key-changed',
      `${peer.id} now presents another signing key (${readableFingerprint(identity.signingKey.kid)}, pinned: ${readableFingerprint(peer.signing_kid)}) without a continuity statement signed by the pinned key. Nothing was changed; ask its administrator what happened.`,
      jws,
    );
  }
  // Asked because of a key not pinned here: written only when the peer really rotated its signing key.
  if (options.onlyIfRotated && identity.signingKey.kid === peer.signing_kid) return 'unchanged';
  const signingRotated = identity.signingKey.kid !== peer.signing_kid;
  const encryptionChanged = identity.encryptionKey.kid !== peer.encryption_kid;
  const applied = await ctx.database.transaction(async (tx) => {
    // Changed meanwhile (revoked, or refreshed by a concurrent round): this document is not applied.
    if (!(await recordRefreshedIdentity(tx, peer, { identity, jws, etag, checkedAt }))) return false;
    const actor = { kind: 'peer', id: peer.id } as const;
    if (signingRotated) {
      await keepReplacedIdentity(tx, peer, checkedAt);
      await appendAuditEvent(tx, now, actor, { type: 'peer.key-rotated', peer_id: peer.id, signing_kid: identity.signingKey.kid, previous_kid: peer.signing_kid });
    }
    if (encryptionChanged) {
      await appendAuditEvent(tx, now, actor, {
        type: 'peer.identity-updated', peer_id: peer.id, signing_kid: identity.signingKey.kid, encryption_kid: identity.encryptionKey.kid,
      });
    }
    return true;
  });
  if (!applied) return 'unchanged';
  if (signingRotated) log.info({ peer: peer.id }, 'peer signing key rotated; followed its continuity chain from the pinned key');
  if (encryptionChanged) log.info({ peer: peer.id }, 'peer encryption key updated from its signed identity document');
  return 'updated';
}

async function raise(
  ctx: NodeContext,
  peer: PeerRow,
  kind: 'signing-key-changed' | 'invalid-identity-document',
  detail: string,
  evidence: string | undefined,
): Promise<RefreshOutcome> {
  const now = ctx.clock.now();
  const digest = b64u.encode(sha256(evidence ?? detail));
  await ctx.database.transaction(async (tx) => {
    const raised = await raisePeerAlert(tx, { peerId: peer.id, kind, detail, evidence, evidenceDigest: digest }, now);
    if (!raised) return;
    await appendAuditEvent(tx, now, { kind: 'system', id: 'identity-refresh' }, { type: 'peer.alert', peer_id: peer.id, kind });
    ctx.logger.warn({ peer: peer.id, kind }, 'peer identity document not accepted; see GET /api/v1/peers/alerts');
  });
  await recordIdentityChecked(ctx.database.db, peer.id, now.toISOString());
  return 'alert';
}

/** One round over the peers this node trusts (or has suspended): those due are fetched again. */
export async function refreshPeerIdentities(ctx: NodeContext, options: { signal?: AbortSignal } = {}): Promise<Map<string, RefreshOutcome>> {
  const peers = await peersInState(ctx.database.db, ['trusted', 'suspended']);
  const outcomes = new Map<string, RefreshOutcome>();
  for (const peer of peers) {
    if (options.signal?.aborted) break;
    outcomes.set(peer.id, await refreshPeerIdentity(ctx, peer, options));
  }
  return outcomes;
}

export function startIdentityRefresh(ctx: NodeContext, everyMs = 60 * 60_000): Periodic {
  return startPeriodic(ctx, 'identity refresh', everyMs, (signal) => refreshPeerIdentities(ctx, { signal }));
}
