// How a node's log and its witness are named in signed notes, and the note signers and verifiers
// made from the node's one Ed25519 signing key (the key peers already pin): the log's origin line
// and key name is the node id without its scheme, followed by /audit-log; the witness's
// (cosigner's) key name is the same followed by /witness.
import { KeyObject } from 'node:crypto';
import type { SigningKey } from '../identity/keys.js';
import { b64u } from '../crypto/encoding.js';
import { ed25519SignerFromNodeCrypto, ed25519Verifier, type NoteSigner, type NoteVerifier } from './checkpoint.js';

/** The node id's host and path: a schema-less URL, with "+" (not allowed in key names) escaped. */
function schemaLess(nodeId: string): string {
  const url = new URL(nodeId);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/+$/, '');
  return `${url.host}${path}`.replace(/\+/g, '%2B');
}

/** The origin line of the node's log checkpoints, also the name of the key that signs them. */
export function logOrigin(nodeId: string): string {
  return `${schemaLess(nodeId)}/audit-log`;
}

/** The name under which the node cosigns its peers' checkpoints. */
export function witnessKeyName(nodeId: string): string {
  return `${schemaLess(nodeId)}/witness`;
}

/** The raw 32-byte Ed25519 public key of an OKP JWK. */
export function rawEd25519Key(jwk: { x: string }): Uint8Array {
  return b64u.decode(jwk.x);
}

function nodeCryptoKey(signingKey: SigningKey): KeyObject {
  return KeyObject.from(signingKey.privateKey as Parameters<typeof KeyObject.from>[0]);
}

/** Signs this node's checkpoints. */
export function logSigner(self: { nodeId: string; signingKey: SigningKey }): NoteSigner {
  return ed25519SignerFromNodeCrypto(logOrigin(self.nodeId), nodeCryptoKey(self.signingKey));
}

/** Signs cosignatures on peers' checkpoints (the message is cosignature/v1's, see cosignature.ts). */
export function witnessSigner(self: { nodeId: string; signingKey: SigningKey }): NoteSigner {
  return ed25519SignerFromNodeCrypto(witnessKeyName(self.nodeId), nodeCryptoKey(self.signingKey));
}

/** Verifies a node's checkpoint signatures with its (pinned) signing key. */
export function logVerifier(nodeId: string, signingJwk: { x: string }): NoteVerifier {
  return ed25519Verifier(logOrigin(nodeId), rawEd25519Key(signingJwk));
}
