// The three signed objects of the invitation protocol (spec/federation.yaml, "Invitations"): the
// code the inviting node hands out, the redeem request the invited node signs, and the
// confirmation the inviting node answers with. Reading one checks its form only; the caller
// checks the signature with the key it has established for the signer.
import { CompactSign, compactVerify, decodeProtectedHeader } from 'jose';
import type { components } from '../../spec/generated/federation.js';
import { decodeBase64UrlStrict, utf8 } from '../crypto/encoding.js';
import { importSigningPublicKey, type OkpPublicJwk, type SigningKey } from '../identity/keys.js';
import { validatorFor } from '../schema/validators.js';

export const INVITATION_CODE_PREFIX = 'refnet-invite:';
export const INVITATION_CODE_TYP = 'referral-invitation+jwt';
export const REDEEM_REQUEST_TYP = 'referral-invitation-redeem+jwt';
export const CONFIRMATION_TYP = 'referral-invitation-confirmation+jwt';
/** An RFC 7638 thumbprint (SHA-256, base64url), as every kid of the protocol. */
const KID = /^[A-Za-z0-9_-]{43}$/;

export type InvitationCodeClaims = components['schemas']['InvitationCodeClaims'];
export type InvitationRedeemClaims = components['schemas']['InvitationRedeemClaims'];
export type InvitationConfirmationClaims = components['schemas']['InvitationConfirmationClaims'];

/** A compact JWS of the expected type, well formed, with the signer's kid and its claims (not yet verified). */
export interface ReadJws<T> {
  jws: string;
  kid: string;
  claims: T;
}

type Schemas = { [INVITATION_CODE_TYP]: InvitationCodeClaims; [REDEEM_REQUEST_TYP]: InvitationRedeemClaims; [CONFIRMATION_TYP]: InvitationConfirmationClaims };

const SCHEMA_OF: Record<keyof Schemas, string> = {
  [INVITATION_CODE_TYP]: 'InvitationCodeClaims',
  [REDEEM_REQUEST_TYP]: 'InvitationRedeemClaims',
  [CONFIRMATION_TYP]: 'InvitationConfirmationClaims',
};

export function signInvitationJws<T extends keyof Schemas>(typ: T, claims: Schemas[T], key: SigningKey): Promise<string> {
  return new CompactSign(utf8.encode(JSON.stringify(claims))).setProtectedHeader({ alg: 'EdDSA', typ, kid: key.kid }).sign(key.privateKey);
}

/** The JWS if it is a compact EdDSA JWS of `typ` whose payload matches its schema; undefined otherwise. */
export function readInvitationJws<T extends keyof Schemas>(jws: string, typ: T): ReadJws<Schemas[T]> | undefined {
  const parts = jws.split('.');
  if (parts.length !== 3 || parts[1] === '' || parts[2] === '' || parts.some((p) => decodeBase64UrlStrict(p) === undefined)) return undefined;
  let header;
  let claims: unknown;
  try {
    header = decodeProtectedHeader(jws);
    claims = JSON.parse(utf8.decode(decodeBase64UrlStrict(parts[1])!));
  } catch {
    return undefined;
  }
  if (header.alg !== 'EdDSA' || header.typ !== typ || typeof header.kid !== 'string' || !KID.test(header.kid)) return undefined;
  if (!validatorFor('federation', SCHEMA_OF[typ])(claims)) return undefined;
  return { jws, kid: header.kid, claims: claims as Schemas[T] };
}

export async function verifiesWith(jws: string, key: OkpPublicJwk): Promise<boolean> {
  try {
    await compactVerify(jws, await importSigningPublicKey(key), { algorithms: ['EdDSA'] });
    return true;
  } catch {
    return false;
  }
}

export async function makeInvitationCode(claims: InvitationCodeClaims, key: SigningKey): Promise<string> {
  return INVITATION_CODE_PREFIX + (await signInvitationJws(INVITATION_CODE_TYP, claims, key));
}

/** Reads a code as an administrator pasted it (white space around it is ignored). */
export function readInvitationCode(code: string): ReadJws<InvitationCodeClaims> | undefined {
  const text = code.trim();
  if (!text.startsWith(INVITATION_CODE_PREFIX)) return undefined;
  return readInvitationJws(text.slice(INVITATION_CODE_PREFIX.length), INVITATION_CODE_TYP);
}
