// This node's own keys as the administrator sees them: the current ones from its loaded identity,
// and every earlier one with what became of it (public halves and fingerprints only).
import type { NodeContext } from '../context.js';
import { historicalKeys } from './historical-keys.js';
import { readableFingerprint } from './keys.js';

export interface OwnKey {
  use: 'signing' | 'encryption';
  fingerprint: string;
  status: 'current' | 'retired' | 'destroyed' | 'revoked';
  createdAt?: string | undefined;
  retiredAt?: string | undefined;
  destroyedAt?: string | undefined;
}

export interface OwnKeys {
  nodeId: string;
  name: string;
  signingFingerprint: string;
  encryptionFingerprint: string;
  /** How many times the signing key was rotated (continuity statements served). */
  signingRotations: number;
  keys: OwnKey[];
}

const iso = (seconds: number | undefined) => (seconds === undefined ? undefined : new Date(seconds * 1000).toISOString());

/** This node's keys: the current ones from its loaded identity, and every earlier one (public halves only). */
export async function ownKeys(ctx: NodeContext): Promise<OwnKeys> {
  const { self } = ctx;
  const earlier = await historicalKeys(ctx);
  return {
    nodeId: self.nodeId,
    name: self.name,
    signingFingerprint: readableFingerprint(self.signingKey.kid),
    encryptionFingerprint: readableFingerprint(self.encryptionKey.kid),
    signingRotations: self.continuity.length,
    keys: [
      { use: 'signing', fingerprint: readableFingerprint(self.signingKey.kid), status: 'current' },
      { use: 'encryption', fingerprint: readableFingerprint(self.encryptionKey.kid), status: 'current' },
      ...earlier
        .slice()
        .reverse()
        .map((k): OwnKey => ({
          use: k.crv === 'Ed25519' ? 'signing' : 'encryption',
          fingerprint: readableFingerprint(k.kid),
          status: k.revoked_at ? 'revoked' : k.destroyed_at ? 'destroyed' : 'retired',
          createdAt: iso(k.iat),
          retiredAt: iso(k.retired_at),
          destroyedAt: iso(k.destroyed_at),
        })),
    ],
  };
}
