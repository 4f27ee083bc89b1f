// Following a network trust list: fetch it (hourly, and when the node starts), verify it against
// the configured anchor thumbprint, then trust the members this node does not trust yet (their
// identity document must show the listed key) and revoke the peers it trusted because of the list
// that the list no longer names. Peers trusted, suspended or revoked by hand are left alone. A
// list that cannot be fetched, does not verify or is stale changes nothing.
import type { AuditActor } from '../audit-log/events.js';
import { peerSigningKeys } from './peer-keys.js';
import { appendAuditEvent } from '../audit-log/append.js';
import { nowSeconds, type NodeContext } from '../context.js';
import { b64u, sha256, utf8 } from '../crypto/encoding.js';
import type { Tx } from '../db/database.js';
import { readBodyWithin } from '../net/body.js';
import { readableFingerprint } from '../identity/keys.js';
import { startPeriodic, type Periodic } from '../periodic.js';
import { fetchIdentityOf, pinTrustedPeer } from './pin-peer.js';
import { changePeerStateIn } from './peer-state.js';
import { findPeer, trustIfPendingWith } from './store.js';
import { verifyTrustList, type TrustListClaims } from './trust-list.js';

export interface TrustListFollowing {
  /** Where the anchor publishes the signed list. */
  url: string;
  /** The RFC 7638 thumbprint of the anchor's key, given out of band. */
  anchorKid: string;
}

export const TRUST_LIST_ACTOR: AuditActor = { kind: 'system', id: 'trust-list' };

/** Something the list asked that this node did not do; ids and fingerprints only. */
export interface TrustListProblem {
  node_id: string;
  kind: 'key-conflict' | 'identity-mismatch' | 'identity-unavailable';
  detail: string;
}

export interface TrustListApplied {
  added: string[];
  removed: string[];
  /** Members this node's administrator suspended or revoked: not trusted again by the list. */
  left_alone: string[];
}

export type TrustListOutcome =
  | { outcome: 'applied'; network: string; applied: TrustListApplied; problems: TrustListProblem[] }
  | { outcome: 'unreachable' | 'refused'; detail: string };

const REQUEST_TIMEOUT_MS = 15_000;
const LARGEST_LIST_BYTES = 4 * 1024 * 1024;

async function fetchList(ctx: NodeContext, url: string, signal?: AbortSignal): Promise<{ ok: true; jws: string } | { ok: false; detail: string }> {
  let response: Response;
  try {
    const timeout = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    response = await ctx.fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
  } catch (error) {
    return { ok: false, detail: `The trust list could not be fetched (${error instanceof Error ? error.name : 'network error'}).` };
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    return { ok: false, detail: `The trust list URL answered ${response.status}.` };
  }
  const text = await readBodyWithin(response, LARGEST_LIST_BYTES);
  if (text === undefined) return { ok: false, detail: 'The trust list is larger than 4 MiB.' };
  return { ok: true, jws: text.trim() };
}

async function recordAttempt(ctx: NodeContext, url: string, outcome: 'unreachable' | 'refused', detail: string): Promise<TrustListOutcome> {
  const checkedAt = ctx.clock.now().toISOString();
  const db = ctx.database.db;
  const updated = await db.updateTable('trust_list_status').set({ url, checked_at: checkedAt, outcome, detail }).where('id', '=', 1).executeTakeFirst();
  if (updated.numUpdatedRows === 0n) await db.insertInto('trust_list_status').values({ id: 1, url, checked_at: checkedAt, outcome, detail }).execute();
  ctx.logger.warn({ subsystem: 'trust-list', outcome }, `trust list not applied: ${detail}`);
  return { outcome, detail };
}

/** One round: fetch, verify, apply. */
export async function followTrustList(ctx: NodeContext, following: TrustListFollowing, options: { signal?: AbortSignal } = {}): Promise<TrustListOutcome> {
  const fetched = await fetchList(ctx, following.url, options.signal);
  if (!fetched.ok) return recordAttempt(ctx, following.url, 'unreachable', fetched.detail);
  const last = await ctx.database.db.selectFrom('trust_list_status').select(['url', 'list_iat']).where('id', '=', 1).executeTakeFirst();
  const verification = await verifyTrustList(fetched.jws, following.anchorKid, nowSeconds(ctx.clock), {
    clockSkewSeconds: ctx.limits.clockSkewSeconds,
    // No roll-back to an older list of the same URL; another URL is another list.
    notBefore: last?.url === following.url ? (last.list_iat ?? undefined) : undefined,
  });
  if (!verification.ok) return recordAttempt(ctx, following.url, 'refused', verification.reason);
  return applyTrustList(ctx, following.url, verification.claims, b64u.encode(sha256(utf8.encode(fetched.jws))), options.signal);
}

async function applyTrustList(ctx: NodeContext, url: string, list: TrustListClaims, digest: string, signal?: AbortSignal): Promise<TrustListOutcome> {
  const db = ctx.database.db;
  const log = ctx.logger.child({ subsystem: 'trust-list' });
  const applied: TrustListApplied = { added: [], removed: [], left_alone: [] };
  const problems: TrustListProblem[] = [];
  const listed = new Map(list.members.map((m) => [m.node_id, m.signing_kid]));
  for (const [nodeId, signingKid] of listed) {
    if (signal?.aborted) break;
    if (nodeId === ctx.self.nodeId) continue;
    const peer = await findPeer(db, nodeId);
    const fromList = await db.selectFrom('trust_list_peers').select('state').where('peer_id', '=', nodeId).executeTakeFirst();
    // A peer revoked because the list dropped it becomes a peer anew when the list names it again.
    // Never one whose key was declared compromised since: that takes a new invitation.
    const revokedByList = peer?.state === 'revoked' && fromList?.state === 'removed' && peer.revocation_reason !== 'key-compromise';
    if (peer && !revokedByList) {
      // The listed key, or one before it in the peer's continuity chain (the list not updated since it rotated).
      if (!peerSigningKeys(peer).has(signingKid)) {
        if (peer.state !== 'revoked') {
          problems.push({
            node_id: nodeId,
            kind: 'key-conflict',
            detail: `Known here with the signing key ${readableFingerprint(peer.signing_kid)}; the list names ${readableFingerprint(signingKid)}. Nothing was changed.`,
          });
        } else {
          applied.left_alone.push(nodeId);
        }
        continue;
      }
      if (peer.state === 'trusted') continue;
      if (peer.state === 'suspended' || peer.state === 'revoked') {
        applied.left_alone.push(nodeId);
        continue;
      }
      // Pending with the listed key: the anchor vouches for the key an administrator fetched.
      const at = ctx.clock.now();
      await ctx.database.transaction(async (tx) => {
        if (!(await trustIfPendingWith(tx, nodeId, peer.signing_kid, at.toISOString()))) return;
        await appendAuditEvent(tx, at, TRUST_LIST_ACTOR, { type: 'peer.trusted', peer_id: nodeId, signing_kid: peer.signing_kid });
        await rememberListed(tx, nodeId, signingKid, at.toISOString());
        applied.added.push(nodeId);
      });
      continue;
    }
    const fetched = await fetchIdentityOf(ctx, nodeId);
    if (!fetched.ok) {
      problems.push({ node_id: nodeId, kind: fetched.problem === 'identity-mismatch' ? 'identity-mismatch' : 'identity-unavailable', detail: fetched.reason });
      continue;
    }
    if (!fetched.identity.signingKeys.some((k) => k.kid === signingKid)) {
      problems.push({
        node_id: nodeId,
        kind: 'identity-mismatch',
        detail: `Its identity document shows the signing key ${readableFingerprint(fetched.identity.signingKey.kid)}; the list names ${readableFingerprint(signingKid)}. Not trusted.`,
      });
      continue;
    }
    const at = ctx.clock.now();
    try {
      await ctx.database.transaction(async (tx) => {
        await pinTrustedPeer(tx, fetched.identity, fetched.jws, at, TRUST_LIST_ACTOR);
        await rememberListed(tx, nodeId, signingKid, at.toISOString());
      });
      applied.added.push(nodeId);
    } catch (error) {
      // Known meanwhile with another key, or suspended: pinTrustedPeer refused and nothing changed.
      problems.push({ node_id: nodeId, kind: 'key-conflict', detail: error instanceof Error ? error.message : 'Refused; nothing was changed.' });
    }
  }
  if (!signal?.aborted) {
    const dropped = await db.selectFrom('trust_list_peers').select('peer_id').where('state', '=', 'listed').execute();
    for (const { peer_id } of dropped) {
      if (listed.has(peer_id)) continue;
      const at = ctx.clock.now();
      await ctx.database.transaction(async (tx) => {
        const peer = await findPeer(tx, peer_id);
        if (peer && peer.state !== 'revoked') await changePeerStateIn(tx, peer_id, 'revoke', at, TRUST_LIST_ACTOR, 'no-longer-partner');
        await tx.updateTable('trust_list_peers').set({ state: 'removed', removed_at: at.toISOString() }).where('peer_id', '=', peer_id).execute();
      });
      applied.removed.push(peer_id);
    }
  }
  const at = ctx.clock.now();
  await ctx.database.transaction(async (tx) => {
    const previous = await tx.selectFrom('trust_list_status').select('list_digest').where('id', '=', 1).executeTakeFirst();
    // An entry per new list or per change, not one an hour for the same list.
    if (previous?.list_digest !== digest || applied.added.length > 0 || applied.removed.length > 0) {
      await appendAuditEvent(tx, at, TRUST_LIST_ACTOR, {
        type: 'trust-list.applied', network: list.iss, members: list.members.length, added: applied.added.length, removed: applied.removed.length,
      });
    }
    const row = {
      url,
      checked_at: at.toISOString(),
      outcome: 'applied' as const,
      detail: null,
      network: list.iss,
      list_iat: list.iat,
      list_exp: list.exp,
      list_digest: digest,
      applied_at: at.toISOString(),
      members: JSON.stringify(list.members),
      applied: JSON.stringify(applied),
      problems: JSON.stringify(problems),
    };
    if (previous) await tx.updateTable('trust_list_status').set(row).where('id', '=', 1).execute();
    else await tx.insertInto('trust_list_status').values({ id: 1, ...row }).execute();
  });
  log.info({ network: list.iss, members: list.members.length, added: applied.added.length, removed: applied.removed.length }, 'trust list applied');
  for (const problem of problems) log.warn({ peer: problem.node_id, kind: problem.kind }, 'trust list member not trusted; see referral-node trustlist status');
  return { outcome: 'applied', network: list.iss, applied, problems };
}

async function rememberListed(tx: Tx, peerId: string, signingKid: string, at: string): Promise<void> {
  await tx
    .insertInto('trust_list_peers')
    .values({ peer_id: peerId, signing_kid: signingKid, state: 'listed', added_at: at, removed_at: null })
    .onConflict((oc) => oc.column('peer_id').doUpdateSet({ signing_kid: signingKid, state: 'listed', added_at: at, removed_at: null }))
    .execute();
}

/** Forgets that `peerId` was trusted because of the list: revoked otherwise, it is not the list's to trust again. */
export async function forgetListedPeer(tx: Tx, peerId: string): Promise<void> {
  await tx.deleteFrom('trust_list_peers').where('peer_id', '=', peerId).execute();
}

export interface TrustListStatus {
  following: TrustListFollowing | null;
  url?: string;
  checked_at?: string;
  outcome?: 'applied' | 'unreachable' | 'refused';
  detail?: string;
  network?: string;
  list_iat?: string;
  list_exp?: string;
  applied_at?: string;
  members?: Array<{ node_id: string; signing_kid: string; name?: string }>;
  applied?: TrustListApplied;
  problems?: TrustListProblem[];
  /** Peers trusted because of the list, and those it revoked. */
  listed_peers: Array<{ peer_id: string; state: 'listed' | 'removed'; added_at: string; removed_at: string | null }>;
}

const iso = (seconds: number | null) => (seconds === null ? undefined : new Date(seconds * 1000).toISOString());

export async function trustListStatus(ctx: NodeContext, following: TrustListFollowing | undefined): Promise<TrustListStatus> {
  const db = ctx.database.db;
  const row = await db.selectFrom('trust_list_status').selectAll().where('id', '=', 1).executeTakeFirst();
  const listedPeers = await db.selectFrom('trust_list_peers').select(['peer_id', 'state', 'added_at', 'removed_at']).orderBy('peer_id').execute();
  const status: TrustListStatus = { following: following ?? null, listed_peers: listedPeers };
  if (!row) return status;
  return {
    ...status,
    url: row.url,
    checked_at: row.checked_at,
    outcome: row.outcome,
    ...(row.detail ? { detail: row.detail } : {}),
    ...(row.network ? { network: row.network } : {}),
    ...(row.list_iat !== null ? { list_iat: iso(row.list_iat)! } : {}),
    ...(row.list_exp !== null ? { list_exp: iso(row.list_exp)! } : {}),
    ...(row.applied_at ? { applied_at: row.applied_at } : {}),
    ...(row.members ? { members: JSON.parse(row.members) as TrustListStatus['members'] } : {}),
    ...(row.applied ? { applied: JSON.parse(row.applied) as TrustListApplied } : {}),
    ...(row.problems ? { problems: JSON.parse(row.problems) as TrustListProblem[] } : {}),
  };
}

export function startTrustListFollower(ctx: NodeContext, following: TrustListFollowing | undefined, everyMs = 60 * 60_000): Periodic {
  if (!following) return { stop: async () => {} };
  return startPeriodic(ctx, 'trust list', everyMs, (signal) => followTrustList(ctx, following, { signal }));
}
