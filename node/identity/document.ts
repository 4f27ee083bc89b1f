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

/** How far ahead of this node's clock a document's `iat` may be, unless the node allows another clock skew. */
export const DEFAULT_IDENTITY_SKEW_SECONDS = 300;

type CheckedKeys = { ok: true; signingKey: OkpPublicJwk; encryptionKey: OkpPublicJwk } | { ok: false; reason: string };

/**
 * The document's keys as the spec fixes them: each an Ed25519 `sig` or an X25519 `enc` key whose
 * kid is its RFC 7638 thumbprint; exactly one signing key, the one named in the header; one or
 * more encryption keys, of which the first listed is the current one, the one to seal to.
 */
async function checkedKeys(keys: IdentityClaims['jwks']['keys'], headerKid: string): Promise<CheckedKeys> {
  for (const key of keys) {
    const paired = (key.crv === 'Ed25519' && key.use === 'sig') || (key.crv === 'X25519' && key.use === 'enc');
    if (!paired) return { ok: false, reason: `The key ${key.kid} is ${key.crv} for use ${key.use}: signing keys are Ed25519 (sig), encryption keys X25519 (enc).` };
    if ((await thumbprint(key as OkpPublicJwk)) !== key.kid) return { ok: false, reason: 'A key id is not the thumbprint of its key.' };
  }
  const signing = keys.filter((k) => k.use === 'sig');
  const signingKey = signing.find((k) => k.kid === headerKid);
  const encryptionKey = keys.find((k) => k.use === 'enc');
  if (!signingKey || !encryptionKey) return { ok: false, reason: 'The identity document lacks a signing or encryption key.' };
  if (signing.length > 1) return { ok: false, reason: 'The identity document lists more than one signing key.' };
  return { ok: true, signingKey: signingKey as OkpPublicJwk, encryptionKey: encryptionKey as OkpPublicJwk };
}

/** What the spec asks of a document a node talks to its node by (spec: Identity document, 4 to 6), or undefined. */
function documentInUseProblem(identity: IdentityClaims, nowSeconds: number, skewSeconds: number): string | undefined {
  if (identity.exp - identity.iat > IDENTITY_LIFETIME_SECONDS || identity.exp <= identity.iat) {
    return `The identity document is valid for ${identity.exp - identity.iat} seconds; at most ${IDENTITY_LIFETIME_SECONDS} (24 hours) are accepted.`;
  }
  if (identity.iat > nowSeconds + skewSeconds) return 'The identity document is dated in the future: check the clocks of both nodes.';
  if (!identity.protocol_versions.some((version) => PROTOCOL_VERSIONS.includes(version))) {
    const listed = identity.protocol_versions.slice(0, 5).map((v) => JSON.stringify(v.slice(0, 20))).join(', ');
    return `The node speaks protocol version(s) ${listed}${identity.protocol_versions.length > 5 ? ', ...' : ''} only; this node speaks ${PROTOCOL_VERSIONS.join(', ')}.`;
  }
  if (!sameOrigin(identity.endpoints.envelopes, identity.iss)) return `The envelope endpoint it lists is not on the node's own origin ${new URL(identity.iss).origin}.`;
  return undefined;
}

/** Whether `url` is on the origin (scheme, host, port) of the node id. */
export function sameOrigin(url: string, nodeId: string): boolean {
  try {
    return new URL(url).origin === new URL(nodeId).origin;
  } catch {
    return false;
  }
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
 * lists, not expired, and (when given) issued by the node we asked. With `rules` 'peer' (a
 * document fetched to talk to its node), also what the spec asks of a document in use: at most
 * 24 hours of life, not dated ahead, a protocol version this node speaks, envelopes on its own
 * origin. 'evidence' (the documents in an audit bundle, read long after, possibly of another
 * implementation or version) checks only where the keys come from: passing `nowSeconds` 0 there
 * makes expiry irrelevant too.
 */
export async function verifyIdentityDocument(
  jws: string,
  nowSeconds: number,
  expectedNodeId?: string,
  rules: 'peer' | 'evidence' = 'peer',
  skewSeconds = DEFAULT_IDENTITY_SKEW_SECONDS,
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
  if (header.crit !== undefined) return { ok: false, reason: 'The identity document header has crit: the protocol defines no extension a node must understand.' };
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
  const keys = await checkedKeys(identity.jwks.keys, header.kid);
  if (!keys.ok) return keys;
  const { signingKey, encryptionKey } = keys;
  try {
    await compactVerify(jws, await importSigningPublicKey(signingKey), { algorithms: ['EdDSA'] });
  } catch {
    return { ok: false, reason: 'The identity document signature does not verify.' };
  }
  if (identity.iss !== identity.sub) return { ok: false, reason: 'The identity document iss and sub differ.' };
  if (expectedNodeId && identity.iss !== expectedNodeId) {
    return { ok: false, reason: `The document was issued by ${identity.iss}, not by ${expectedNodeId}.` };
  }
  if (identity.exp <= nowSeconds) return { ok: false, reason: 'The identity document has expired.' };
  if (rules === 'peer') {
    const inUse = documentInUseProblem(identity, nowSeconds, skewSeconds);
    if (inUse) return { ok: false, reason: inUse };
  }
  const chain = await verifyContinuityChain(identity.continuity ?? [], identity.iss, signingKey);
  if (!chain.ok) return { ok: false, reason: chain.reason };
  return {
    ok: true,
    identity: { claims: identity, signingKey, encryptionKey, signingKeys: chain.keys },
  };
}
