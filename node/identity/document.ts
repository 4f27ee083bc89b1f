// The identity document: a JWS (EdDSA) by which a node says who it is and which keys it uses.
// Served at /.well-known/referral-node; peers pin the signing key it lists.
import { compactVerify, CompactSign, decodeProtectedHeader } from 'jose';
import type { components } from '../../spec/generated/federation.js';
import { utf8 } from '../crypto/encoding.js';
import { validatorFor } from '../schema/validators.js';
import { importSigningPublicKey, thumbprint, type OkpPublicJwk, type SigningKey } from './keys.js';
import { verifyContinuityChain, type KeyContinuityStatement } from './continuity.js';
import { PROTOCOL_VERSIONS } from '../version.js';

export type IdentityClaims = components['schemas']['IdentityClaims'];

export const IDENTITY_TYP = 'referral-node+jwt';
export const IDENTITY_LIFETIME_SECONDS = 24 * 60 * 60;

export interface IdentityDescription {
  nodeId: string;
  name: string;
  country: string;
  languages: string[];
  contact?: string | undefined;
  messageTypes: string[];
  signingKey: SigningKey;
  encryptionKeys: OkpPublicJwk[];
  /** How the signing key came to be the current one (identity/continuity.ts), oldest first. */
  continuity?: KeyContinuityStatement[] | undefined;
  /** The node's own key revocation statements (identity/revocation.ts), newest first. */
  keyRevocations?: string[] | undefined;
}

export async function signIdentityDocument(identity: IdentityDescription, nowSeconds: number): Promise<string> {
  const claims: IdentityClaims = {
    iss: identity.nodeId,
    sub: identity.nodeId,
    iat: nowSeconds,
    exp: nowSeconds + IDENTITY_LIFETIME_SECONDS,
    name: identity.name,
    country: identity.country,
    languages: identity.languages,
    ...(identity.contact ? { contact: identity.contact } : {}),
    protocol_versions: PROTOCOL_VERSIONS,
    message_types: identity.messageTypes,
    endpoints: { envelopes: `${identity.nodeId}/federation/v1/envelopes` },
    jwks: { keys: [identity.signingKey.publicJwk, ...identity.encryptionKeys] },
    ...(identity.continuity?.length ? { continuity: identity.continuity } : {}),
    ...(identity.keyRevocations?.length ? { key_revocations: identity.keyRevocations } : {}),
  };
  return new CompactSign(utf8.encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'EdDSA', typ: IDENTITY_TYP, kid: identity.signingKey.kid })
    .sign(identity.signingKey.privateKey);
}

export interface VerifiedIdentity {
  claims: IdentityClaims;
  signingKey: OkpPublicJwk;
  encryptionKey: OkpPublicJwk;
  /**
   * Every signing key of the node's continuity chain, oldest first, ending with `signingKey`:
   * a peer that pinned any of them may follow the chain to the current one.
   */
  signingKeys: OkpPublicJwk[];
}

export type IdentityVerification =
  | { ok: true; identity: VerifiedIdentity }
  | { ok: false; reason: string };

/**
 * Checks an identity document on its own terms: well formed, signed by the signing key it
 * lists, not expired, and (when given) issued by the node we asked.
 */
export async function verifyIdentityDocument(
  jws: string,
  nowSeconds: number,
  expectedNodeId?: string,
): Promise<IdentityVerification> {
  let header;
  try {
    header = decodeProtectedHeader(jws);
  } catch {
    return { ok: false, reason: 'The identity document is not a compact JWS.' };
  }
  if (header.alg !== 'EdDSA' || header.typ !== IDENTITY_TYP || typeof header.kid !== 'string') {
    return { ok: false, reason: 'The identity document header is not that of a referral node.' };
  }
  const [, payloadPart] = jws.split('.');
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payloadPart ?? '', 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'The identity document payload is not JSON.' };
  }
  const check = validatorFor('federation', 'IdentityClaims');
  if (!check(claims)) return { ok: false, reason: 'The identity document does not match the protocol schema.' };
  const identity = claims as IdentityClaims;
  const signingKey = identity.jwks.keys.find((k) => k.kid === header.kid && k.crv === 'Ed25519' && k.use === 'sig');
  const encryptionKey = identity.jwks.keys.find((k) => k.crv === 'X25519' && k.use === 'enc');
  if (!signingKey || !encryptionKey) return { ok: false, reason: 'The identity document lacks a signing or encryption key.' };
  for (const key of [signingKey, encryptionKey]) {
    if ((await thumbprint(key)) !== key.kid) return { ok: false, reason: 'A key id is not the thumbprint of its key.' };
  }
  try {
    await compactVerify(jws, await importSigningPublicKey(signingKey as OkpPublicJwk), { algorithms: ['EdDSA'] });
  } catch {
    return { ok: false, reason: 'The identity document signature does not verify.' };
  }
  if (identity.iss !== identity.sub) return { ok: false, reason: 'The identity document iss and sub differ.' };
  if (expectedNodeId && identity.iss !== expectedNodeId) {
    return { ok: false, reason: `The document was issued by ${identity.iss}, not by ${expectedNodeId}.` };
  }
  if (identity.exp <= nowSeconds) return { ok: false, reason: 'The identity document has expired.' };
  const chain = await verifyContinuityChain(identity.continuity ?? [], identity.iss, signingKey as OkpPublicJwk);
  if (!chain.ok) return { ok: false, reason: chain.reason };
  return {
    ok: true,
    identity: { claims: identity, signingKey: signingKey as OkpPublicJwk, encryptionKey: encryptionKey as OkpPublicJwk, signingKeys: chain.keys },
  };
}
