// Acting on a peer's key revocation statement (identity/revocation.ts), pushed to
// POST /federation/v1/key-revocations or found in the peer's identity document at a refresh: the
// peer is revoked at once with reason key-compromise, so its key (and any chain made with it) is
// never pinned again, and what still waited for it is cancelled. And the other direction: pushing
// this node's own statement to every peer that trusts it.
import type { NodeContext } from '../context.js';
import type { AuditActor } from '../audit-log/events.js';
import { catalogued, DomainError, type ProblemCatalogue } from '../errors.js';
import { readBodyWithin } from '../net/body.js';
import { readKeyRevocation, revocationSignedWith, revokedKeyReachedFrom } from '../identity/revocation.js';
import { recordKeyRevocation } from '../identity/revocations.js';
import type { OkpPublicJwk } from '../identity/keys.js';
import { peerSigningKeys } from './peer-keys.js';
import { changePeerStateIn } from './peer-state.js';
import { findPeer, markKeyCompromised, peersInState } from './store.js';
import { forgetListedPeer } from './trust-list-follower.js';

export const keyRevocationProblems = {
  'key-revocation-too-large': [413, 'Key revocation too large', 'A key revocation statement is a compact JWS of well under 16 KiB.'],
  'unsupported-media-type': [415, 'Unsupported media type', 'Post the compact JWS with Content-Type: application/jwt.'],
  'malformed-key-revocation': [400, 'Malformed key revocation', 'The body is not a well-formed referral-key-revocation+jwt.'],
  'unknown-key': [403, 'Unknown key', 'This node does not know that key as a signing key of one of its peers, or does not follow that trust anchor.'],
  'bad-signature': [403, 'Bad signature', 'The statement does not verify with the key that must have signed it.'],
} as const satisfies ProblemCatalogue;

export type KeyRevocationProblem = keyof typeof keyRevocationProblems;

export function keyRevocationProblem(name: KeyRevocationProblem, detail?: string): DomainError {
  return catalogued(keyRevocationProblems, name, { detail });
}

export interface AcceptedRevocation {
  node_id: string;
  kid: string;
  peer_state: 'revoked';
}

/**
 * Checks a statement (form, known key, signature, in the order of the spec) and acts on it.
 * Throws the problem for a statement that must change nothing.
 */
export async function acceptKeyRevocation(ctx: NodeContext, jws: string): Promise<AcceptedRevocation> {
  const read = await readKeyRevocation(jws);
  if (!read.ok) throw keyRevocationProblem('malformed-key-revocation', read.reason);
  const { claims, signer } = read;
  const peer = await findPeer(ctx.database.db, claims.sub);
  if (!peer || (signer.by === 'trust-anchor' && signer.kid !== ctx.trustAnchorKid)) throw keyRevocationProblem('unknown-key');
  if (signer.by === 'key') {
    // The node revokes only the key it signs with now: the key pinned here, or a later one its
    // statement's chain leads to from the pinned one. Never an earlier key: whoever kept a key the
    // node rotated away from must not be able to cut it off (or bar its good key) with it.
    const pinned = JSON.parse(peer.signing_jwk) as OkpPublicJwk;
    const key = claims.kid === pinned.kid ? pinned : await revokedKeyReachedFrom(jws, claims, pinned.kid);
    if (key === 'bad-signature') throw keyRevocationProblem('bad-signature');
    if (!key) throw keyRevocationProblem('unknown-key');
    if (key === pinned && !(await revocationSignedWith(jws, pinned))) throw keyRevocationProblem('bad-signature');
  } else {
    // The anchor vouched for a key in its list, which may lag behind the node's rotations.
    if (!peerSigningKeys(peer).has(claims.kid)) throw keyRevocationProblem('unknown-key');
    if (!(await revocationSignedWith(jws, signer.jwk))) throw keyRevocationProblem('bad-signature');
  }

  const now = ctx.clock.now();
  const at = now.toISOString();
  const actor: AuditActor = signer.by === 'key' ? { kind: 'peer', id: peer.id } : { kind: 'system', id: 'trust-anchor' };
  // The evidence, the revocation and its reason in one transaction: a crash leaves all or nothing.
  const revokedNow = await ctx.database.transaction(async (tx) => {
    await recordKeyRevocation(tx, {
      kid: claims.kid, node_id: peer.id, statement: jws, signed_by: signer.by, reason: claims.reason, revoked_at: new Date(claims.iat * 1000).toISOString(), received_at: at,
    });
    // Its keys are never pinned again, by invitation or by the trust list.
    await forgetListedPeer(tx, peer.id);
    const current = await findPeer(tx, peer.id);
    if (current?.state !== 'revoked') {
      await changePeerStateIn(tx, peer.id, 'revoke', now, actor, 'key-compromise');
      return true;
    }
    // Revoked before for another reason: now its keys are known to be compromised.
    if (current.revocation_reason !== 'key-compromise') await markKeyCompromised(tx, peer.id, at);
    return false;
  });
  if (revokedNow) ctx.logger.warn({ peer: peer.id, signedBy: signer.by }, 'peer key declared compromised: peer revoked; it can be trusted again only by a new invitation with a new key');
  return { node_id: peer.id, kid: claims.kid, peer_state: 'revoked' };
}

/**
 * Acts on the revocation statements in `peerId`'s identity document (for when the push did not
 * reach this node); statements about other nodes, or keys not pinned here, are ignored. Whether
 * the peer is revoked now.
 */
export async function applyKeyRevocationsIn(ctx: NodeContext, peerId: string, statements: readonly string[]): Promise<boolean> {
  for (const statement of statements) {
    const read = await readKeyRevocation(statement);
    if (!read.ok || read.claims.sub !== peerId) continue;
    try {
      await acceptKeyRevocation(ctx, statement);
    } catch (error) {
      // About a key this node does not pin for the peer (an older one, before a re-invitation): nothing to do.
      if (!(error instanceof DomainError)) throw error;
    }
  }
  const peer = await findPeer(ctx.database.db, peerId);
  return peer?.state === 'revoked';
}

export type PushOutcome = 'revoked' | 'unreachable' | `refused ${number}${string}`;

const REQUEST_TIMEOUT_MS = 15_000;

/** Sends this node's own statement to every peer it trusts or has suspended; what each answered. */
export async function pushKeyRevocation(ctx: NodeContext, statement: string): Promise<Map<string, PushOutcome>> {
  const peers = await peersInState(ctx.database.db, ['trusted', 'suspended']);
  const outcomes = new Map<string, PushOutcome>();
  await Promise.all(
    peers.map(async ({ id }) => {
      outcomes.set(id, await pushTo(ctx.fetch, id, statement));
    }),
  );
  return new Map([...outcomes].sort(([a], [b]) => a.localeCompare(b)));
}

export async function pushTo(fetch: NodeContext['fetch'], nodeId: string, statement: string): Promise<PushOutcome> {
  let response: Response;
  try {
    response = await fetch(`${nodeId}/federation/v1/key-revocations`, {
      method: 'POST',
      headers: { 'content-type': 'application/jwt', accept: 'application/json, application/problem+json' },
      body: statement,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch {
    return 'unreachable';
  }
  const text = (await readBodyWithin(response, 64 * 1024)) ?? '';
  if (response.status === 200) return 'revoked';
  let type = '';
  try {
    const problem = JSON.parse(text) as { type?: unknown };
    if (typeof problem.type === 'string') type = ` ${problem.type.replace(/^urn:refnet:problem:/, '').slice(0, 80)}`;
  } catch {
    // Not a problem document: the status says enough.
  }
  return `refused ${response.status}${type}`;
}
