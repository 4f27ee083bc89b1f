// The fixed inputs of the protocol test vectors: two fictional nodes, the seeds of their keys, and
// every time, id and draw the node would otherwise take from its clock or its random generator.
// Changing any of these changes the vectors; `npm run gen:vectors` writes them again.
import type { JWK } from 'jose';
import { b64u } from '../../node/crypto/encoding.js';
import { loadSodium } from '../../node/crypto/sodium.js';
import { x25519PublicKeyOf } from '../../node/crypto/aead.js';
import { encryptionKeyFrom, signingKeyFromPrivateJwk, type EncryptionKey, type SigningKey } from '../../node/identity/keys.js';

export const ATHENS = 'https://athens.example.org';
export const VIENNA = 'https://vienna.example.org';

/**
 * 32-byte private keys: for Ed25519 the RFC 8032 seed (the JWK's `d`), for X25519 the RFC 7748
 * private key as libsodium's crypto_box takes it. Each is SHA-256 of the ASCII text
 * "refnet test vector: <node> <use>": test keys, never to be used for anything else.
 */
export const SEEDS = {
  athens: {
    signing: '59f742b041c2c65e6025ffa22cb76a1007c5219658f6dda4aea21ac3ab546856',
    encryption: '52424235a06c0b504c1f0b0a3323b85e2ac7354464293b87b8383c319bc61393',
  },
  vienna: {
    signing: 'b0b6448b152338e5709db76a34b51e01e2262c0bc70021b2458a9ce59846af14',
    encryption: 'ebfaafe5fd2144d72d03f02bf93f83d105144674ab00d8423fdfb279b2be4380',
  },
  /** A signing key no node pins ("refnet test vector: unpinned signing"), for the hostile cases. */
  unpinned: { signing: 'c062317f4757b2dfa7f074ecc099f87c7f21d6425248f90f6a8edda0c2bf2bde' },
} as const;

/** Times, NumericDate (seconds) unless written as RFC 3339 text. */
export const TIMES = {
  /** iat of both identity documents: 2026-03-02T09:00:00Z. */
  documents: 1772442000,
  /** The envelope header's created_at. */
  envelopeCreatedAt: '2026-03-02T09:01:00.000Z',
  /** iat of the envelope's delivery attempt. */
  envelopeIat: 1772442090,
  /** The receiver's clock when it checks everything (2026-03-02T09:02:00Z). */
  now: 1772442120,
  /** The allowed clock skew the expectations assume, the spec's default. */
  clockSkew: 300,
  /** The first audit log entry; each next one a minute later. */
  firstLogEntry: '2026-03-01T10:00:00.000Z',
} as const;

/** Ids: UUIDv7 whose time is when they were made, as the node makes them; the jti a UUIDv4 as the node's. */
export const IDS = {
  envelope: '019cadc7-84e0-7a3c-9d21-5f0e8b6c4a17',
  referral: '019cadc7-84e0-7b52-8e4f-2a6d9c13f0b8',
  consent: '019ca8a0-3e80-7d19-a5c2-64e1f07b3d95',
  /** The athens user who recorded the consent. */
  caseworker: '019ca8a0-3e80-7f6e-b1d4-0c9a7e25d836',
  athensAdmin: '019ca8d7-2d00-7c41-8a6b-3e9f5d0c2b74',
  athensToken: '019ca8d7-2d00-7e83-b5d2-91c4a6f07e38',
  serviceTokenJti: '3f6c1e2a-8b4d-4c9e-a1f7-5d2e0b9c6a83',
  /** A second token of the hostile cases, to submit a forged checkpoint. */
  hostileTokenJti: 'c8a14d6e-27f3-4b09-9e5a-0d3b7f2c61e4',
  expiredTokenJti: '5b9e2f71-d0c4-4a38-86e1-f2a7c05d9b3e',
} as const;

/** What sealing draws at random: the 32-byte content key and the 24-byte nonce. */
export const DRAWS = {
  contentKey: 'a3c3c854e12f9f8257f78abe286f1a20b1611f23a7d072b04638a22913cc3920',
  nonce: '8b543a01df7b8e2c8581940db769160dd9e2925c94d2c1e2',
} as const;

export const hex = {
  encode: (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex'),
  decode: (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex')),
};

export interface VectorSigningKey {
  seed: string;
  privateJwk: JWK;
  key: SigningKey;
}

/** The node's signing key from an Ed25519 seed (libsodium derives the public half). */
export async function signingKeyFromSeed(seed: string): Promise<VectorSigningKey> {
  const sodium = await loadSodium();
  const { publicKey } = sodium.crypto_sign_seed_keypair(hex.decode(seed));
  const privateJwk: JWK = { kty: 'OKP', crv: 'Ed25519', x: b64u.encode(publicKey), d: b64u.encode(hex.decode(seed)) };
  return { seed, privateJwk, key: await signingKeyFromPrivateJwk(privateJwk) };
}

/** The node's encryption key from an X25519 private key. */
export async function encryptionKeyFromSeed(seed: string): Promise<EncryptionKey> {
  const privateKey = hex.decode(seed);
  return encryptionKeyFrom(await x25519PublicKeyOf(privateKey), privateKey);
}

export interface VectorNode {
  nodeId: string;
  name: string;
  country: string;
  languages: string[];
  contact: string;
  signing: VectorSigningKey;
  encryption: EncryptionKey;
}

const DESCRIPTIONS = {
  athens: { nodeId: ATHENS, name: 'Athens Example Shelter', country: 'GR', languages: ['el', 'en'], contact: 'referrals@athens.example.org' },
  vienna: { nodeId: VIENNA, name: 'Vienna Example Counselling', country: 'AT', languages: ['de', 'en'], contact: 'referrals@vienna.example.org' },
} as const;

export async function vectorNode(which: 'athens' | 'vienna'): Promise<VectorNode> {
  const description = DESCRIPTIONS[which];
  return {
    ...description,
    languages: [...description.languages],
    signing: await signingKeyFromSeed(SEEDS[which].signing),
    encryption: await encryptionKeyFromSeed(SEEDS[which].encryption),
  };
}

/** Protocol v1's message types, as a node that accepts all of them lists them. */
export const MESSAGE_TYPES = [
  'referral.inquiry', 'referral.inquiry-answer', 'referral.offer', 'referral.info-request', 'referral.info-response',
  'referral.accept', 'referral.decline', 'referral.update', 'referral.complete', 'referral.withdraw',
  'referral.onward', 'referral.handover', 'consent.withdraw', 'erasure.receipt',
];

/** The offer athens sends vienna: fictional, and as small as the schema allows. */
export const OFFER_BODY = {
  referral_id: IDS.referral,
  needs: ['legal-aid'],
  urgency: 'routine',
  reason: 'She asks for a lawyer who speaks Arabic.',
  client: { situation: { summary: 'Staying in a shelter; ready to travel.' } },
  consent: {
    id: IDS.consent,
    categories: ['situation'],
    purposes: ['referral'],
    recipients: [VIENNA],
    method: 'written',
    language: 'ar',
    obtained_by: IDS.caseworker,
    obtained_at: '2026-03-01T09:00:00.000Z',
    valid_until: '2026-05-31T09:00:00.000Z',
  },
};
