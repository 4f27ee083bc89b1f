// This node's identity document, signed now: served at /.well-known/referral-node and put in
// audit bundles, from one place so both always say the same.
import type { NodeContext } from '../context.js';
import { nowSeconds } from '../context.js';
import { acceptedMessageTypes } from '../envelope/message-types.js';
import { IDENTITY_LIFETIME_SECONDS, signIdentityDocument } from './document.js';
import { b64u, sha256 } from '../crypto/encoding.js';

export function signOwnIdentityDocument(ctx: NodeContext): Promise<string> {
  const { self } = ctx;
  return signIdentityDocument(
    {
      nodeId: self.nodeId,
      name: self.name,
      country: self.country,
      languages: self.languages,
      contact: self.contact,
      messageTypes: acceptedMessageTypes(),
      signingKey: self.signingKey,
      encryptionKeys: [self.encryptionKey.publicJwk],
      continuity: self.continuity,
      keyRevocations: self.keyRevocations,
    },
    nowSeconds(ctx.clock),
  );
}

/** The document as served, with its ETag; re-signed once half its lifetime has passed. */
interface Served {
  jws: string;
  etag: string;
  signedAt: number;
  /** The keys it lists: a rotation makes it stale at once. */
  keys: string;
}

const served = new WeakMap<NodeContext, Served>();

/**
 * The identity document for GET /.well-known/referral-node. It is kept (not signed afresh for
 * every request) so that peers refreshing it with If-None-Match get 304 until it changes; a peer
 * always gets one with at least half its lifetime left.
 */
export async function servedIdentityDocument(ctx: NodeContext): Promise<{ jws: string; etag: string }> {
  const now = nowSeconds(ctx.clock);
  const keys = `${ctx.self.signingKey.kid} ${ctx.self.encryptionKey.kid}`;
  const held = served.get(ctx);
  if (held && held.keys === keys && now - held.signedAt < IDENTITY_LIFETIME_SECONDS / 2 && now >= held.signedAt) return held;
  const jws = await signOwnIdentityDocument(ctx);
  const fresh = { jws, etag: `"${b64u.encode(sha256(jws)).slice(0, 27)}"`, signedAt: now, keys };
  served.set(ctx, fresh);
  return fresh;
}
