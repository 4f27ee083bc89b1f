// When a trusted peer presents a key not pinned here, its identity document is fetched again at
// once (at most every few minutes), so a signing-key rotation is followed on first contact rather
// than at the next hourly round of the refresh.
import type { NodeContext } from '../context.js';
import { peerSigningKeys } from './peer-keys.js';
import { refreshPeerIdentity } from './refresh.js';
import { findPeer, type PeerRow } from './store.js';

/** At most one refresh per peer in this time for an unknown key: a forged kid cannot make us fetch in a loop. */
export const UNKNOWN_KEY_REFRESH_MS = 5 * 60_000;

const lastRefresh = new WeakMap<NodeContext, Map<string, number>>();

/**
 * Fetches a trusted peer's identity document again because it presented `kid`, a key not pinned
 * here (or, without `kid`, a signature no pinned key verifies); returns the peer as it is
 * afterwards when that made `kid` (or another key) its pinned key.
 */
export async function refreshForUnknownKey(ctx: NodeContext, peerId: string, kid?: string): Promise<PeerRow | undefined> {
  const peer = await findPeer(ctx.database.db, peerId);
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
  const after = await findPeer(ctx.database.db, peerId);
  if (!after || after.state !== 'trusted') return undefined;
  return (kid === undefined ? after.signing_kid !== peer.signing_kid : after.signing_kid === kid) ? after : undefined;
}
