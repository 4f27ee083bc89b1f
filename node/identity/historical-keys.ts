// The historical keys of this node (in the spirit of OpenID Federation's historical keys
// endpoint): every key it no longer uses, with when it was valid and, for a destroyed one, when
// its private half was destroyed; a revoked one with when and why. Signatures and seals made with them stay checkable after a
// rotation: receipts, consent records, erasure statements, checkpoints. Signed with the current
// signing key; public keys only.
import { CompactSign } from 'jose';
import type { NodeContext } from '../context.js';
import { nowSeconds } from '../context.js';
import { utf8 } from '../crypto/encoding.js';
import type { OkpPublicJwk } from './keys.js';

export const HISTORICAL_KEYS_TYP = 'referral-historical-keys+jwt';

export interface HistoricalKey extends OkpPublicJwk {
  /** When the key was made (NumericDate). */
  iat: number;
  /** When it stopped being the current key. */
  retired_at: number;
  /** When its private half was destroyed, if it was. */
  destroyed_at?: number;
  /** A signing key declared compromised (`referral-node keys revoke`): when, and why. */
  revoked_at?: number;
  revocation_reason?: 'key-compromise';
}

const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

export async function historicalKeys(ctx: NodeContext): Promise<HistoricalKey[]> {
  const rows = await ctx.database.db
    .selectFrom('node_keys')
    .select(['public_jwk', 'created_at', 'retired_at', 'destroyed_at', 'revoked_at'])
    .where('status', '!=', 'active')
    .orderBy('created_at')
    .execute();
  return rows.map((row) => ({
    ...(JSON.parse(row.public_jwk) as OkpPublicJwk),
    iat: seconds(row.created_at),
    // A key is retired when it stops being current; older databases may lack the date.
    retired_at: seconds(row.retired_at ?? row.created_at),
    ...(row.destroyed_at ? { destroyed_at: seconds(row.destroyed_at) } : {}),
    ...(row.revoked_at ? { revoked_at: seconds(row.revoked_at), revocation_reason: 'key-compromise' as const } : {}),
  }));
}

export async function signHistoricalKeys(ctx: NodeContext): Promise<string> {
  const claims = { iss: ctx.self.nodeId, iat: nowSeconds(ctx.clock), keys: await historicalKeys(ctx) };
  return new CompactSign(utf8.encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'EdDSA', typ: HISTORICAL_KEYS_TYP, kid: ctx.self.signingKey.kid })
    .sign(ctx.self.signingKey.privateKey);
}
