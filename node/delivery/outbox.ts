// The envelopes, sent and received: the only writer of the `envelopes` table. An outgoing envelope
// is written in the same transaction as the state change that caused it, and the delivery worker
// takes it from there under a short lease; or it is cancelled before it leaves. The leases live
// here only: taken by one process (FOR UPDATE SKIP LOCKED on PostgreSQL, SQLite's single writer),
// released with the attempt's outcome, released for a process that stopped or fell silent, and
// read as "in flight" by a cancellation and by the question whether a peer may hold a referral.
// The copy (the payload P of an envelope sent, the JWS of one received, whose payload is P) is
// sealed at rest under the envelope's own data key ('envelope:<id>', data-keys/): an erasure
// destroys it.
import type { ExpressionBuilder } from 'kysely';
import type { components as Local } from '../../spec/generated/local.js';
import type { Database, Db, Tx } from '../db/database.js';
import type { Schema } from '../db/schema.js';
import { utf8 } from '../crypto/encoding.js';
import { DataKeyError, destroyDataKeys, sealedFromText, sealedText, type DataKeys, type PreparedKey } from '../data-keys/data-keys.js';
import { dialectOf, notThroughIndex, skipLocked } from '../db/dialect.js';
import { preparedStatement } from '../db/prepared.js';
import type { EnvelopeHeader, SealedEnvelope } from '../envelope/seal.js';
import { appendAuditEvent } from '../audit-log/append.js';
import { trustedPeerIdsIn } from '../peers/store.js';
import type { NodeContext } from '../context.js';
import type { AuditActor } from '../audit-log/events.js';

export type Delivery = Local['schemas']['Delivery'];
export type ReferralMessage = Local['schemas']['ReferralDetail']['messages'][number];

/** Whether a lease, read at `at`, still holds: its envelope may be being posted right now. */
const leaseHolds = (leaseUntil: string | null, at: string): boolean => leaseUntil !== null && leaseUntil >= at;

const dataKeyName = (envelopeId: string) => `envelope:${envelopeId}`;
const copyData = (envelopeId: string, part: 'payload' | 'jws') => utf8.encode(`envelope:${envelopeId}:${part}`);

/** A copy of an envelope (its payload, or the JWS received), sealed under the envelope's data key. */
async function sealCopy(tx: Tx, dataKeys: DataKeys, envelopeId: string, part: 'payload' | 'jws', text: string, now: Date): Promise<string> {
  return sealedText(await dataKeys.seal(tx, dataKeyName(envelopeId), utf8.encode(text), copyData(envelopeId, part), now));
}

/**
 * A new envelope's copy, sealed under a data key made for it, before the transaction that stores
 * it (data-keys/: PreparedKey): the payload P of one we send, the JWS of one we received. A
 * received envelope's payload is the JWS's own payload, so it is not kept a second time: its
 * `payload` column stays empty.
 */
export interface PreparedCopies {
  key: PreparedKey;
  payload: string;
  jws: string | undefined;
}

export async function prepareCopies(dataKeys: DataKeys, envelopeId: string, copy: { payload: string } | { jws: string }, now: Date): Promise<PreparedCopies> {
  const key = await dataKeys.prepare(dataKeyName(envelopeId), now);
  const seal = async (part: 'payload' | 'jws', text: string) => sealedText(await dataKeys.sealWith(key, utf8.encode(text), copyData(envelopeId, part)));
  return 'jws' in copy ? { key, payload: '', jws: await seal('jws', copy.jws) } : { key, payload: await seal('payload', copy.payload), jws: undefined };
}

/** An outgoing envelope sealed, and its copy sealed at rest, ready to be queued by a transaction that only writes. */
export interface PreparedEnvelope {
  sealed: SealedEnvelope;
  copies: PreparedCopies;
  at: Date;
}

export async function prepareEnvelope(dataKeys: DataKeys, sealed: SealedEnvelope, at: Date): Promise<PreparedEnvelope> {
  return { sealed, copies: await prepareCopies(dataKeys, sealed.header.id, { payload: sealed.payload }, at), at };
}

/** The stored copy opened; an empty one (erased) stays empty. */
async function openCopy(db: Db | Tx, dataKeys: DataKeys, envelopeId: string, part: 'payload' | 'jws', stored: string): Promise<string> {
  if (stored === '') return '';
  const plaintext = await dataKeys.open(db, dataKeyName(envelopeId), sealedFromText(stored), copyData(envelopeId, part));
  if (!plaintext) throw new DataKeyError(`Envelope ${envelopeId} has a copy but no data key: it was erased only in part.`);
  return utf8.decode(plaintext);
}

/** What queuing an envelope needs of the node: its data keys, its database, and its worker if it runs here. */
export type OutboxContext = Pick<NodeContext, 'dataKeys' | 'database' | 'outbox'>;

export async function enqueueEnvelope(tx: Tx, ctx: OutboxContext, sealed: SealedEnvelope, at: Date): Promise<void> {
  await enqueuePrepared(tx, ctx, await prepareEnvelope(ctx.dataKeys, sealed, at));
}

/** What every envelope row holds of its header and payload, in either direction. */
type EnvelopeColumns = {
  id: string;
  peerId: string;
  referralId: string;
  type: string;
  seq: number;
  payload: string;
  digest: string;
};
const envelopeColumns = (v: EnvelopeColumns) =>
  ({ id: v.id, peer_id: v.peerId, referral_id: v.referralId, type: v.type, seq: v.seq, payload: v.payload, payload_digest: v.digest }) as const;

const insertOutgoing = preparedStatement((db, v: EnvelopeColumns & { now: string; leaseOwner: string | null; leaseUntil: string | null }) =>
  db.insertInto('envelopes').values({
    ...envelopeColumns(v), direction: 'outgoing', created_at: v.now, delivery_state: 'queued', next_attempt_at: v.now, lease_owner: v.leaseOwner, lease_until: v.leaseUntil,
  }),
);
const queuedOfReferral = preparedStatement((db, v: { referralId: string }) =>
  db.selectFrom('envelopes').select('id').where('referral_id', '=', v.referralId).where('direction', '=', 'outgoing').where('delivery_state', '=', 'queued').limit(1),
);

/**
 * Queues an envelope prepared before the transaction. Where this process's delivery worker runs,
 * the envelope is written leased to it and handed to it once committed (handover.ts), unless an
 * earlier message of its referral is still queued: a referral's messages leave in seq order.
 */
export async function enqueuePrepared(tx: Tx, ctx: OutboxContext, { sealed, copies, at }: PreparedEnvelope): Promise<void> {
  await ctx.dataKeys.keep(tx, copies.key);
  const { header } = sealed;
  const offered = ctx.outbox.leaseFor(at);
  const lease = offered && !(await queuedOfReferral.first(tx, { referralId: header.referral_id })) ? offered : undefined;
  await insertOutgoing.execute(tx, {
    id: header.id, peerId: header.to, referralId: header.referral_id, type: header.type, seq: header.seq, payload: copies.payload, digest: sealed.digest, now: at.toISOString(),
    leaseOwner: lease?.owner ?? null, leaseUntil: lease?.until ?? null,
  });
  const handed = { id: header.id, peer_id: header.to, referral_id: header.referral_id, type: header.type, payload: sealed.payload, payload_digest: sealed.digest };
  ctx.database.afterCommit(tx, () => ctx.outbox.committed(handed, lease !== undefined));
}

/**
 * An envelope received and applied, kept with the JWS as evidence of what the sender signed and the
 * receipt we gave. Its copy was sealed before the transaction (prepareCopies). Received before this
 * version, an envelope's row also holds a sealed copy of its payload; now the JWS alone.
 */
export async function recordIncomingEnvelope(
  tx: Tx,
  dataKeys: DataKeys,
  envelope: { header: EnvelopeHeader; peerId: string; digest: string },
  copies: PreparedCopies,
  receipt: string,
  receivedAt: string,
): Promise<void> {
  await dataKeys.keep(tx, copies.key);
  const { header } = envelope;
  await insertIncoming.execute(tx, {
    id: header.id, peerId: envelope.peerId, referralId: header.referral_id, type: header.type, seq: header.seq, payload: copies.payload,
    digest: envelope.digest, jws: copies.jws ?? null, receipt, createdAt: header.created_at, receivedAt,
  });
}

const insertIncoming = preparedStatement((db, v: EnvelopeColumns & { jws: string | null; receipt: string; createdAt: string; receivedAt: string }) =>
  db.insertInto('envelopes').values({
    ...envelopeColumns(v),
    direction: 'incoming',
    signed_jws: v.jws,
    receipt: v.receipt,
    created_at: v.createdAt,
    received_at: v.receivedAt,
    delivery_state: null,
  }),
);

/** What this node holds under an envelope id, in either direction (a received one's duplicate, or a conflict). */
export async function heldEnvelope(
  db: Db | Tx,
  id: string,
): Promise<{ direction: 'incoming' | 'outgoing'; payload_digest: string; receipt: string | null; peer_id: string } | undefined> {
  return heldById.first(db, { id });
}

const heldById = preparedStatement((db, v: { id: string }) => db.selectFrom('envelopes').select(['direction', 'payload_digest', 'receipt', 'peer_id']).where('id', '=', v.id));

/**
 * Our queued messages of a referral, or to a peer, are cancelled and emptied: never sent, nor sent
 * again. One being posted right now (leased) may still arrive; if its attempt fails it is not
 * retried. Those never tried and not in flight certainly never left: the audit log says so, so
 * that no erasure is asked for data that never went anywhere.
 */
export async function cancelQueuedMessages(
  tx: Tx,
  scope: { referralId: string } | { peerId: string },
  now: Date,
  why: string,
  actor: AuditActor,
): Promise<void> {
  let query = tx
    .selectFrom('envelopes')
    .select(['id', 'referral_id', 'attempts', 'lease_until'])
    .where('direction', '=', 'outgoing')
    .where('delivery_state', '=', 'queued');
  query = 'referralId' in scope ? query.where('referral_id', '=', scope.referralId) : query.where('peer_id', '=', scope.peerId);
  const queued = await query.execute();
  if (queued.length === 0) return;
  const at = now.toISOString();
  await destroyDataKeys(tx, queued.map((e) => dataKeyName(e.id)), now);
  await tx
    .updateTable('envelopes')
    .set({ delivery_state: 'failed', last_error: `cancelled: ${why}`, payload: '', erased_at: at })
    .where('id', 'in', queued.map((e) => e.id))
    .execute();
  for (const envelope of queued.filter((e) => e.attempts === 0 && !leaseHolds(e.lease_until, at))) {
    await appendAuditEvent(tx, now, actor, { type: 'disclosure.cancelled', referral_id: envelope.referral_id, envelope_id: envelope.id });
  }
}

/**
 * Whether any message of the referral reached the peer or may have: delivered, being posted now,
 * or tried before (an attempt whose answer was lost may still have arrived).
 */
export async function peerMayHoldReferral(tx: Tx, referralId: string, now: Date): Promise<boolean> {
  const row = await tx
    .selectFrom('envelopes')
    .select('id')
    .where('referral_id', '=', referralId)
    .where('direction', '=', 'outgoing')
    .where((eb) => eb.or([eb('delivery_state', '=', 'delivered'), eb('attempts', '>', 0), eb('lease_until', '>=', now.toISOString())]))
    .executeTakeFirst();
  return row !== undefined;
}

/** Empties the referral's envelopes both ways (an erasure): their data keys, payloads and signed copies go, ids, digests and receipts stay. Returns how many. */
export async function eraseEnvelopesOf(tx: Tx, referralId: string, now: Date): Promise<number> {
  const held = await tx.selectFrom('envelopes').select('id').where('referral_id', '=', referralId).where('erased_at', 'is', null).execute();
  await destroyDataKeys(tx, held.map((e) => dataKeyName(e.id)), now);
  const result = await tx
    .updateTable('envelopes')
    .set({ payload: '', signed_jws: null, erased_at: now.toISOString() })
    .where('referral_id', '=', referralId)
    .where('erased_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

// The delivery worker's side (worker.ts, reseal.ts) and a person's requeue (requeue.ts).

/** The outbox posts only to trusted peers: the envelopes of a suspended one wait, a revoked one's are cancelled (peers/peer-state.ts). */
const toTrustedPeer = (eb: ExpressionBuilder<Schema, 'envelopes'>) => eb('envelopes.peer_id', 'in', trustedPeerIdsIn(eb));

/** The trusted peers that have an outgoing envelope due now and free for `owner` to lease (the envelopes_due index serves it). */
export async function peersWithDueEnvelopes(db: Db, now: Date, owner: string): Promise<string[]> {
  const rows = await db
    .selectFrom('envelopes')
    .select('peer_id')
    .distinct()
    .where(toTrustedPeer)
    .where('delivery_state', '=', 'queued')
    .where('next_attempt_at', '<=', now.toISOString())
    .where('direction', '=', 'outgoing')
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now.toISOString()), eb('lease_owner', '=', owner)]))
    .execute();
  return rows.map((r) => r.peer_id);
}

/**
 * Queued envelopes to `peerIds` due now and free for `owner` to lease, oldest first; of each
 * referral only the earliest queued, since the peer applies them in seq order.
 */
export async function dueEnvelopes(
  db: Db,
  now: Date,
  peerIds: readonly string[],
  limit: number,
  owner: string,
): Promise<Array<{ id: string; peer_id: string; referral_id: string }>> {
  if (peerIds.length === 0) return [];
  return (
    db
      .selectFrom('envelopes')
      .select(['envelopes.id', 'envelopes.peer_id', 'envelopes.referral_id'])
      .where('envelopes.direction', '=', 'outgoing')
      .where('envelopes.delivery_state', '=', 'queued')
      // A peer's queue, oldest first (envelopes_queue), read until `limit` are found, not every
      // due envelope sorted (envelopes_due): a backlog is not read again at every search.
      .where(notThroughIndex(db, 'envelopes.next_attempt_at'), '<=', now.toISOString())
      .where('envelopes.peer_id', 'in', peerIds)
      .where(toTrustedPeer)
      .where((eb) => eb.or([eb('envelopes.lease_until', 'is', null), eb('envelopes.lease_until', '<', now.toISOString()), eb('envelopes.lease_owner', '=', owner)]))
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('envelopes as earlier')
              .select('earlier.id')
              .whereRef('earlier.referral_id', '=', 'envelopes.referral_id')
              .where('earlier.direction', '=', 'outgoing')
              .where('earlier.delivery_state', '=', 'queued')
              .whereRef('earlier.seq', '<', 'envelopes.seq'),
          ),
        ),
      )
      // UUIDv7 ids are time-ordered: oldest first, so a backlog leaves in the order it was made.
      .orderBy('envelopes.id')
      .limit(limit)
      .execute()
  );
}

/**
 * Takes leases of `leaseMs` for process `owner` on those of these queued envelopes that no other
 * process holds, so that two processes never post one at once; returns the ids leased. One
 * statement for all the envelopes a search starts: one commit (and fsync) rather than one each. On
 * PostgreSQL a row another process is leasing right now is skipped rather than waited for.
 */
export async function takeLeases(db: Db, ids: readonly string[], now: Date, leaseMs: number, owner: string): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const at = now.toISOString();
  // Found by their ids (the primary key), not among every due envelope (envelopes_due).
  const free = (eb: ExpressionBuilder<Schema, 'envelopes'>) =>
    eb.and([
      eb('envelopes.id', 'in', ids),
      toTrustedPeer(eb),
      eb(notThroughIndex(db, 'envelopes.delivery_state'), '=', 'queued'),
      // Due still: an attempt that ended since the search read it may have set its next one later.
      eb(notThroughIndex(db, 'envelopes.next_attempt_at'), '<=', at),
      eb.or([eb('envelopes.lease_until', 'is', null), eb('envelopes.lease_until', '<', at), eb('envelopes.lease_owner', '=', owner)]),
    ]);
  const update = db.updateTable('envelopes').set({ lease_until: new Date(now.getTime() + leaseMs).toISOString(), lease_owner: owner });
  // PostgreSQL locks the rows it leases and skips those another process is leasing right now;
  // SQLite, with a single writer, updates them in place.
  const leased = await (dialectOf(db) === 'postgres'
    ? update.where('envelopes.id', 'in', skipLocked(db, db.selectFrom('envelopes').select('envelopes.id').where(free)))
    : update.where(free)
  )
    .returning('envelopes.id')
    .execute();
  return new Set(leased.map((row) => row.id));
}

/** Releases one envelope's lease held by `owner`, unposted (its peer is not trusted now). */
export async function releaseLease(db: Db, id: string, owner: string): Promise<void> {
  await db.updateTable('envelopes').set({ lease_until: null, lease_owner: null }).where('id', '=', id).where('lease_owner', '=', owner).execute();
}

/**
 * Releases the leases of these processes: they stopped, or fell silent (died mid-post), and their
 * envelopes would otherwise wait until the leases ran out.
 */
export async function releaseLeasesOf(db: Db, owners: readonly string[]): Promise<void> {
  if (owners.length === 0) return;
  await db.updateTable('envelopes').set({ lease_until: null, lease_owner: null }).where('lease_owner', 'in', owners).execute();
}

/** The envelope to post, its payload opened ('' when it was emptied meanwhile: erased or cancelled). */
export async function envelopeToDeliver(
  db: Db,
  dataKeys: DataKeys,
  id: string,
): Promise<{ id: string; payload: string; payload_digest: string; attempts: number; referral_id: string; type: string; peer_id: string }> {
  const envelope = await toDeliverById.first(db, { id });
  if (!envelope) throw new Error(`Envelope ${id} is gone.`);
  return { ...envelope, payload: await openCopy(db, dataKeys, id, 'payload', envelope.payload) };
}

const toDeliverById = preparedStatement((db, v: { id: string }) =>
  db.selectFrom('envelopes').select(['id', 'payload', 'payload_digest', 'attempts', 'referral_id', 'type', 'peer_id']).where('id', '=', v.id),
);

const delivered = preparedStatement((db, v: { id: string; receipt: string; attempts: number; at: string }) =>
  db
    .updateTable('envelopes')
    .set({ delivery_state: 'delivered', receipt: v.receipt, attempts: v.attempts, delivered_at: v.at, last_error: null, lease_until: null, lease_owner: null })
    .where('id', '=', v.id),
);

/** The peer's verified receipt ends the envelope's delivery; the lease goes with it. */
export async function markDelivered(tx: Tx, id: string, receipt: string, attempts: number, now: Date): Promise<void> {
  await delivered.execute(tx, { id, receipt, attempts, at: now.toISOString() });
}

/** Refused for good, or impossible to send again: out of the queue until a person requeues it. */
export async function markFailed(db: Db, id: string, attempts: number, error: string): Promise<void> {
  await db.updateTable('envelopes').set({ delivery_state: 'failed', attempts, last_error: error, lease_until: null, lease_owner: null }).where('id', '=', id).execute();
}

/** An attempt that may pass later: the lease is released, and the next attempt is due at `nextAttemptAt` (unchanged when absent). */
export async function recordFailedAttempt(db: Db, id: string, attempts: number, error: string, nextAttemptAt?: Date): Promise<void> {
  await db
    .updateTable('envelopes')
    .set({ attempts, last_error: error, ...(nextAttemptAt ? { next_attempt_at: nextAttemptAt.toISOString() } : {}), lease_until: null, lease_owner: null })
    .where('id', '=', id)
    .execute();
}

export async function envelopeToReseal(db: Db, dataKeys: DataKeys, id: string): Promise<{ payload: string; peer_id: string }> {
  const envelope = await db.selectFrom('envelopes').select(['payload', 'peer_id']).where('id', '=', id).executeTakeFirstOrThrow();
  return { ...envelope, payload: await openCopy(db, dataKeys, id, 'payload', envelope.payload) };
}

/** The same message sealed anew (same id and header), due at once, if it is still queued (and so not erased). */
export async function replaceSealedPayload(database: Database, dataKeys: DataKeys, id: string, payload: string, digest: string, now: Date): Promise<void> {
  await database.transaction(async (tx) => {
    const queued = await tx.selectFrom('envelopes').select('id').where('id', '=', id).where('delivery_state', '=', 'queued').executeTakeFirst();
    if (!queued) return;
    await tx
      .updateTable('envelopes')
      .set({ payload: await sealCopy(tx, dataKeys, id, 'payload', payload, now), payload_digest: digest, next_attempt_at: now.toISOString() })
      .where('id', '=', id)
      .execute();
  });
}

export async function outgoingEnvelopeOf(
  db: Db,
  referralId: string,
  envelopeId: string,
): Promise<{ delivery_state: 'queued' | 'delivered' | 'failed' | null; payload: string; erased_at: string | null; peer_id: string } | undefined> {
  return db
    .selectFrom('envelopes')
    .select(['delivery_state', 'payload', 'erased_at', 'peer_id'])
    .where('id', '=', envelopeId)
    .where('referral_id', '=', referralId)
    .where('direction', '=', 'outgoing')
    .executeTakeFirst();
}

/**
 * A peer that answers again after failing: its envelopes that backed off while it was away (up to
 * an hour after many attempts) are due now, so a backlog drains at once rather than in a tail.
 */
export async function dueAgainFor(db: Db, peerId: string, now: Date): Promise<number> {
  const result = await db
    .updateTable('envelopes')
    .set({ next_attempt_at: now.toISOString() })
    .where('direction', '=', 'outgoing')
    .where('delivery_state', '=', 'queued')
    .where('peer_id', '=', peerId)
    .where('attempts', '>', 0)
    .where('next_attempt_at', '>', now.toISOString())
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** A refused envelope queued again, due now and free of any lease. */
export async function requeueRefused(db: Db, id: string, now: Date): Promise<void> {
  await db
    .updateTable('envelopes')
    .set({ delivery_state: 'queued', next_attempt_at: now.toISOString(), lease_until: null, lease_owner: null })
    .where('id', '=', id)
    .where('delivery_state', '=', 'failed')
    .execute();
}

// Reads for other concerns: what the envelopes say of referrals, peers and keys.

/** Referrals with an outgoing message the peer refused for good (they need a person's action). */
export async function failedDeliveryReferralIds(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('envelopes').select('referral_id').distinct().where('direction', '=', 'outgoing').where('delivery_state', '=', 'failed').execute();
  return rows.map((r) => r.referral_id);
}

/** Referrals with an outgoing message still waiting in the queue. */
export async function queuedMessageReferralIds(db: Db): Promise<Set<string>> {
  const rows = await db.selectFrom('envelopes').select('referral_id').distinct().where('direction', '=', 'outgoing').where('delivery_state', '=', 'queued').execute();
  return new Set(rows.map((r) => r.referral_id));
}

function deliveryOf(envelope: { delivery_state: 'queued' | 'delivered' | 'failed'; attempts: number; last_error: string | null; next_attempt_at: string | null; delivered_at: string | null }): Delivery {
  return {
    state: envelope.delivery_state,
    attempts: envelope.attempts,
    ...(envelope.last_error ? { last_error: envelope.last_error } : {}),
    ...(envelope.next_attempt_at && envelope.delivery_state === 'queued' ? { next_attempt_at: envelope.next_attempt_at } : {}),
    ...(envelope.delivered_at ? { delivered_at: envelope.delivered_at } : {}),
  };
}

/** For each outgoing referral of `referralIds`, the delivery of its opening message (`types`): the latest, an offer after an inquiry. */
export async function openingDeliveries(db: Db, referralIds: readonly string[], types: readonly string[]): Promise<Map<string, Delivery>> {
  const deliveries = new Map<string, Delivery>();
  if (referralIds.length === 0) return deliveries;
  const envelopes = await db
    .selectFrom('envelopes')
    .select(['referral_id', 'seq', 'delivery_state', 'attempts', 'last_error', 'next_attempt_at', 'delivered_at'])
    .where('referral_id', 'in', referralIds)
    .where('direction', '=', 'outgoing')
    .where('type', 'in', types)
    .execute();
  // The offer after an inquiry has the higher seq: it is the one whose delivery matters now.
  const latest = new Map<string, (typeof envelopes)[number]>();
  for (const envelope of envelopes) {
    const known = latest.get(envelope.referral_id);
    if (!known || envelope.seq > known.seq) latest.set(envelope.referral_id, envelope);
  }
  for (const [referralId, { delivery_state, ...envelope }] of latest) {
    if (delivery_state) deliveries.set(referralId, deliveryOf({ delivery_state, ...envelope }));
  }
  return deliveries;
}

/** The messages of a referral both ways, in the order they were made. */
export async function referralMessages(db: Db, referralId: string): Promise<ReferralMessage[]> {
  const envelopes = await db.selectFrom('envelopes').selectAll().where('referral_id', '=', referralId).orderBy('created_at').orderBy('id').execute();
  return envelopes.map(({ delivery_state, ...e }) => ({
    envelope_id: e.id,
    type: e.type,
    seq: e.seq,
    direction: e.direction,
    created_at: e.created_at,
    ...(e.receipt ? { receipt: e.receipt } : {}),
    ...(delivery_state ? { delivery: deliveryOf({ delivery_state, ...e }) } : {}),
  }));
}

/** Per peer: the last message received from it and delivered to it, and how many to it failed or wait for another attempt. */
export async function contactByPeer(
  db: Db,
  peerId?: string,
): Promise<Array<{ peer_id: string; last_received: string | null; last_delivered: string | null; failed: number | null; retrying: number | null }>> {
  let query = db
    .selectFrom('envelopes')
    .select((eb) => [
      'peer_id',
      eb.fn.max('received_at').as('last_received'),
      eb.fn.max('delivered_at').as('last_delivered'),
      eb.fn.sum<number>(eb.case().when('delivery_state', '=', 'failed').then(1).else(0).end()).as('failed'),
      eb.fn.sum<number>(eb.case().when(eb.and([eb('delivery_state', '=', 'queued'), eb('attempts', '>', 0)])).then(1).else(0).end()).as('retrying'),
    ])
    .groupBy('peer_id');
  if (peerId) query = query.where('peer_id', '=', peerId);
  return query.execute();
}

/** The payloads of outgoing messages not sent yet (queued, or refused and not emptied), opened: the keys they were sealed with are still needed. */
export async function unsentPayloads(db: Db, dataKeys: DataKeys): Promise<Array<{ payload: string }>> {
  const rows = await db
    .selectFrom('envelopes')
    .select(['id', 'payload'])
    .where('direction', '=', 'outgoing')
    .where('delivery_state', 'in', ['queued', 'failed'])
    .where('payload', '!=', '')
    .execute();
  return Promise.all(rows.map(async (row) => ({ payload: await openCopy(db, dataKeys, row.id, 'payload', row.payload) })));
}

/** An outgoing message that failed for good, or has been tried and waits for another attempt. */
export interface UndeliveredMessage {
  envelopeId: string;
  referralId: string;
  peerId: string;
  type: string;
  state: 'failed' | 'retrying';
  attempts: number;
  since: string;
}

/** The oldest `limit` outgoing messages that failed for good or are being retried. */
export async function undeliveredMessages(db: Db, limit: number): Promise<UndeliveredMessage[]> {
  const rows = await db
    .selectFrom('envelopes')
    .select(['id', 'referral_id', 'peer_id', 'type', 'delivery_state', 'attempts', 'created_at'])
    .where('direction', '=', 'outgoing')
    .where((eb) => eb.or([eb('delivery_state', '=', 'failed'), eb.and([eb('delivery_state', '=', 'queued'), eb('attempts', '>', 0)])]))
    .orderBy('created_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    envelopeId: r.id,
    referralId: r.referral_id,
    peerId: r.peer_id,
    type: r.type,
    state: r.delivery_state === 'failed' ? 'failed' : 'retrying',
    attempts: r.attempts,
    since: r.created_at,
  }));
}

/** Per peer, how many outgoing envelopes are queued and when the oldest of them was created (for /metrics). */
export async function outboxDepthByPeer(db: Db): Promise<Array<{ peerId: string; queued: number; oldestCreatedAt: string }>> {
  const rows = await db
    .selectFrom('envelopes')
    .select((eb) => ['peer_id', eb.fn.countAll<number | string | bigint>().as('queued'), eb.fn.min('created_at').as('oldest')])
    .where('direction', '=', 'outgoing')
    .where('delivery_state', '=', 'queued')
    .groupBy('peer_id')
    .execute();
  return rows.map((r) => ({ peerId: r.peer_id, queued: Number(r.queued), oldestCreatedAt: r.oldest }));
}

/**
 * Envelopes stored before copies were sealed at rest held them in the clear (their bodies were
 * ciphertext, but openable with our own keys): each is sealed under a data key of its own. Run when
 * the node opens. A compact JWS has two dots and a payload is JSON; a sealed copy has one dot.
 */
export async function sealLegacyEnvelopeCopies(database: Database, dataKeys: DataKeys, now: Date): Promise<number> {
  let sealed = 0;
  for (;;) {
    const count = await database.transaction(async (tx) => {
      const batch = await tx
        .selectFrom('envelopes')
        .select(['id', 'payload', 'signed_jws'])
        .where((eb) => eb.or([eb('payload', 'like', '{%'), eb('signed_jws', 'like', '%.%.%')]))
        .limit(200)
        .execute();
      for (const row of batch) {
        const payload = row.payload.startsWith('{') ? await sealCopy(tx, dataKeys, row.id, 'payload', row.payload, now) : row.payload;
        const jws = row.signed_jws?.split('.').length === 3 ? await sealCopy(tx, dataKeys, row.id, 'jws', row.signed_jws, now) : row.signed_jws;
        await tx.updateTable('envelopes').set({ payload, signed_jws: jws }).where('id', '=', row.id).execute();
      }
      return batch.length;
    });
    if (count === 0) return sealed;
    sealed += count;
  }
}
