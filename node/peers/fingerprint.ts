// The check an administrator makes before trusting a peer added by URL: its fingerprint is the
// one the peer's administrator read out to them (spaces, dashes and case do not matter).
import type { Database, Db } from '../db/database.js';
import { readableFingerprint } from '../identity/keys.js';
import type { VerifiedIdentity } from '../identity/document.js';
import type { AuditActor } from '../audit-log/events.js';
import { addPeerIn, PeerError, trustPeerIn } from './service.js';
import { findPeer, type Peer } from './store.js';

const canonical = (fingerprint: string) => fingerprint.toUpperCase().replace(/[^A-Z2-7]/g, '');

/** Whether two fingerprints are the same, as two people compare them (spaces, dashes and case do not matter). */
export const sameFingerprint = (a: string, b: string): boolean => canonical(a) === canonical(b);

export async function requireFingerprint(db: Db, peerId: string, fingerprint: string): Promise<void> {
  const peer = await findPeer(db, peerId);
  if (!peer) throw new PeerError(`No peer ${peerId}; add it first.`);
  const actual = readableFingerprint(peer.signing_kid);
  if (!sameFingerprint(actual, fingerprint)) {
    throw new PeerError(`The fingerprint of ${peerId} is ${actual}, not the one given: nothing was changed.`);
  }
}

/**
 * Adds the node of `identity` and trusts it in one transaction, when `fingerprint` is that of the
 * key stored for it: if the check or the trust fails, it is not left behind as pending either.
 * A peer already known as other than pending is returned as it is, untrusted by this call.
 */
export async function addTrustedPeer(
  database: Database,
  identity: VerifiedIdentity,
  identityJws: string,
  fingerprint: string,
  now: Date,
  actor: AuditActor,
): Promise<{ peer: Peer; created: boolean; trusted: boolean }> {
  return database.transaction(async (tx) => {
    const { peer, created } = await addPeerIn(tx, identity, identityJws, now, actor);
    if (peer.state !== 'pending') return { peer, created, trusted: false };
    await requireFingerprint(tx, peer.id, fingerprint);
    return { peer: await trustPeerIn(tx, peer.id, now, actor), created, trusted: true };
  });
}
