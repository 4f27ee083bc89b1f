// A peer's signing keys after a rotation. What the peer signs from now on must be signed with the
// key pinned here; what it signed before (receipts, erasure statements, checkpoints, in an
// envelope that waited in a queue) stays checkable with the earlier keys of its continuity chain,
// which its identity document carries (identity/continuity.ts). And when a trusted peer presents
// a key not pinned here, its identity document is fetched again at once (at most every few
// minutes), so a rotation is followed on first contact rather than at the next hourly round.
import type { Selectable } from 'kysely';
import { decodeJwt } from 'jose';
import type { NodeContext } from '../context.js';
import type { Tx } from '../db/database.js';
import type { PeersTable } from '../db/schema.js';
import type { KeyContinuityClaims, KeyContinuityStatement } from '../identity/continuity.js';
import type { OkpPublicJwk } from '../identity/keys.js';
import { refreshPeerIdentity } from './refresh.js';

/** At most one refresh per peer in this time for an unknown key: a forged kid cannot make us fetch in a loop. */
export const UNKNOWN_KEY_REFRESH_MS = 5 * 60_000;

/**
 * Every signing key of the peer known here, by kid: the pinned one and those before it in the
 * chain of the identity document held (verified when it was accepted).
 */
export function peerSigningKeys(peer: Pick<Selectable<PeersTable>, 'signing_jwk' | 'identity_jws'>): Map<string, OkpPublicJwk> {
  const pinned = JSON.parse(peer.signing_jwk) as OkpPublicJwk;
  const keys = new Map<string, OkpPublicJwk>();
  let continuity: KeyContinuityStatement[] = [];
  try {
    continuity = (decodeJwt(peer.identity_jws) as { continuity?: KeyContinuityStatement[] }).continuity ?? [];
  } catch {
    // A document held is always a verified JWS; without one, the pinned key is all there is.
  }
  for (const statement of continuity) {
    const claims = JSON.parse(Buffer.from(statement.payload, 'base64url').toString('utf8')) as KeyContinuityClaims;
    keys.set(claims.previous.kid, claims.previous);
    keys.set(claims.next.kid, claims.next);
  }
  keys.set(pinned.kid, pinned);
  return keys;
}

const lastRefresh = new WeakMap<NodeContext, Map<string, number>>();

/**
 * Fetches a trusted peer's identity document again because it presented `kid`, a key not pinned
 * here (or, without `kid`, a signature no pinned key verifies); returns the peer as it is
 * afterwards when that made `kid` (or another key) its pinned key.
 */
export async function refreshForUnknownKey(ctx: NodeContext, peerId: string, kid?: string): Promise<Selectable<PeersTable> | undefined> {
  const peer = await ctx.database.db.selectFrom('peers').selectAll().where('id', '=', peerId).executeTakeFirst();
  if (!peer || peer.state !== 'trusted') return undefined;
  // A key the node rotated away from is no reason to fetch anything (nor to use up the slot).
  if (kid !== undefined && peerSigningKeys(peer).has(kid)) return undefined;
  const now = ctx.clock.now().getTime();
  const tried = lastRefresh.get(ctx) ?? new Map<string, number>();
  lastRefresh.set(ctx, tried);
  const last = tried.get(peerId);
  if (last !== undefined && now - last < UNKNOWN_KEY_REFRESH_MS && now >= last) return undefined;
  tried.set(peerId, now);
  const outcome = await refreshPeerIdentity(ctx, peer, { force: true, onlyIfRotated: kid !== undefined });
  if (outcome !== 'updated') return undefined;
  const after = await ctx.database.db.selectFrom('peers').selectAll().where('id', '=', peerId).executeTakeFirst();
  if (!after || after.state !== 'trusted') return undefined;
  return (kid === undefined ? after.signing_kid !== peer.signing_kid : after.signing_kid === kid) ? after : undefined;
}

/**
 * Keeps the identity document a peer had before one with another signing key replaced it: what it
 * signed with the earlier key (cosignatures, erasure statements) stays checkable in audit bundles.
 */
export async function keepReplacedIdentity(tx: Tx, peer: Pick<Selectable<PeersTable>, 'id' | 'signing_kid' | 'identity_jws'>, at: string): Promise<void> {
  await tx
    .insertInto('peer_identity_history')
    .values({ peer_id: peer.id, signing_kid: peer.signing_kid, identity_jws: peer.identity_jws, replaced_at: at })
    .onConflict((oc) => oc.columns(['peer_id', 'signing_kid']).doNothing())
    .execute();
}
