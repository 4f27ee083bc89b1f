// When a peer refuses an envelope with `unknown-recipient-key`, it has rotated its encryption key
// and destroyed the one the envelope was sealed to (we were slow, or the message waited long in
// our outbox). We fetch its identity document again and, when it names a new key signed with the
// pinned signing key, seal the same message to it: same envelope id, header and body, new sealed
// keys. The peer never stored the refused envelope, so the new payload is no conflict.
import type { NodeContext } from '../context.js';
import { b64u, decodeBase64UrlStrict, sha256, utf8 } from '../crypto/encoding.js';
import { openEnvelopeBody, sealEnvelope, type EnvelopeHeader, type EnvelopePayload } from '../envelope/seal.js';
import type { OkpPublicJwk } from '../identity/keys.js';
import { refreshPeerIdentity } from '../peers/refresh.js';

export type ResealOutcome = 'resealed' | 'key-unchanged' | 'cannot-open';

export async function resealForNewRecipientKey(ctx: NodeContext, envelopeId: string): Promise<ResealOutcome> {
  const { db } = ctx.database;
  const envelope = await db.selectFrom('envelopes').select(['payload', 'peer_id']).where('id', '=', envelopeId).executeTakeFirstOrThrow();
  const before = await db.selectFrom('peers').selectAll().where('id', '=', envelope.peer_id).executeTakeFirstOrThrow();
  await refreshPeerIdentity(ctx, before, { force: true });
  const peer = await db.selectFrom('peers').selectAll().where('id', '=', envelope.peer_id).executeTakeFirstOrThrow();

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
  await db
    .updateTable('envelopes')
    .set({ payload: sealed.payload, payload_digest: b64u.encode(sha256(sealed.payload)), next_attempt_at: ctx.clock.now().toISOString() })
    .where('id', '=', envelopeId)
    .where('delivery_state', '=', 'queued')
    .execute();
  ctx.logger.info({ envelope: envelopeId, peer: peer.id }, 'envelope sealed again to the peer\'s new encryption key');
  return 'resealed';
}
