// Invitations made by this node (spec/federation.yaml, "Invitations"): created by an
// administrator, listed without their secrets, revoked while unused, and redeemed once by another
// node, which this node then trusts with the signing key its identity document lists.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import type { Selectable } from 'kysely';
import { appendAuditEvent } from '../audit-log/append.js';
import type { AuditActor } from '../audit-log/events.js';
import { nowSeconds, type NodeContext } from '../context.js';
import { randomBytes } from '../crypto/aead.js';
import { b64u, decodeBase64UrlStrict, sha256 } from '../crypto/encoding.js';
import type { Tx } from '../db/database.js';
import type { InvitationsTable } from '../db/schema.js';
import { DomainError } from '../errors.js';
import { readableFingerprint } from '../identity/keys.js';
import type { components } from '../../spec/generated/local.js';
import { CONFIRMATION_TYP, makeInvitationCode, readInvitationJws, REDEEM_REQUEST_TYP, signInvitationJws, verifiesWith } from './invitation-jws.js';
import { invitationProblem } from './invitation-problems.js';
import { fetchIdentityOf, pinTrustedPeer } from './pin-peer.js';
import { isCanonicalNodeId } from './node-url.js';

export type Invitation = components['schemas']['Invitation'];
export type CreatedInvitation = components['schemas']['CreatedInvitation'];

import { DEFAULT_VALID_HOURS, MAX_VALID_HOURS } from './validity.js';

export { DEFAULT_VALID_HOURS, MAX_VALID_HOURS };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Compared against when the id is unknown, so that case takes the same path as a wrong secret. */
const NO_DIGEST = b64u.encode(new Uint8Array(32));

const digestOf = (secret: Uint8Array) => b64u.encode(sha256(secret));

export async function createInvitation(ctx: NodeContext, actor: AuditActor, validHours = DEFAULT_VALID_HOURS): Promise<CreatedInvitation> {
  if (!Number.isInteger(validHours) || validHours < 1 || validHours > MAX_VALID_HOURS) {
    throw new DomainError(422, 'invalid-request', 'Invalid validity', `An invitation is valid for 1 to ${MAX_VALID_HOURS} hours.`);
  }
  const now = ctx.clock.now();
  const expires = new Date(now.getTime() + validHours * 3_600_000);
  const id = randomUUID();
  const secret = await randomBytes(32);
  const code = await makeInvitationCode(
    { v: 1, iss: ctx.self.nodeId, id, secret: b64u.encode(secret), exp: Math.floor(expires.getTime() / 1000) },
    ctx.self.signingKey,
  );
  const row = {
    id,
    secret_digest: digestOf(secret),
    created_by: actor.kind === 'user' ? actor.id : null,
    created_at: now.toISOString(),
    expires_at: expires.toISOString(),
    revoked_at: null,
    used_at: null,
    used_by: null,
    used_kid: null,
  };
  await ctx.database.transaction(async (tx) => {
    await tx.insertInto('invitations').values(row).execute();
    await appendAuditEvent(tx, now, actor, { type: 'invitation.created', invitation_id: id, expires_at: row.expires_at });
  });
  ctx.logger.child({ subsystem: 'invitations' }).info({ invitation: id, expires_at: row.expires_at }, 'invitation created');
  return { id, code, created_at: row.created_at, expires_at: row.expires_at };
}

export async function listInvitations(ctx: NodeContext): Promise<Invitation[]> {
  const rows = await ctx.database.db.selectFrom('invitations').selectAll().orderBy('created_at', 'desc').orderBy('id').execute();
  const now = ctx.clock.now();
  return rows.map((row) => toInvitation(row, now));
}

/** Revokes an unused invitation; doing it again changes nothing. */
export async function revokeInvitation(ctx: NodeContext, actor: AuditActor, id: string): Promise<Invitation> {
  const now = ctx.clock.now();
  const row = await ctx.database.transaction(async (tx) => {
    const found = await tx.selectFrom('invitations').selectAll().where('id', '=', id).executeTakeFirst();
    if (!found) throw new DomainError(404, 'not-found', 'No such invitation', 'There is no invitation with this id on this node.');
    if (found.used_at) {
      throw invitationProblem('invitation-used', `It was redeemed by ${found.used_by}; to stop trusting that node, suspend or revoke the peer.`);
    }
    if (found.revoked_at) return found;
    const revoked = { ...found, revoked_at: now.toISOString() };
    await tx.updateTable('invitations').set({ revoked_at: revoked.revoked_at }).where('id', '=', id).execute();
    await appendAuditEvent(tx, now, actor, { type: 'invitation.revoked', invitation_id: id });
    return revoked;
  });
  return toInvitation(row, now);
}

function toInvitation(row: Selectable<InvitationsTable>, now: Date): Invitation {
  const status = row.used_at ? 'used' : row.revoked_at ? 'revoked' : Date.parse(row.expires_at) <= now.getTime() ? 'expired' : 'open';
  return {
    id: row.id,
    status,
    created_at: row.created_at,
    expires_at: row.expires_at,
    ...(row.created_by ? { created_by: row.created_by } : {}),
    ...(row.used_at ? { used_at: row.used_at } : {}),
    ...(row.used_by ? { used_by: row.used_by } : {}),
    ...(row.used_kid ? { used_fingerprint: readableFingerprint(row.used_kid) } : {}),
    ...(row.revoked_at ? { revoked_at: row.revoked_at } : {}),
  };
}

/** Step 6 of redeemInvitation: the invitation can still be used now. */
function refuseUnusable(row: Selectable<InvitationsTable>, now: Date): void {
  if (row.revoked_at) throw invitationProblem('invitation-revoked');
  if (row.used_at) throw invitationProblem('invitation-used');
  if (Date.parse(row.expires_at) <= now.getTime()) throw invitationProblem('invitation-expired');
}

async function unusableInTransaction(tx: Tx, id: string, now: Date): Promise<void> {
  const row = await tx.selectFrom('invitations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  refuseUnusable(row, now);
}

/**
 * Answers a redeem request for invitation `id` (the checks of redeemInvitation in
 * spec/federation.yaml, in order). Returns the signed confirmation; every refusal is a
 * DomainError and changes nothing.
 */
export async function redeemInvitation(ctx: NodeContext, id: string, requestJws: string): Promise<string> {
  const request = UUID.test(id) ? readInvitationJws(requestJws, REDEEM_REQUEST_TYP) : undefined;
  if (!request || request.claims.invitation !== id || !isCanonicalNodeId(request.claims.iss)) throw invitationProblem('malformed-redeem-request');
  const { claims } = request;
  if (claims.aud !== ctx.self.nodeId) throw invitationProblem('wrong-recipient');
  if (Math.abs(nowSeconds(ctx.clock) - claims.iat) > ctx.limits.clockSkewSeconds) throw invitationProblem('signature-time-skew');

  const row = await ctx.database.db.selectFrom('invitations').selectAll().where('id', '=', id).executeTakeFirst();
  const presented = decodeBase64UrlStrict(claims.secret);
  const matches =
    presented !== undefined &&
    timingSafeEqual(b64u.decode(digestOf(presented)), b64u.decode(row?.secret_digest ?? NO_DIGEST)) &&
    row !== undefined;
  if (!matches || !row) throw invitationProblem('invalid-invitation');
  refuseUnusable(row, ctx.clock.now());

  if (claims.iss === ctx.self.nodeId) throw invitationProblem('identity-mismatch', 'A node cannot redeem its own invitation.');
  const fetched = await fetchIdentityOf(ctx, claims.iss);
  if (!fetched.ok) throw invitationProblem(fetched.problem, fetched.reason);
  const { identity } = fetched;
  if (identity.signingKey.kid !== request.kid) {
    throw invitationProblem('identity-mismatch', `The request is signed with another key than the one ${claims.iss} lists in its identity document.`);
  }
  if (!(await verifiesWith(requestJws, identity.signingKey))) throw invitationProblem('bad-signature');

  const now = ctx.clock.now();
  const peerActor: AuditActor = { kind: 'peer', id: claims.iss };
  await ctx.database.transaction(async (tx) => {
    // Checked again under the write lock: a concurrent redemption of the same invitation may have won.
    await unusableInTransaction(tx, id, now);
    await tx
      .updateTable('invitations')
      .set({ used_at: now.toISOString(), used_by: claims.iss, used_kid: identity.signingKey.kid })
      .where('id', '=', id)
      .execute();
    await appendAuditEvent(tx, now, peerActor, { type: 'invitation.redeemed', invitation_id: id, peer_id: claims.iss, signing_kid: identity.signingKey.kid });
    await pinTrustedPeer(tx, identity, fetched.jws, now, peerActor);
  });
  ctx.logger.child({ subsystem: 'invitations' }).info({ invitation: id, peer: claims.iss }, 'invitation redeemed: peer trusted');
  return signInvitationJws(
    CONFIRMATION_TYP,
    { iss: ctx.self.nodeId, aud: claims.iss, invitation: id, signing_kid: identity.signingKey.kid, iat: nowSeconds(ctx.clock) },
    ctx.self.signingKey,
  );
}
