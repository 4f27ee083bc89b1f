// Peers: other nodes this node knows. A peer is added by URL (its identity document is fetched
// and verified, and stored as pending) and trusted only by an administrator's explicit act,
// which pins its signing key.
import { OutboundRefusedError } from '../net/outbound.js';
import { appendAuditEvent } from '../audit-log/append.js';
import type { AuditActor } from '../audit-log/events.js';
import { nowSeconds, type Clock, type Fetch } from '../context.js';
import type { Database, Db, Tx } from '../db/database.js';
import type { VerifiedIdentity } from '../identity/document.js';
import { readableFingerprint } from '../identity/keys.js';
import { normaliseNodeUrl, PeerError } from './node-url.js';
import { changePeerStateIn, type PeerAction } from './peer-state.js';
import { fetchIdentityDocument } from './identity-response.js';
import { findPeer, insertPeer, listPeerRows, markPeerTrusted, peerRowFrom, toPeer, type Peer, type RevocationReason } from './store.js';
import { forgetListedPeer, TRUST_LIST_ACTOR } from './trust-list-follower.js';

// Re-exported: the peers service is where the interfaces and the other concerns find them.
export { normaliseNodeUrl, PeerError } from './node-url.js';
export type { Peer, RevocationReason } from './store.js';
export type { PeerAction } from './peer-state.js';

/** The actor of a change made with the CLI on the node's machine (no user is signed in there). */
export const COMMAND_LINE: AuditActor = { kind: 'system', id: 'command-line' };

export async function fetchPeerIdentity(
  fetch: Fetch,
  clock: Clock,
  nodeUrl: string,
  /** The node's allowed clock skew (REFERRAL_NODE_CLOCK_SKEW_SECONDS): how far ahead a document may be dated. */
  skewSeconds?: number,
): Promise<{ identity: VerifiedIdentity; jws: string }> {
  const id = normaliseNodeUrl(nodeUrl);
  const fetched = await fetchIdentityDocument(fetch, nowSeconds(clock), id, skewSeconds);
  if (fetched.ok) return { identity: fetched.identity, jws: fetched.jws };
  if (fetched.at === 'answer') throw new PeerError(`${fetched.reason} Is it a referral node?`);
  if (fetched.at === 'document') throw new PeerError(fetched.reason);
  const { error } = fetched;
  // A URL this node does not connect to (not https, a private address): the refusal says why.
  if (error instanceof OutboundRefusedError) throw new PeerError(`${id} was not asked for its identity document: ${error.message}`);
  throw new PeerError(`Could not reach ${id} (${error instanceof Error ? error.message : 'network error'}). Check the URL and that the node is running.`);
}

/** Stores the node of `identity` as pending, by `actor` (an administrator, or the command line). */
export async function addPeer(
  database: Database,
  identity: VerifiedIdentity,
  identityJws: string,
  now: Date,
  actor: AuditActor = COMMAND_LINE,
): Promise<{ peer: Peer; created: boolean }> {
  return database.transaction((tx) => addPeerIn(tx, identity, identityJws, now, actor));
}

/** As addPeer, inside a transaction of the caller's, so that more can be done with it or not at all. */
export async function addPeerIn(
  tx: Tx,
  identity: VerifiedIdentity,
  identityJws: string,
  now: Date,
  actor: AuditActor = COMMAND_LINE,
): Promise<{ peer: Peer; created: boolean }> {
  const { claims } = identity;
  const existing = await findPeer(tx, claims.iss);
  if (existing) {
    // Known with another key: only one its continuity chain leads from (the refresh will follow it).
    if (!identity.signingKeys.some((k) => k.kid === existing.signing_kid)) {
      throw new PeerError(
        `${claims.iss} is already known with another signing key (${readableFingerprint(existing.signing_kid)}); it is not changed. Ask its administrator what happened before doing anything else.`,
      );
    }
    return { peer: toPeer(existing), created: false };
  }
  const at = now.toISOString();
  const row = peerRowFrom(identity, identityJws, 'pending', at);
  await insertPeer(tx, row);
  await appendAuditEvent(tx, now, actor, { type: 'peer.added', peer_id: row.id, signing_kid: row.signing_kid });
  return { peer: toPeer(row), created: true };
}

/**
 * Trusts a pending peer, pinning its signing key, by `actor`. Trusting a trusted peer changes
 * nothing; a suspended one is restored instead (trusting it would lift the suspension without
 * the restore the audit log should show), and a revoked one is never trusted again.
 */
export async function trustPeer(database: Database, id: string, now: Date, actor: AuditActor = COMMAND_LINE): Promise<Peer> {
  // Read and changed under one write lock, as changePeerState: the peer may be suspended meanwhile.
  return database.transaction((tx) => trustPeerIn(tx, id, now, actor));
}

/** As trustPeer, inside a transaction of the caller's. */
export async function trustPeerIn(tx: Tx, id: string, now: Date, actor: AuditActor = COMMAND_LINE): Promise<Peer> {
  const at = now.toISOString();
  const peer = await findPeer(tx, id);
  if (!peer) throw new PeerError(`No peer ${id}; add it first with \`referral-node peer add URL\`.`);
  if (peer.state === 'trusted') return toPeer(peer);
  if (peer.state === 'revoked') throw new PeerError(`${id} was revoked; a revoked peer is not trusted again.`);
  if (peer.state === 'suspended') throw new PeerError(`${id} is suspended; restore it instead (only a pending peer can be trusted).`);
  await markPeerTrusted(tx, id, at);
  await appendAuditEvent(tx, now, actor, { type: 'peer.trusted', peer_id: id, signing_kid: peer.signing_kid });
  return toPeer({ ...peer, state: 'trusted', trusted_at: at, updated_at: at });
}

/**
 * Suspends, restores or revokes a peer, by an administrator (`actor`): the state, the audit
 * entry and, on revocation, the cancellation of every message still queued for the peer, in one
 * transaction. Doing again what is already done changes nothing. The peer's directory is the
 * directory's to drop (directory/sync.ts), by whoever revoked.
 */
export async function changePeerState(
  database: Database,
  id: string,
  action: PeerAction,
  now: Date,
  actor: AuditActor = COMMAND_LINE,
  reason?: RevocationReason,
): Promise<Peer> {
  // Read and changed under one write lock: an invitation or the trust list may change the peer meanwhile.
  return database.transaction(async (tx) => {
    const { peer, changed } = await changePeerStateIn(tx, id, action, now, actor, reason);
    // A revocation not made by the trust list is not undone by it later.
    if (changed && action === 'revoke' && actor.id !== TRUST_LIST_ACTOR.id) await forgetListedPeer(tx, id);
    return toPeer(peer);
  });
}

export async function listPeers(db: Db): Promise<Peer[]> {
  return (await listPeerRows(db)).map(toPeer);
}
