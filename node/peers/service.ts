// Peers: other nodes this node knows. A peer is added by URL (its identity document is fetched
// and verified, and stored as pending) and trusted only by an administrator's explicit act,
// which pins its signing key.
import type { Selectable } from 'kysely';
import { readBodyWithin } from '../net/body.js';
import { appendAuditEvent } from '../audit-log/append.js';
import { cancelQueuedMessages } from '../delivery/outbox.js';
import type { AuditActor } from '../audit-log/events.js';
import type { components } from '../../spec/generated/local.js';
import type { Clock, Fetch } from '../context.js';
import type { Db, Tx } from '../db/database.js';
import type { PeersTable } from '../db/schema.js';
import { verifyIdentityDocument, type VerifiedIdentity } from '../identity/document.js';
import { readableFingerprint } from '../identity/keys.js';

export type Peer = components['schemas']['Peer'];

export class PeerError extends Error {}

/**
 * An identity document is a few kilobytes (up to some 80 with the longest continuity chain and
 * revocation statements it may carry); anything far larger is refused unread.
 */
export const MAX_DOCUMENT_BYTES = 256 * 1024;

/** The actor of a change made with the CLI on the node's machine (no user is signed in there). */
export const COMMAND_LINE: AuditActor = { kind: 'system', id: 'command-line' };

/** Normalises a node URL to its id form: origin plus path, no trailing slash, no query. */
export function normaliseNodeUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new PeerError(`"${input}" is not a URL; give the peer's base URL, e.g. https://node.example.org.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new PeerError('A node URL must start with https:// (or http:// on a test network).');
  if (url.username || url.password || url.search || url.hash) throw new PeerError('A node URL has no credentials, query or fragment.');
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

export async function fetchPeerIdentity(
  fetch: Fetch,
  clock: Clock,
  nodeUrl: string,
): Promise<{ identity: VerifiedIdentity; jws: string }> {
  const id = normaliseNodeUrl(nodeUrl);
  let response: Response;
  try {
    response = await fetch(`${id}/.well-known/referral-node`, { signal: AbortSignal.timeout(15_000) });
  } catch (error) {
    throw new PeerError(`Could not reach ${id} (${error instanceof Error ? error.message : 'network error'}). Check the URL and that the node is running.`);
  }
  if (!response.ok) throw new PeerError(`${id} answered ${response.status} for its identity document; is it a referral node?`);
  const text = await readBodyWithin(response, MAX_DOCUMENT_BYTES);
  if (text === undefined) throw new PeerError(`${id} served an identity document larger than ${MAX_DOCUMENT_BYTES} bytes; is it a referral node?`);
  const jws = text.trim();
  const verification = await verifyIdentityDocument(jws, Math.floor(clock.now().getTime() / 1000), id);
  if (!verification.ok) throw new PeerError(`The identity document of ${id} was refused: ${verification.reason}`);
  return { identity: verification.identity, jws };
}

/** Stores the node of `identity` as pending, by `actor` (an administrator, or the command line). */
export async function addPeer(
  db: Db,
  identity: VerifiedIdentity,
  identityJws: string,
  now: Date,
  actor: AuditActor = COMMAND_LINE,
): Promise<{ peer: Peer; created: boolean }> {
  return db.transaction().execute((tx) => addPeerIn(tx, identity, identityJws, now, actor));
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
  const existing = await tx.selectFrom('peers').selectAll().where('id', '=', claims.iss).executeTakeFirst();
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
  await tx.insertInto('peers').values(row).execute();
  await appendAuditEvent(tx, now, actor, { type: 'peer.added', peer_id: row.id, signing_kid: row.signing_kid });
  return { peer: toPeer(row), created: true };
}

/** A peers row from a verified identity document, in `state`, added (and for trusted, trusted) at `at`. */
export function peerRowFrom<S extends 'pending' | 'trusted'>(identity: VerifiedIdentity, identityJws: string, state: S, at: string) {
  const { claims } = identity;
  return {
    id: claims.iss,
    name: claims.name,
    country: claims.country,
    languages: JSON.stringify(claims.languages),
    contact: claims.contact ?? null,
    state,
    signing_kid: identity.signingKey.kid,
    signing_jwk: JSON.stringify(identity.signingKey),
    encryption_kid: identity.encryptionKey.kid,
    encryption_jwk: JSON.stringify(identity.encryptionKey),
    identity_jws: identityJws,
    added_at: at,
    trusted_at: state === 'trusted' ? at : null,
    updated_at: at,
  };
}

/**
 * Trusts a pending peer, pinning its signing key, by `actor`. Trusting a trusted peer changes
 * nothing; a suspended one is restored instead (trusting it would lift the suspension without
 * the restore the audit log should show), and a revoked one is never trusted again.
 */
export async function trustPeer(db: Db, id: string, now: Date, actor: AuditActor = COMMAND_LINE): Promise<Peer> {
  // Read and changed under one write lock, as changePeerState: the peer may be suspended meanwhile.
  return db.transaction().execute((tx) => trustPeerIn(tx, id, now, actor));
}

/** As trustPeer, inside a transaction of the caller's. */
export async function trustPeerIn(tx: Tx, id: string, now: Date, actor: AuditActor = COMMAND_LINE): Promise<Peer> {
  const at = now.toISOString();
  const peer = await tx.selectFrom('peers').selectAll().where('id', '=', id).executeTakeFirst();
  if (!peer) throw new PeerError(`No peer ${id}; add it first with \`referral-node peer add URL\`.`);
  if (peer.state === 'trusted') return toPeer(peer);
  if (peer.state === 'revoked') throw new PeerError(`${id} was revoked; a revoked peer is not trusted again.`);
  if (peer.state === 'suspended') throw new PeerError(`${id} is suspended; restore it instead (only a pending peer can be trusted).`);
  await tx.updateTable('peers').set({ state: 'trusted', trusted_at: at, updated_at: at }).where('id', '=', id).execute();
  await appendAuditEvent(tx, now, actor, { type: 'peer.trusted', peer_id: id, signing_kid: peer.signing_kid });
  return toPeer({ ...peer, state: 'trusted', trusted_at: at, updated_at: at });
}

export type PeerAction = 'suspend' | 'restore' | 'revoke';
export type RevocationReason = 'key-compromise' | 'no-longer-partner' | 'other';

const ACTIONS: Readonly<Record<PeerAction, { from: ReadonlyArray<PeersTable['state']>; to: PeersTable['state'] }>> = {
  // Suspended: refused both ways for now; messages to it wait in the outbox.
  suspend: { from: ['trusted'], to: 'suspended' },
  restore: { from: ['suspended'], to: 'trusted' },
  // Revoked: refused for good; what still waits for it is cancelled, never sent.
  revoke: { from: ['pending', 'trusted', 'suspended'], to: 'revoked' },
};

/**
 * Suspends, restores or revokes a peer, by an administrator (`actor`): the state, the audit
 * entry and, on revocation, the cancellation of every message still queued for the peer, in one
 * transaction. Doing again what is already done changes nothing.
 */
export async function changePeerState(
  db: Db,
  id: string,
  action: PeerAction,
  now: Date,
  actor: AuditActor = COMMAND_LINE,
  reason?: RevocationReason,
): Promise<Peer> {
  // Read and changed under one write lock: an invitation or the trust list may change the peer meanwhile.
  return toPeer(await db.transaction().execute((tx) => changePeerStateIn(tx, id, action, now, actor, reason)));
}

/** changePeerState within a transaction the caller holds (with other changes that must go with it). */
export async function changePeerStateIn(
  tx: Tx,
  id: string,
  action: PeerAction,
  now: Date,
  actor: AuditActor = COMMAND_LINE,
  reason?: RevocationReason,
): Promise<Selectable<PeersTable>> {
  const at = now.toISOString();
  const { from, to } = ACTIONS[action];
  const current = await tx.selectFrom('peers').selectAll().where('id', '=', id).executeTakeFirst();
  if (!current) throw new PeerError(`No peer ${id}; \`referral-node peer list\` shows the peers this node knows.`);
  if (current.state === to) return current;
  if (!from.includes(current.state)) {
    throw new PeerError(
      current.state === 'revoked'
        ? `${id} was revoked; a revoked peer is not trusted again (a new invitation makes it a peer anew).`
        : `${id} is ${current.state}; only a ${from.join(' or ')} peer can be ${action === 'restore' ? 'restored' : `${action}d`}.`,
    );
  }
  await tx
    .updateTable('peers')
    .set({ state: to, updated_at: at, ...(action === 'revoke' ? { revocation_reason: reason ?? 'other' } : {}) })
    .where('id', '=', id)
    .execute();
  if (action === 'revoke') {
    await cancelQueuedMessages(tx, { peerId: id }, now, 'peer revoked', actor);
    // Its directory is no longer offered, nor waits to be if it is invited again (perhaps with a new key).
    await tx.deleteFrom('peer_directories').where('peer_id', '=', id).execute();
    // A revocation not made by the trust list is not undone by it later.
    if (actor.id !== 'trust-list') await tx.deleteFrom('trust_list_peers').where('peer_id', '=', id).execute();
  }
  const event =
    action === 'suspend'
      ? ({ type: 'peer.suspended', peer_id: id } as const)
      : action === 'restore'
        ? ({ type: 'peer.restored', peer_id: id } as const)
        : ({ type: 'peer.revoked', peer_id: id, reason: reason ?? 'other' } as const);
  await appendAuditEvent(tx, now, actor, event);
  return { ...current, state: to, updated_at: at, ...(action === 'revoke' ? { revocation_reason: reason ?? 'other' } : {}) };
}

export async function listPeers(db: Db): Promise<Peer[]> {
  const rows = await db.selectFrom('peers').selectAll().orderBy('added_at').execute();
  return rows.map(toPeer);
}

export function toPeer(row: Omit<Selectable<PeersTable>, 'identity_etag' | 'identity_checked_at' | 'revocation_reason'>): Peer {
  return {
    id: row.id,
    name: row.name,
    country: row.country,
    languages: JSON.parse(row.languages) as string[],
    state: row.state,
    fingerprint: readableFingerprint(row.signing_kid),
    added_at: row.added_at,
    ...(row.trusted_at ? { trusted_at: row.trusted_at } : {}),
  };
}
