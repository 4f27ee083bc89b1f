// Redeeming another organisation's invitation code (spec/federation.yaml, "Invitations", the
// redeeming side): the code names the inviting node and its signing key; the node checks that the
// inviting node's identity document lists that key, redeems the invitation there, checks the signed
// confirmation, and only then trusts the inviting node. Any refusal changes nothing here.
import { randomUUID } from 'node:crypto';
import { appendAuditEvent } from '../audit-log/append.js';
import type { AuditActor } from '../audit-log/events.js';
import { nowSeconds, type NodeContext } from '../context.js';
import { readBodyWithin } from '../net/body.js';
import { PROBLEM_PREFIX, type DomainError } from '../errors.js';
import type { VerifiedIdentity } from '../identity/document.js';
import { readableFingerprint } from '../identity/keys.js';
import { validatorFor } from '../schema/validators.js';
import { CONFIRMATION_TYP, readInvitationCode, readInvitationJws, REDEEM_REQUEST_TYP, signInvitationJws, verifiesWith, type InvitationCodeClaims } from './invitation-jws.js';
import { invitationProblem, isInvitationProblem, RELAYED_PROBLEMS } from './invitation-problems.js';
import { fetchIdentityOf, pinTrustedPeer } from './pin-peer.js';
import { isCanonicalNodeId } from './node-url.js';
import type { Peer } from './store.js';

const MAX_ANSWER_BYTES = 64 * 1024;

export async function redeemInvitationCode(ctx: NodeContext, actor: AuditActor, code: string): Promise<Peer> {
  const read = readInvitationCode(code);
  if (!read || !isCanonicalNodeId(read.claims.iss)) throw invitationProblem('invalid-invitation-code');
  const { claims } = read;
  const inviter = claims.iss;
  if (inviter === ctx.self.nodeId) throw invitationProblem('invalid-invitation-code', 'This is an invitation made by this node; give it to the other organisation.');

  const known = await ctx.database.db.selectFrom('peers').select(['state', 'signing_kid']).where('id', '=', inviter).executeTakeFirst();
  if (known?.state === 'suspended') {
    throw invitationProblem('peer-suspended', `${inviter} is suspended here; restore it instead (an invitation does not lift a suspension). Nothing was changed.`);
  }

  const fetched = await fetchIdentityOf(ctx, inviter);
  if (!fetched.ok) {
    throw fetched.problem === 'identity-unavailable'
      ? invitationProblem('peer-unreachable', `${fetched.reason} Nothing was changed; try again when it is up.`)
      : invitationProblem('identity-mismatch', `${fetched.reason} Nothing was changed.`, 422);
  }
  const { identity } = fetched;
  if (identity.signingKey.kid !== read.kid) {
    throw invitationProblem(
      'invitation-key-mismatch',
      `The code names the key ${readableFingerprint(read.kid)}, but ${inviter} signs with ${readableFingerprint(identity.signingKey.kid)}: the code was altered or is not from that node. Nothing was changed.`,
    );
  }
  if (!(await verifiesWith(read.jws, identity.signingKey))) {
    throw invitationProblem('bad-signature', `The code is not signed by ${inviter}: it was altered. Nothing was changed.`, 422);
  }
  // Known with another key: only one its continuity chain leads from (a rotation not followed yet).
  if (known && known.state !== 'revoked' && !identity.signingKeys.some((k) => k.kid === known.signing_kid)) {
    throw invitationProblem(
      'peer-key-conflict',
      `${inviter} is known here with the signing key ${readableFingerprint(known.signing_kid)}, but the code names ${readableFingerprint(read.kid)}. Nothing was changed; ask its administrator what happened.`,
    );
  }

  await postRedeemRequest(ctx, claims, identity);
  const now = ctx.clock.now();
  const peer = await ctx.database.transaction(async (tx) => {
    await appendAuditEvent(tx, now, actor, { type: 'invitation.redeemed', invitation_id: claims.id, peer_id: inviter, signing_kid: identity.signingKey.kid });
    return pinTrustedPeer(tx, identity, fetched.jws, now, actor);
  });
  ctx.logger.child({ subsystem: 'invitations' }).info({ invitation: claims.id, peer: inviter }, 'invitation redeemed at the inviting node: peer trusted');
  return peer;
}

/** Step 4 and 5: the signed redeem request, and the inviting node's signed confirmation. */
async function postRedeemRequest(ctx: NodeContext, code: InvitationCodeClaims, inviter: VerifiedIdentity): Promise<void> {
  const request = await signInvitationJws(
    REDEEM_REQUEST_TYP,
    { iss: ctx.self.nodeId, aud: code.iss, invitation: code.id, secret: code.secret, iat: nowSeconds(ctx.clock), jti: randomUUID() },
    ctx.self.signingKey,
  );
  let response: Response;
  try {
    response = await ctx.fetch(`${code.iss}/federation/v1/invitations/${code.id}/redeem`, {
      method: 'POST',
      headers: { 'content-type': 'application/jose' },
      body: request,
      signal: AbortSignal.timeout(15_000),
    });
  } catch {
    throw invitationProblem('peer-unreachable', `${code.iss} could not be reached to redeem the invitation. Nothing was changed; try again.`);
  }
  // A confirmation or a problem is small; a larger answer is read no further.
  const text = (await readBodyWithin(response, MAX_ANSWER_BYTES)) ?? '';
  if (response.status !== 200) throw refusalFrom(code.iss, response.status, text);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const invalid = () => invitationProblem('invalid-confirmation', `${code.iss} answered without a valid signed confirmation. It may trust this node now; this node does not trust it. Ask its administrator, and add it with peer add and peer trust if needed.`);
  if (!validatorFor('federation', 'InvitationRedeemResponse')(body)) throw invalid();
  const confirmation = readInvitationJws((body as { confirmation: string }).confirmation, CONFIRMATION_TYP);
  if (
    !confirmation ||
    confirmation.kid !== inviter.signingKey.kid ||
    !(await verifiesWith(confirmation.jws, inviter.signingKey)) ||
    confirmation.claims.iss !== code.iss ||
    confirmation.claims.aud !== ctx.self.nodeId ||
    confirmation.claims.invitation !== code.id ||
    confirmation.claims.signing_kid !== ctx.self.signingKey.kid
  ) {
    throw invalid();
  }
}

/** The inviting node's refusal, passed on with its problem type when it is one of the protocol's. */
function refusalFrom(inviter: string, status: number, text: string): DomainError {
  let type: unknown;
  try {
    type = (JSON.parse(text) as { type?: unknown }).type;
  } catch {
    type = undefined;
  }
  const name = typeof type === 'string' && type.startsWith(PROBLEM_PREFIX) ? type.slice(PROBLEM_PREFIX.length) : '';
  if (isInvitationProblem(name) && RELAYED_PROBLEMS.has(name)) {
    const refused = invitationProblem(name);
    return invitationProblem(name, `${inviter} refused the invitation: ${refused.detail ?? refused.title} Nothing was changed here.`, 422);
  }
  return invitationProblem('peer-unreachable', `${inviter} answered ${status} to the redeem request, not as a referral node would. Nothing was changed here.`);
}
