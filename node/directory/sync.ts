// Keeping trusted peers' directories: each is fetched with a service token and If-None-Match once
// the copy held is an hour old (every five minutes while the last attempt failed; and on demand), checked (document.ts) and kept with when it was
// fetched; a directory that does not verify changes nothing but the peer's last error. A peer
// that is down keeps its last good directory until that expires; how fresh each is, is shown.
import { sql } from 'kysely';
import type { NodeContext } from '../context.js';
import { nowSeconds } from '../context.js';
import type { Db } from '../db/database.js';
import type { PeerDirectoriesTable } from '../db/schema.js';
import { readBodyWithin } from '../net/body.js';
import { kidOf, readCompactJws } from '../crypto/compact-jws.js';
import { DomainError } from '../errors.js';
import type { OkpPublicJwk } from '../identity/keys.js';
import { findPeer, peersInState, trustedPeerNames, type PeerRow } from '../peers/store.js';
import { refreshForUnknownKey } from '../peers/unknown-key.js';
import { createServiceToken } from '../peers/service-token.js';
import { startPeriodic, type Periodic } from '../periodic.js';
import type { components } from '../../spec/generated/local.js';
import { MAX_DIRECTORY_BYTES, verifyDirectory, type DirectoryClaims } from './document.js';
import type { DirectoryService } from './services.js';

export const DIRECTORY_PATH = '/federation/v1/directory';
/** A copy this old is fetched again (with If-None-Match) at the next round. */
export const DIRECTORY_REFRESH_MS = 60 * 60_000;
const REQUEST_TIMEOUT_MS = 15_000;

export type SyncOutcome = 'updated' | 'unchanged' | 'refused' | 'unreachable' | 'not-due';
export type PeerDirectoryStatus = components['schemas']['PeerDirectoryStatus'];

export async function syncPeerDirectory(ctx: NodeContext, peer: PeerRow, options: { force?: boolean; signal?: AbortSignal } = {}): Promise<SyncOutcome> {
  const { db } = ctx.database;
  const now = ctx.clock.now();
  const held = await db.selectFrom('peer_directories').selectAll().where('peer_id', '=', peer.id).executeTakeFirst();
  // A peer whose last attempt failed (or never gave a directory) is tried again at every round.
  const settled = held?.jws && (!held.last_error || held.last_error.startsWith('kept;'));
  if (!options.force && settled && Date.parse(held.checked_at) > now.getTime() - DIRECTORY_REFRESH_MS) return 'not-due';
  const log = ctx.logger.child({ subsystem: 'directory', peer: peer.id });
  const record = (changes: Partial<Omit<PeerDirectoriesTable, 'peer_id' | 'revision'>>) =>
    db
      .insertInto('peer_directories')
      .values({ peer_id: peer.id, jws: null, etag: null, iat: null, exp: null, services: null, fetched_at: null, checked_at: now.toISOString(), last_error: null, ...changes })
      .onConflict((oc) => oc.column('peer_id').doUpdateSet({ checked_at: now.toISOString(), ...changes }))
      .execute();

  let response: Response;
  try {
    const token = await createServiceToken({ nodeId: ctx.self.nodeId, signingKey: ctx.self.signingKey }, { aud: peer.id, method: 'GET', path: DIRECTORY_PATH }, nowSeconds(ctx.clock));
    response = await ctx.fetch(`${peer.id}${DIRECTORY_PATH}`, {
      // Once the copy held has expired, a 304 would keep it expired: ask for the whole directory.
      headers: { authorization: `Bearer ${token}`, ...(held?.etag && (held.exp ?? 0) > nowSeconds(ctx.clock) ? { 'if-none-match': held.etag } : {}) },
      signal: options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]) : AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    await record({ last_error: `not reachable (${error instanceof Error ? error.name : 'error'})` });
    log.info('peer directory not reachable; the copy held is kept');
    return 'unreachable';
  }
  if (response.status === 304 && held?.jws) {
    await record({ last_error: null });
    return 'unchanged';
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    await record({ last_error: `answered ${response.status}` });
    log.info({ status: response.status }, 'peer directory not served; the copy held is kept');
    return response.status >= 500 ? 'unreachable' : 'refused';
  }
  const text = (await readBodyWithin(response, MAX_DIRECTORY_BYTES))?.trim();
  if (text === undefined) return refuse(`larger than ${MAX_DIRECTORY_BYTES} bytes`);
  let signer = JSON.parse(peer.signing_jwk) as OkpPublicJwk;
  const check = () =>
    verifyDirectory(text, { id: peer.id, signingKey: signer }, { nowSeconds: nowSeconds(ctx.clock), clockSkewSeconds: ctx.limits.clockSkewSeconds, notBefore: held?.iat ?? undefined });
  let verification = await check();
  if (!verification.ok && kidOf(text) !== signer.kid) {
    // Signed with a key not pinned here: the peer may have rotated its signing key just now.
    const refreshed = await refreshForUnknownKey(ctx, peer.id, kidOf(text));
    if (refreshed) {
      signer = JSON.parse(refreshed.signing_jwk) as OkpPublicJwk;
      verification = await check();
    }
  }
  if (!verification.ok) return refuse(verification.reason);
  const { claims, leftOut } = verification;
  const services = JSON.stringify(claims.services);
  // Kept only if not older than what another sync (a round, the CLI) kept meanwhile; the revision,
  // which rebuilds the matching index, grows only when the services changed.
  const kept = await db
    .insertInto('peer_directories')
    .values({
      peer_id: peer.id, jws: text, etag: response.headers.get('etag'), iat: claims.iat, exp: claims.exp, services,
      fetched_at: now.toISOString(), checked_at: now.toISOString(), last_error: leftOut, revision: 1,
    })
    .onConflict((oc) =>
      oc
        .column('peer_id')
        .doUpdateSet((eb) => ({
          jws: eb.ref('excluded.jws'), etag: eb.ref('excluded.etag'), iat: eb.ref('excluded.iat'), exp: eb.ref('excluded.exp'), services: eb.ref('excluded.services'),
          fetched_at: eb.ref('excluded.fetched_at'), checked_at: eb.ref('excluded.checked_at'), last_error: eb.ref('excluded.last_error'),
          revision: sql<number>`case when peer_directories.services is not distinct from excluded.services then peer_directories.revision else peer_directories.revision + 1 end`,
        }))
        .where(sql<boolean>`coalesce(peer_directories.iat, 0) <= excluded.iat`),
    )
    .executeTakeFirst();
  if (kept.numInsertedOrUpdatedRows === 0n) return 'unchanged';
  log.info({ services: claims.services.length }, 'peer directory updated');
  return 'updated';

  async function refuse(reason: string): Promise<SyncOutcome> {
    await record({ last_error: `refused: ${reason}` });
    log.warn({ reason }, 'peer directory refused; the copy held is kept');
    return 'refused';
  }
}

const rounds = new WeakMap<NodeContext, Promise<unknown>>();
/** Peers asked at the same time in a round: one that is down does not hold up the others. */
const CONCURRENCY = 8;

/**
 * One round over the peers this node trusts: those due (or all, forced) are fetched again. One
 * round at a time per node: a round asked for while another runs starts when it ends.
 */
export function syncPeerDirectories(ctx: NodeContext, options: { force?: boolean; signal?: AbortSignal } = {}): Promise<Map<string, SyncOutcome>> {
  const previous = rounds.get(ctx) ?? Promise.resolve();
  const round = previous.catch(() => undefined).then(async () => {
    await dropRevokedPeersDirectories(ctx.database.db);
    const peers = await peersInState(ctx.database.db, ['trusted']);
    const outcomes = new Map<string, SyncOutcome>();
    let next = 0;
    const worker = async () => {
      while (next < peers.length && !options.signal?.aborted) {
        const peer = peers[next++]!;
        outcomes.set(peer.id, await syncPeerDirectory(ctx, peer, options));
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, peers.length) }, worker));
    return new Map([...outcomes].sort(([a], [b]) => a.localeCompare(b)));
  });
  rounds.set(ctx, round);
  return round;
}

export function startDirectorySync(ctx: NodeContext, everyMs = 5 * 60_000): Periodic {
  return startPeriodic(ctx, 'directory sync', everyMs, (signal) => syncPeerDirectories(ctx, { signal }));
}

/**
 * Drops the directories of revoked peers: no longer offered, nor waiting to be if the peer is
 * invited again (perhaps with a new key). Whoever revokes a peer calls it after the revocation;
 * each round calls it too, for revocations made where the directory is not known (by the trust
 * list, or by a peer's key revocation statement).
 */
export async function dropRevokedPeersDirectories(db: Db): Promise<void> {
  const revoked = new Set((await peersInState(db, ['revoked'])).map((p) => p.id));
  const held = await db.selectFrom('peer_directories').select('peer_id').execute();
  const dropped = held.map((h) => h.peer_id).filter((id) => revoked.has(id));
  // Nothing written when there is nothing to drop: a round does not take the write lock for nothing.
  if (dropped.length > 0) await db.deleteFrom('peer_directories').where('peer_id', 'in', dropped).execute();
}

/** How fresh the directory of each trusted peer is. */
export async function directoryStatus(ctx: NodeContext): Promise<PeerDirectoryStatus[]> {
  const { db } = ctx.database;
  const peers = await trustedPeerNames(db);
  const held = peers.length === 0 ? [] : await db.selectFrom('peer_directories').selectAll().where('peer_id', 'in', peers.map((p) => p.id)).execute();
  const heldBy = new Map(held.map((row) => [row.peer_id, row]));
  const now = nowSeconds(ctx.clock);
  return peers.map((peer) => {
    const row = heldBy.get(peer.id);
    return {
      peer_id: peer.id,
      name: peer.name,
      country: peer.country,
      freshness: row?.exp === null || row?.exp === undefined ? 'none' : row.exp <= now ? 'expired' : 'current',
      services: row?.services ? (JSON.parse(row.services) as DirectoryClaims['services']).length : 0,
      ...(row?.iat ? { signed_at: new Date(row.iat * 1000).toISOString() } : {}),
      ...(row?.fetched_at ? { fetched_at: row.fetched_at } : {}),
      ...(row?.checked_at ? { checked_at: row.checked_at } : {}),
      ...(row?.last_error ? { last_error: row.last_error } : {}),
    };
  });
}

/** A trusted peer whose directory held here is current (not expired), with the revision of what it lists. */
export interface CurrentDirectory {
  id: string;
  name: string;
  country: string;
  revision: number;
}

/** The trusted peers with a current directory, by id: what the matching index is built from, without the services. */
export async function currentDirectoryRevisions(ctx: NodeContext): Promise<CurrentDirectory[]> {
  const { db } = ctx.database;
  const peers = await trustedPeerNames(db);
  if (peers.length === 0) return [];
  const rows = await db
    .selectFrom('peer_directories')
    .select(['peer_id', 'revision'])
    .where('peer_id', 'in', peers.map((p) => p.id))
    .where('exp', '>', nowSeconds(ctx.clock))
    .execute();
  const revisions = new Map(rows.map((r) => [r.peer_id, r.revision]));
  return peers.flatMap((p) => {
    const revision = revisions.get(p.id);
    return revision === undefined ? [] : [{ ...p, revision }];
  });
}

/** The trusted peers with a current directory, by id, with the services it lists. */
export async function currentPeerDirectories(ctx: NodeContext): Promise<Array<CurrentDirectory & { services: DirectoryService[] }>> {
  const { db } = ctx.database;
  const peers = await trustedPeerNames(db);
  if (peers.length === 0) return [];
  const rows = await db
    .selectFrom('peer_directories')
    .select(['peer_id', 'revision', 'services'])
    .where('peer_id', 'in', peers.map((p) => p.id))
    .where('exp', '>', nowSeconds(ctx.clock))
    .execute();
  const held = new Map(rows.map((r) => [r.peer_id, r]));
  return peers.flatMap((p) => {
    const row = held.get(p.id);
    return row ? [{ ...p, revision: row.revision, services: JSON.parse(row.services ?? '[]') as DirectoryService[] }] : [];
  });
}

/** A trusted peer's current directory as held here: what its organisation says of itself, when it was signed and received, and its services. */
export interface HeldDirectory extends CurrentDirectory {
  /** As the directory describes the organisation (its contact, its languages); undefined if the stored document cannot be read. */
  organization: DirectoryClaims['organization'] | undefined;
  signed_at: string;
  fetched_at: string | undefined;
  services: DirectoryService[];
}

/** The current directory of `peerId` held here, if it is a trusted peer's and unexpired. */
export async function heldDirectoryOf(ctx: NodeContext, peerId: string): Promise<HeldDirectory | undefined> {
  const peer = await findPeer(ctx.database.db, peerId);
  if (peer?.state !== 'trusted') return undefined;
  const row = await ctx.database.db
    .selectFrom('peer_directories')
    .select(['revision', 'jws', 'iat', 'fetched_at', 'services'])
    .where('peer_id', '=', peerId)
    .where('exp', '>', nowSeconds(ctx.clock))
    .executeTakeFirst();
  if (!row || row.iat === null) return undefined;
  // The document was verified when it was kept; only what it says of the organisation is read from it here.
  const read = row.jws ? readCompactJws(row.jws) : undefined;
  const organization = read?.ok ? (read.payload as Partial<DirectoryClaims>).organization : undefined;
  return {
    id: peer.id,
    name: peer.name,
    country: peer.country,
    revision: row.revision,
    organization,
    signed_at: new Date(row.iat * 1000).toISOString(),
    fetched_at: row.fetched_at ?? undefined,
    services: JSON.parse(row.services ?? '[]') as DirectoryService[],
  };
}

/** The service `serviceId` as the current (unexpired) directory of `peerId` held here lists it, if it does. */
export async function heldServiceOf(ctx: NodeContext, peerId: string, serviceId: string): Promise<DirectoryClaims['services'][number] | undefined> {
  const held = await ctx.database.db.selectFrom('peer_directories').select(['services', 'exp']).where('peer_id', '=', peerId).executeTakeFirst();
  const current = held?.exp !== null && held?.exp !== undefined && held.exp > nowSeconds(ctx.clock);
  return (current ? (JSON.parse(held.services ?? '[]') as DirectoryClaims['services']) : []).find((s) => s.id === serviceId);
}

/**
 * Refuses a referral for a service that is not in the peer's current directory held here, or is
 * paused or not taking referrals now there: a match that went stale is caught before anything is
 * sent.
 */
export async function requireServiceOf(ctx: NodeContext, peerId: string, serviceId: string): Promise<void> {
  const service = await heldServiceOf(ctx, peerId, serviceId);
  const refuse = (title: string, detail: string) => new DomainError(422, 'invalid-request', title, detail);
  if (!service) {
    throw refuse('Unknown service', `The service ${serviceId} is not in the current directory of ${peerId} held here; sync the directories (referral-node directory sync) and choose from a match again.`);
  }
  if (service.status === 'paused') throw refuse('Service paused', `The service ${serviceId} of ${peerId} is paused; choose another from a match.`);
  if (!service.accepting_referrals) throw refuse('Not taking referrals', `The service ${serviceId} of ${peerId} is not taking referrals now; choose another, or ask them first.`);
}
