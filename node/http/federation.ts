// The federation API: node to node. Only the identity document is public; envelopes carry
// their own signatures.
import { decodeJwt } from 'jose';
import { Hono, type Context } from 'hono';
import type { NodeContext } from '../context.js';
import { envelopeProblem } from '../envelope/problems.js';
import { signReceipt, type ReceiptClaims } from '../envelope/receipt.js';
import { findProcessed, verifyEnvelope } from '../envelope/verify.js';
import { servedIdentityDocument } from '../identity/own-document.js';
import { signHistoricalKeys } from '../identity/historical-keys.js';
import { applyIncomingMessage, prepareIncoming } from '../referrals/incoming.js';
import { prepareCopies, recordIncomingEnvelope } from '../delivery/outbox.js';
import { completeErasures } from '../data-keys/shredding.js';
import { DomainError } from '../errors.js';
import { problemResponse } from './problem.js';
import { acceptKeyRevocation, keyRevocationProblem } from '../peers/key-revocation.js';
import { MAX_REVOCATION_BYTES } from '../identity/revocation.js';
import { mediaTypeOf, readBodyWithin } from '../net/body.js';
import { logRoutes } from './log-routes.js';
import { requirePeer } from './require-peer.js';
import { chargeVerifiedPeer, federationLimits } from './federation-limits.js';
import { exceededQuota } from '../referrals/quotas.js';
import { raiseQuotaAlert } from '../peers/alerts.js';
import { servedDirectory } from '../directory/document.js';
import { invitationFederationRoutes } from './invitation-api.js';

export function federationRoutes(ctx: NodeContext): Hono {
  const app = new Hono();
  const log = ctx.logger.child({ subsystem: 'federation' });
  // Only these paths: this app is mounted at the root, beside the local API and the interface.
  app.use('/federation/*', federationLimits(ctx));
  app.use('/.well-known/*', federationLimits(ctx));

  app.get('/.well-known/referral-node', async (c) => {
    const { jws, etag } = await servedIdentityDocument(ctx);
    // Peers refresh with If-None-Match: unchanged, nothing to send. Like every response, it is
    // not to be stored by caches (no-store, response-headers.ts): a peer keeps what it pinned.
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, { etag });
    return c.body(jws, 200, { 'content-type': 'application/jwt', etag });
  });

  // Public, like the identity document: public keys only.
  app.get('/federation/v1/historical-keys', async (c) =>
    c.body(await signHistoricalKeys(ctx), 200, { 'content-type': 'application/jwt' }),
  );

  // A peer's signing key declared compromised: no service token, the statement authenticates itself.
  app.post('/federation/v1/key-revocations', async (c) => {
    const raw = await readBodyWithin(c.req.raw, MAX_REVOCATION_BYTES);
    if (raw === undefined) return problemResponse(c, keyRevocationProblem('key-revocation-too-large'));
    if (mediaTypeOf(c.req.header('content-type')) !== 'application/jwt') return problemResponse(c, keyRevocationProblem('unsupported-media-type'));
    try {
      return c.json(await acceptKeyRevocation(ctx, raw.trim()));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      log.info({ problem: error.problem }, 'key revocation refused');
      return problemResponse(c, error);
    }
  });

  app.post('/federation/v1/envelopes', async (c) => {
    // Envelopes arrive side by side (a peer has several in flight): a commit about to start waits
    // a moment for this one, so that they share it (group commit, db/database.ts).
    const asked = ctx.database.expectTransaction();
    try {
      return await receiveEnvelope(c, asked);
    } finally {
      asked();
    }
  });

  const receiveEnvelope = async (c: Context, asked: () => void): Promise<Response> => {
    const raw = await readBodyWithin(c.req.raw, ctx.limits.maxEnvelopeBytes);
    if (raw === undefined) return problemResponse(c, envelopeProblem('envelope-too-large'));
    const mediaType = mediaTypeOf(c.req.header('content-type'));
    if (mediaType !== 'application/jose') return problemResponse(c, envelopeProblem('unsupported-media-type'));

    const verification = await verifyEnvelope(ctx, raw.trim());
    if (verification.outcome === 'rejected') {
      log.info({ problem: verification.problem }, 'envelope refused');
      return problemResponse(c, envelopeProblem(verification.problem, verification.detail));
    }
    if (verification.outcome === 'duplicate') {
      // Its signature was checked like any other's: counted against its sender.
      await chargeVerifiedPeer(c, ctx, verification.peerId);
      return c.json(receiptResponse(verification.receipt));
    }

    const { envelope } = verification;
    // Verified: counted against its sender, before anything is sealed or written.
    await chargeVerifiedPeer(c, ctx, envelope.peer.id);
    const claims: ReceiptClaims = {
      iss: ctx.self.nodeId,
      aud: envelope.peer.id,
      envelope_id: envelope.header.id,
      payload_digest: envelope.digest,
      received_at: ctx.clock.now().toISOString(),
    };
    // Signed and sealed before the transaction: while it holds the write lock it only writes.
    const receipt = await signReceipt(claims, ctx.self.signingKey);
    const receivedAt = new Date(claims.received_at);
    const copies = await prepareCopies(ctx.dataKeys, envelope.header.id, { jws: envelope.jws }, receivedAt);
    const prepared = await prepareIncoming(ctx, envelope, receivedAt);
    const writing = ctx.database.transaction(async (tx) => {
      // Checked again inside the transaction: a concurrent post of the same id may have won.
      const processed = await findProcessed(tx, envelope.header.id, envelope.peer.id, envelope.digest);
      if (processed) return processed;
      await applyIncomingMessage(tx, ctx, envelope, prepared);
      await recordIncomingEnvelope(tx, ctx.dataKeys, { header: envelope.header, peerId: envelope.peer.id, digest: envelope.digest }, copies, receipt, claims.received_at);
      return undefined;
    });
    asked();
    const earlier = await writing.catch(async (error: unknown) => {
      // Beyond a quota: the sender is told (the problem names the quota), this node's administrators alerted.
      const quota = exceededQuota(error);
      if (quota && error instanceof DomainError) {
        const raised = await raiseQuotaAlert(ctx.database, envelope.peer.id, quota, `${envelope.peer.id} went beyond its quota: ${error.detail ?? quota}`, receivedAt);
        if (raised) log.warn({ peer: envelope.peer.id, quota }, 'peer beyond its quota; its new referrals are refused');
      }
      throw error;
    });
    if (earlier?.outcome === 'rejected') return problemResponse(c, envelopeProblem(earlier.problem, earlier.detail));
    if (earlier?.outcome === 'duplicate') return c.json(receiptResponse(earlier.receipt));
    log.info({ envelope: envelope.header.id, type: envelope.header.type, peer: envelope.peer.id }, 'envelope received');
    if (envelope.header.type === 'consent.withdraw') await completeErasures(ctx);
    return c.json(receiptResponse(receipt));
  };

  // This organisation's services, signed, for trusted peers (service tokens), with an ETag.
  app.get('/federation/v1/directory', requirePeer(ctx), async (c) => {
    const { jws, etag } = await servedDirectory(ctx);
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, { etag });
    return c.body(jws, 200, { 'content-type': 'application/jwt', etag });
  });

  // The audit log and witness endpoints, for trusted peers (service tokens).
  app.route('/federation/v1', logRoutes(ctx));
  // Redeeming an invitation: the caller is not a peer yet (the invitation secret and its signature authenticate it).
  app.route('/federation/v1', invitationFederationRoutes(ctx));

  return app;
}

function receiptResponse(receipt: string) {
  const claims = decodeJwt(receipt) as unknown as ReceiptClaims;
  return { receipt, envelope_id: claims.envelope_id, payload_digest: claims.payload_digest, received_at: claims.received_at };
}
