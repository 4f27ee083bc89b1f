// This node's identity document, signed now: served at /.well-known/referral-node and put in
// audit bundles, from one place so both always say the same.
import type { NodeContext } from '../context.js';
import { nowSeconds } from '../context.js';
import { acceptedMessageTypes } from '../envelope/message-types.js';
import { signIdentityDocument } from './document.js';

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
    },
    nowSeconds(ctx.clock),
  );
}
