// The vectors of what nodes sign and seal: keys, identity documents, an envelope, its receipt and
// a service token, each made by the node's own code from the fixed inputs (inputs.ts).
import { existsSync, readFileSync } from 'node:fs';
import { openSealed, sealToPublicKey } from '../../node/crypto/aead.js';
import { b64u, sha256, utf8 } from '../../node/crypto/encoding.js';
import { signIdentityDocument } from '../../node/identity/document.js';
import { readableFingerprint, type EncryptionKey, type OkpPublicJwk } from '../../node/identity/keys.js';
import { signReceipt, type ReceiptClaims } from '../../node/envelope/receipt.js';
import { sealEnvelope, signEnvelopeAttempt, type SealInput, type SealingDraws } from '../../node/envelope/seal.js';
import { createServiceToken } from '../../node/peers/service-token.js';
import { ATHENS, DRAWS, hex, IDS, MESSAGE_TYPES, OFFER_BODY, TIMES, VIENNA, type VectorNode, type VectorSigningKey } from './inputs.js';

export type Vector = Record<string, unknown>;

/** The parts of a compact JWS an implementer compares one by one. */
export function jwsParts(jws: string): Vector {
  const [header, payload, signature] = jws.split('.') as [string, string, string];
  return {
    protected_header: JSON.parse(utf8.decode(b64u.decode(header))) as unknown,
    protected_header_b64url: header,
    payload_b64url: payload,
    signature_b64url: signature,
    compact: jws,
  };
}

/** The RFC 7638 thumbprint input: the required members in lexicographic order, no white space. */
const thumbprintInput = (jwk: OkpPublicJwk): string => `{"crv":"${jwk.crv}","kty":"${jwk.kty}","x":"${jwk.x}"}`;

function describedKey(jwk: OkpPublicJwk): Vector {
  const input = thumbprintInput(jwk);
  const digest = sha256(input);
  if (b64u.encode(digest) !== jwk.kid) throw new Error(`The thumbprint input of ${jwk.kid} is not the one jose hashed.`);
  return {
    public_jwk: jwk,
    thumbprint_input: input,
    thumbprint_sha256_hex: hex.encode(digest),
    kid: jwk.kid,
    fingerprint_bytes_hex: hex.encode(digest.slice(0, 20)),
    fingerprint: readableFingerprint(jwk.kid),
  };
}

export const signingKeyVector = (signing: VectorSigningKey): Vector => ({
  seed_hex: signing.seed,
  private_jwk: signing.privateJwk,
  ...describedKey(signing.key.publicJwk),
});

export function keysVector(athens: VectorNode, vienna: VectorNode, unpinned: VectorSigningKey): Vector {
  const node = (n: VectorNode): Vector => ({
    node_id: n.nodeId,
    signing: signingKeyVector(n.signing),
    encryption: {
      private_key_hex: hex.encode(n.encryption.privateKey),
      public_key_hex: hex.encode(n.encryption.publicKey),
      ...describedKey(n.encryption.publicJwk),
    },
  });
  return {
    description:
      'The keys of two fictional nodes, from fixed 32-byte seeds (test keys: never use them for anything else). Signing keys are Ed25519: ' +
      'seed_hex is the RFC 8032 private key (the JWK d). Encryption keys are X25519: private_key_hex is the RFC 7748 private key as ' +
      'libsodium crypto_box takes it, public_key_hex = X25519(private key, base point). kid = base64url(SHA-256(thumbprint_input)) ' +
      '(RFC 7638). The fingerprint is the first 20 bytes of that digest in RFC 4648 base32 (upper case, no padding), in 8 groups of 4 ' +
      'joined by "-"; the spec defines it for the signing key, and it is given for the encryption key as the node shows it too. ' +
      '"unpinned" is a signing key no node pins, used by invalid.json.',
    nodes: [node(athens), node(vienna)],
    unpinned: signingKeyVector(unpinned),
  };
}

export async function identityDocument(n: VectorNode): Promise<string> {
  return signIdentityDocument(
    { ...n, messageTypes: MESSAGE_TYPES, signingKey: n.signing.key, encryptionKeys: [n.encryption.publicJwk] },
    TIMES.documents,
  );
}

export async function identityVector(athens: VectorNode, vienna: VectorNode): Promise<Vector> {
  const document = async (n: VectorNode): Promise<Vector> => {
    const jws = await identityDocument(n);
    const parts = jwsParts(jws);
    return { node_id: n.nodeId, claims: JSON.parse(utf8.decode(b64u.decode(parts.payload_b64url as string))) as unknown, payload_json: utf8.decode(b64u.decode(parts.payload_b64url as string)), ...parts };
  };
  return {
    description:
      'The identity documents of both nodes (GET /.well-known/referral-node), signed at TIMES iat with each node\'s signing key (keys.json). ' +
      'Ed25519 is deterministic: signing payload_json under protected_header_b64url gives exactly compact. A verifier at verify_at accepts ' +
      'each: the signature verifies with the jwks key whose kid is the header kid, each kid is its key\'s thumbprint, iss = sub = node id, exp > now.',
    verify_at: TIMES.now,
    documents: [await document(athens), await document(vienna)],
  };
}

/** The offer athens seals to vienna; the sealed keys are the checked-in ones when they open to K. */
export function offerInput(athens: VectorNode, vienna: VectorNode, body: unknown = OFFER_BODY): SealInput {
  return {
    type: 'referral.offer', from: ATHENS, to: VIENNA, referralId: IDS.referral, seq: 1, createdAt: new Date(TIMES.envelopeCreatedAt),
    body, recipientKey: vienna.encryption.publicJwk, senderKey: athens.encryption.publicJwk,
  };
}

export const ENVELOPE_FILE = new URL('./envelope.json', import.meta.url);

/**
 * crypto_box_seal draws an ephemeral key each time: the sealed keys were made once and are kept in
 * envelope.json. They are taken from there while they still open, with each node's private key,
 * to the content key; otherwise (first generation, or new keys) they are sealed afresh.
 */
export async function sealingDraws(athens: VectorNode, vienna: VectorNode): Promise<SealingDraws> {
  const contentKey = hex.decode(DRAWS.contentKey);
  const opensToContentKey = async (sealed: Uint8Array, key: EncryptionKey) => {
    const opened = await openSealed(sealed, key.publicKey, key.privateKey);
    return opened !== undefined && hex.encode(opened) === DRAWS.contentKey;
  };
  const kept = existsSync(ENVELOPE_FILE) ? (JSON.parse(readFileSync(ENVELOPE_FILE, 'utf8')) as { sealed_keys?: { recipient_b64url?: string; sender_b64url?: string } }).sealed_keys : undefined;
  const recipient = kept?.recipient_b64url ? b64u.decode(kept.recipient_b64url) : undefined;
  const sender = kept?.sender_b64url ? b64u.decode(kept.sender_b64url) : undefined;
  const usable = recipient && sender && (await opensToContentKey(recipient, vienna.encryption)) && (await opensToContentKey(sender, athens.encryption));
  return {
    contentKey,
    nonce: hex.decode(DRAWS.nonce),
    sealedKeys: usable
      ? { recipient, sender }
      : { recipient: await sealToPublicKey(contentKey, vienna.encryption.publicKey), sender: await sealToPublicKey(contentKey, athens.encryption.publicKey) },
  };
}

export async function envelopeVector(athens: VectorNode, vienna: VectorNode, draws: SealingDraws): Promise<Vector> {
  const sealed = await sealEnvelope(offerInput(athens, vienna), () => IDS.envelope, draws);
  const payload = JSON.parse(sealed.payload) as { header: string; nonce: string; ciphertext: string; keys: { recipient: string; sender: string } };
  const headerJson = utf8.decode(b64u.decode(payload.header));
  const ciphertext = b64u.decode(payload.ciphertext);
  const jws = await signEnvelopeAttempt(sealed.payload, { nodeId: ATHENS, signingKey: athens.signing.key }, new Date(TIMES.envelopeIat * 1000));
  return {
    description:
      'An envelope (a referral.offer) from athens to vienna, built as the spec\'s "Envelope construction" says. H is header_json as UTF-8, ' +
      'B is body_json as UTF-8. C = XChaCha20-Poly1305-IETF-Encrypt(key = K, nonce = N, plaintext = B, ad = H) (libsodium ' +
      'crypto_aead_xchacha20poly1305_ietf_encrypt): encrypting with the inputs gives exactly ciphertext (tag included). crypto_box_seal is ' +
      'randomised (an ephemeral key each time), so sealed_keys cannot be reproduced: check instead that crypto_box_seal_open of recipient ' +
      'with vienna\'s X25519 key pair, and of sender with athens\'s, gives K (keys.json). P is payload_json exactly (with these sealed keys); ' +
      'payload_digest = base64url(SHA-256(P)). The delivery attempt signs P with athens\'s signing key under the protected header shown ' +
      '(iat as given): Ed25519 is deterministic, so the compact JWS is exact. Vienna, pinning athens\'s signing key, at verify_at accepts it ' +
      'and decrypts B; receipt.json is its receipt.',
    sender: ATHENS,
    recipient: VIENNA,
    header: sealed.header,
    header_json: headerJson,
    header_b64url: payload.header,
    body: OFFER_BODY,
    body_json: JSON.stringify(OFFER_BODY),
    body_b64url: b64u.encode(JSON.stringify(OFFER_BODY)),
    aead: {
      algorithm: 'XChaCha20-Poly1305-IETF',
      key_hex: DRAWS.contentKey,
      nonce_hex: DRAWS.nonce,
      nonce_b64url: payload.nonce,
      associated_data: 'header_b64url decoded: the bytes of H as transmitted',
      ciphertext_b64url: payload.ciphertext,
      ciphertext_hex: hex.encode(ciphertext),
      tag_hex: hex.encode(ciphertext.slice(-16)),
    },
    sealed_keys: {
      recipient_b64url: payload.keys.recipient,
      sender_b64url: payload.keys.sender,
      recipient_opens_with: `${VIENNA} encryption key (keys.json)`,
      sender_opens_with: `${ATHENS} encryption key (keys.json)`,
    },
    payload_json: sealed.payload,
    payload_sha256_hex: hex.encode(sha256(sealed.payload)),
    payload_digest: sealed.digest,
    signed_at: TIMES.envelopeIat,
    jws: jwsParts(jws),
    verify_at: TIMES.now,
  };
}

export function receiptClaims(digest: string): ReceiptClaims {
  return { iss: VIENNA, aud: ATHENS, envelope_id: IDS.envelope, payload_digest: digest, received_at: new Date(TIMES.now * 1000).toISOString() };
}

export async function receiptVector(vienna: VectorNode, digest: string): Promise<Vector> {
  const claims = receiptClaims(digest);
  const jws = await signReceipt(claims, vienna.signing.key);
  return {
    description:
      'Vienna\'s receipt for envelope.json, received at verify_at of that file: payload_digest is base64url(SHA-256(P)) of the envelope. ' +
      'Signing claims_json under the protected header with vienna\'s signing key gives exactly compact. Athens accepts it: the signature ' +
      'verifies with vienna\'s pinned key, iss is vienna, aud is athens, envelope_id and payload_digest are those of the envelope it sent. ' +
      'The receiver answers this same receipt again when the same P arrives again (invalid.json, the replay cases).',
    claims,
    claims_json: JSON.stringify(claims),
    jws: jwsParts(jws),
  };
}

export const SERVICE_TOKEN_REQUEST = { aud: VIENNA, method: 'POST', path: '/federation/v1/witness/add-checkpoint' } as const;

export async function serviceToken(athens: VectorNode, iat: number, jti: string): Promise<string> {
  return createServiceToken({ nodeId: ATHENS, signingKey: athens.signing.key }, SERVICE_TOKEN_REQUEST, iat, jti);
}

export async function serviceTokenVector(athens: VectorNode): Promise<Vector> {
  const jws = await serviceToken(athens, TIMES.now, IDS.serviceTokenJti);
  const parts = jwsParts(jws);
  return {
    description:
      'A service token by athens for one request to vienna: POST https://vienna.example.org/federation/v1/witness/add-checkpoint (the ' +
      'request of cosignature.json). htu is the called node\'s id followed by the path, no query; exp = iat + 60. Signing claims_json under ' +
      'the protected header gives exactly compact. Vienna, pinning and trusting athens, at verify_at (= iat) with a clock skew of 300 s ' +
      'accepts it once; a second use is refused (invalid.json).',
    request: { method: SERVICE_TOKEN_REQUEST.method, url: `${VIENNA}${SERVICE_TOKEN_REQUEST.path}` },
    claims: JSON.parse(utf8.decode(b64u.decode(parts.payload_b64url as string))) as unknown,
    claims_json: utf8.decode(b64u.decode(parts.payload_b64url as string)),
    jws: parts,
    verify_at: TIMES.now,
    clock_skew: TIMES.clockSkew,
  };
}

