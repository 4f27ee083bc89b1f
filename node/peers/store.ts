// The peers table: each peer node with its pinned keys, its identity document and its trust state.
// The rules for changing a peer (who trusts it, when it is revoked, which document is accepted)
// are those of service.ts, peer-state.ts, pin-peer.ts, the refresh and the trust list; this
// module reads and writes the rows they decide on, and other concerns read peers through it.
import type { ExpressionBuilder, Selectable } from 'kysely';
import type { components } from '../../spec/generated/local.js';
import type { Db, Tx } from '../db/database.js';
import { preparedStatement } from '../db/prepared.js';
import type { PeersTable, Schema } from '../db/schema.js';
import type { VerifiedIdentity } from '../identity/document.js';
import { readableFingerprint } from '../identity/keys.js';

export type Peer = components['schemas']['Peer'];
export type PeerRow = Selectable<PeersTable>;
export type PeerState = PeersTable['state'];
export type RevocationReason = 'key-compromise' | 'no-longer-partner' | 'other';

export async function findPeer(db: Db | Tx, id: string): Promise<PeerRow | undefined> {
  return peerById.first(db, { id });
}

const peerById = preparedStatement((db, v: { id: string }) => db.selectFrom('peers').selectAll().where('id', '=', v.id));

/** A peer as a signed request needs it: everything but its identity document, the row's bulk, read at every message. */
export type SigningPeer = Omit<PeerRow, 'identity_jws'>;

export async function findSigningPeer(db: Db, id: string): Promise<SigningPeer | undefined> {
  return signingPeerById.first(db, { id });
}

const signingPeerById = preparedStatement((db, v: { id: string }) =>
  db.selectFrom('peers').select([
    'id', 'name', 'country', 'languages', 'contact', 'state', 'signing_kid', 'signing_jwk', 'encryption_kid', 'encryption_jwk', 'identity_etag',
    'identity_checked_at', 'revocation_reason', 'added_at', 'trusted_at', 'updated_at',
  ]).where('id', '=', v.id),
);

/** Every peer, in the order they were added (or by name, for a list people read). */
export async function listPeerRows(db: Db, order: 'added_at' | 'name' = 'added_at'): Promise<PeerRow[]> {
  return db.selectFrom('peers').selectAll().orderBy(order).execute();
}

/** The peers in one of `states`, by id. */
export async function peersInState(db: Db, states: readonly PeerState[]): Promise<PeerRow[]> {
  return db.selectFrom('peers').selectAll().where('state', 'in', states).orderBy('id').execute();
}

/** The trusted peers' ids and names, by id (for what lists their services). */
export async function trustedPeerNames(db: Db): Promise<Array<{ id: string; name: string; country: string }>> {
  return db.selectFrom('peers').select(['id', 'name', 'country']).where('state', '=', 'trusted').orderBy('id').execute();
}

/** The identity documents held for the peers `ids` (those known), by id. */
export async function identityDocumentsOf(db: Db, ids: readonly string[]): Promise<Array<{ id: string; identity_jws: string }>> {
  if (ids.length === 0) return [];
  return db.selectFrom('peers').select(['id', 'identity_jws']).where('id', 'in', ids).orderBy('id').execute();
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

export type NewPeerRow = ReturnType<typeof peerRowFrom>;

export function toPeer(row: Omit<PeerRow, 'identity_etag' | 'identity_checked_at' | 'revocation_reason'>): Peer {
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

export async function insertPeer(tx: Tx, row: NewPeerRow): Promise<void> {
  await tx.insertInto('peers').values(row).execute();
}

/** A known peer becomes a peer anew with `row` (a fresh document, pinned): an earlier revocation's reason no longer holds. */
export async function repinPeer(tx: Tx, row: NewPeerRow): Promise<void> {
  await tx.updateTable('peers').set({ ...row, revocation_reason: null }).where('id', '=', row.id).execute();
}

export async function markPeerTrusted(tx: Tx, id: string, at: string): Promise<void> {
  await tx.updateTable('peers').set({ state: 'trusted', trusted_at: at, updated_at: at }).where('id', '=', id).execute();
}

/**
 * Trusts `id` if it is still pending with the signing key `signingKid`; false when it changed
 * meanwhile (and nothing was written).
 */
export async function trustIfPendingWith(tx: Tx, id: string, signingKid: string, at: string): Promise<boolean> {
  const changed = await tx
    .updateTable('peers')
    .set({ state: 'trusted', trusted_at: at, updated_at: at })
    .where('id', '=', id)
    .where('state', '=', 'pending')
    .where('signing_kid', '=', signingKid)
    .executeTakeFirst();
  return changed.numUpdatedRows !== 0n;
}

/** The peer's trust state becomes `state`; a revocation carries its reason. */
export async function setPeerState(tx: Tx, id: string, state: PeerState, at: string, revocationReason?: RevocationReason): Promise<void> {
  await tx
    .updateTable('peers')
    .set({ state, updated_at: at, ...(revocationReason ? { revocation_reason: revocationReason } : {}) })
    .where('id', '=', id)
    .execute();
}

/** A peer revoked before for another reason: its keys are now known to be compromised. */
export async function markKeyCompromised(tx: Tx, id: string, at: string): Promise<void> {
  await tx.updateTable('peers').set({ revocation_reason: 'key-compromise', updated_at: at }).where('id', '=', id).execute();
}

/** When the peer's identity document was last fetched, whether or not it changed anything. */
export async function recordIdentityChecked(db: Db, id: string, at: string): Promise<void> {
  await db.updateTable('peers').set({ identity_checked_at: at }).where('id', '=', id).execute();
}

/** What a refreshed identity document, once accepted, changes of a peer. */
export interface RefreshedIdentity {
  identity: VerifiedIdentity;
  jws: string;
  etag: string | null;
  checkedAt: string;
}

/**
 * Writes a peer's accepted identity document over `held`, the row it was checked against; false
 * when the row changed meanwhile (revoked, or refreshed by a concurrent round) and nothing was.
 */
export async function recordRefreshedIdentity(tx: Tx, held: PeerRow, fresh: RefreshedIdentity): Promise<boolean> {
  const { claims } = fresh.identity;
  const updated = await tx
    .updateTable('peers')
    .set({
      name: claims.name,
      country: claims.country,
      languages: JSON.stringify(claims.languages),
      contact: claims.contact ?? null,
      signing_kid: fresh.identity.signingKey.kid,
      signing_jwk: JSON.stringify(fresh.identity.signingKey),
      encryption_kid: fresh.identity.encryptionKey.kid,
      encryption_jwk: JSON.stringify(fresh.identity.encryptionKey),
      identity_jws: fresh.jws,
      identity_etag: fresh.etag,
      identity_checked_at: fresh.checkedAt,
      updated_at: fresh.checkedAt,
    })
    .where('id', '=', held.id)
    .where('signing_kid', '=', held.signing_kid)
    .where('state', '=', held.state)
    .where('identity_jws', '=', held.identity_jws)
    .executeTakeFirst();
  return updated.numUpdatedRows === 1n;
}

/**
 * The ids of the peers trusted now (only they are sent anything), as a subquery of the outbox's
 * statements, which look at a peer's trust as they find and lease its envelopes.
 */
export function trustedPeerIdsIn(eb: ExpressionBuilder<Schema, 'envelopes'>) {
  return eb.selectFrom('peers').select('peers.id').where('peers.state', '=', 'trusted');
}

/** What pages need to name an organisation. */
export interface PeerName {
  name: string;
  country: string;
}

/** The name and country of each of these peers that this node knows (an unknown id is left out). */
export async function peerNames(db: Db, ids: readonly string[]): Promise<Map<string, PeerName>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('peers').select(['id', 'name', 'country']).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, { name: r.name, country: r.country }]));
}
