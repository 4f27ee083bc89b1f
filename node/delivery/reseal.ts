// When a peer refuses an envelope with `unknown-recipient-key`, it has rotated its encryption key
// and destroyed the one the envelope was sealed to (we were slow, or the message waited long in
// our outbox). We fetch its identity document again and, when it names a new key signed with the
// pinned signing key, seal the same message to it: same envelope id, header and body, new sealed
// keys. The peer never stored the refused envelope, so the new payload is no conflict.
import type { Selectable } from 'kysely';
import type { NodeContext } from '../context.js';
import type { PeersTable } from '../db/schema.js';
import { b64u, decodeBase64UrlStrict, sha256, utf8 } from '../crypto/encoding.js';
import { openEnvelopeBody, sealEnvelope, type EnvelopeHeader, type EnvelopePayload } from '../envelope/seal.js';
import type { OkpPublicJwk } from '../identity/keys.js';
import { refreshPeerIdentity } from '../peers/refresh.js';
import { findPeer } from '../peers/store.js';
import { envelopeToReseal, replaceSealedPayload } from './outbox.js';

export type ResealOutcome = 'resealed' | 'key-unchanged' | 'cannot-open';

export async function resealForNewRecipientKey(ctx: NodeContext, envelopeId: string): Promise<ResealOutcome> {
  const { db } = ctx.database;
  const envelope = await envelopeToReseal(db, ctx.dataKeys, envelopeId);
  const before = await heldPeer(ctx, envelope.peer_id);
  await refreshPeerIdentity(ctx, before, { force: true });
  const peer = await heldPeer(ctx, envelope.peer_id);

  const payload = JSON.parse(envelope.payload) as EnvelopePayload;
  const headerBytes = decodeBase64UrlStrict(payload.header);
  if (!headerBytes) return 'cannot-open';
  const header = JSON.parse(utf8.decode(headerBytes)) as EnvelopeHeader;
  if (header.recipient_kid === peer.encryption_kid) return 'key-unchanged';
  // Our own copy of the content key is sealed to the encryption key we used as sender.
  const ours = ctx.self.encryptionKeys.get(header.sender_kid);
  const body = ours ? await openEnvelopeBody(payload, headerBytes, ours, 'sender') : undefined;
  if (!body) return 'cannot-open';

  const sealed = await sealEnvelope(
    {
      type: header.type, from: header.from, to: header.to, referralId: header.referral_id, seq: header.seq, createdAt: new Date(header.created_at),
      body: JSON.parse(utf8.decode(body)), recipientKey: JSON.parse(peer.encryption_jwk) as OkpPublicJwk, senderKey: ctx.self.encryptionKey.publicJwk,
    },
    () => header.id,
  );
  await replaceSealedPayload(ctx.database, ctx.dataKeys, envelopeId, sealed.payload, b64u.encode(sha256(sealed.payload)), ctx.clock.now());
  ctx.logger.info({ envelope: envelopeId, peer: peer.id }, 'envelope sealed again to the peer\'s new encryption key');
  return 'resealed';
}

async function heldPeer(ctx: NodeContext, id: string): Promise<Selectable<PeersTable>> {
  const peer = await findPeer(ctx.database.db, id);
  if (!peer) throw new Error(`Peer ${id} is not held here.`);
  return peer;
}
