// The check an administrator makes before trusting a peer added by URL: its fingerprint is the
// one the peer's administrator read out to them (spaces, dashes and case do not matter).
import type { Db } from '../db/database.js';
import { readableFingerprint } from '../identity/keys.js';
import { PeerError } from './service.js';

const canonical = (fingerprint: string) => fingerprint.toUpperCase().replace(/[^A-Z2-7]/g, '');

export async function requireFingerprint(db: Db, peerId: string, fingerprint: string): Promise<void> {
  const peer = await db.selectFrom('peers').select('signing_kid').where('id', '=', peerId).executeTakeFirst();
  if (!peer) throw new PeerError(`No peer ${peerId}; add it first.`);
  const actual = readableFingerprint(peer.signing_kid);
  if (canonical(actual) !== canonical(fingerprint)) {
    throw new PeerError(`The fingerprint of ${peerId} is ${actual}, not the one given: nothing was changed.`);
  }
}
