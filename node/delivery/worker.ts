// The delivery worker: takes due envelopes from the outbox, oldest first, signs each attempt
// afresh, posts it to the peer, and keeps the peer's verified receipt. Everything is retried with
// capped backoff except the refusals that no retry can change (FINAL_PROBLEMS), which mark the
// envelope failed with the peer's problem type.
import type { Logger } from 'pino';
import type { NodeContext } from '../context.js';
import { signEnvelopeAttempt } from '../envelope/seal.js';
import { verifyReceipt } from '../envelope/receipt.js';
import { peerSigningKeys } from '../peers/peer-keys.js';
import { refreshForUnknownKey } from '../peers/unknown-key.js';
import { kidOf } from '../crypto/compact-jws.js';
import { recordEvent } from '../referrals/timeline.js';
import { defaultRetryPolicy, retryAfterMs, retryDelayMs, type RetryPolicy } from './retry-policy.js';
import { resealForNewRecipientKey } from './reseal.js';

const REQUEST_TIMEOUT_MS = 15_000;
/** Longer than one attempt can take, so a live process never loses its lease mid-post. */
const LEASE_MS = REQUEST_TIMEOUT_MS + 15_000;
const BATCH = 50;

/**
 * Refusals that say the envelope itself is wrong: sending it again cannot succeed. Anything else
 * (the peer does not trust us yet, clocks apart, a rotated key, a proxy's 404) may pass later.
 */
const FINAL_PROBLEMS = new Set(
  [
    'malformed-envelope', 'envelope-too-large', 'unsupported-media-type', 'wrong-recipient', 'sender-mismatch', 'envelope-conflict',
    'unsupported-message-type', 'decryption-failed', 'invalid-body', 'unknown-referral', 'illegal-transition', 'sender-revoked',
  ].map(
    (name) => `urn:refnet:problem:${name}`,
  ),
);

type AttemptResult =
  | { kind: 'delivered'; receipt: string }
  | { kind: 'retry'; error: string; afterMs?: number | undefined }
  | { kind: 'failed'; error: string };

export interface DeliveryWorker {
  /** Ask for a delivery round now (e.g. after a commit queued an envelope). */
  kick(): void;
  /** One round: every due envelope is tried once. Returns how many were tried. */
  deliverDueEnvelopes(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

export function createDeliveryWorker(
  ctx: NodeContext,
  options: { pollMs?: number; policy?: RetryPolicy } = {},
): DeliveryWorker {
  const policy = options.policy ?? defaultRetryPolicy;
  const pollMs = options.pollMs ?? 1_000;
  const log = ctx.logger.child({ subsystem: 'delivery' });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;
  let again = false;
  let stopped = false;
  let stopping = new AbortController();

  const round = (): Promise<number> => {
    if (running) {
      again = true;
      return running;
    }
    running = deliverDueEnvelopes(ctx, policy, log, stopping.signal).finally(() => {
      running = undefined;
      if (again && !stopped) {
        again = false;
        void round();
      }
    });
    return running;
  };

  return {
    kick() {
      if (!stopped) void round().catch((error: unknown) => log.error({ err: String(error) }, 'delivery round failed'));
    },
    deliverDueEnvelopes: round,
    start() {
      stopped = false;
      stopping = new AbortController();
      timer = setInterval(() => this.kick(), pollMs);
      timer.unref();
      // Leases left by a process that died mid-post (a crash, SIGKILL) would hold their referral
      // back until they run out; the serving node releases them as it starts. Should a CLI be
      // posting at this very moment, the worst case is a second post, which the peer answers
      // with the same receipt and no second effect.
      void releaseLeases(ctx)
        .catch((error: unknown) => log.error({ error: error instanceof Error ? error.name : 'error' }, 'releasing leases failed'))
        .finally(() => this.kick());
    },
    async stop() {
      stopped = true;
      stopping.abort();
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}

async function deliverDueEnvelopes(ctx: NodeContext, policy: RetryPolicy, log: Logger, stop: AbortSignal): Promise<number> {
  const { db } = ctx.database;
  const now = ctx.clock.now();
  const due = await db
    .selectFrom('envelopes')
    .innerJoin('peers', 'peers.id', 'envelopes.peer_id')
    .select(['envelopes.id', 'envelopes.peer_id'])
    .where('envelopes.direction', '=', 'outgoing')
    .where('envelopes.delivery_state', '=', 'queued')
    .where('envelopes.next_attempt_at', '<=', now.toISOString())
    .where('peers.state', '=', 'trusted')
    // The messages of one referral go one at a time, in order: the peer applies them in seq order.
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
    .limit(BATCH)
    .execute();
  let tried = 0;
  // A peer that failed once in this round is not tried again in it: one unreachable peer must not
  // hold up everyone else's deliveries, and its later envelopes must not overtake the earlier one.
  const skipped = new Set<string>();
  for (const candidate of due) {
    if (stop.aborted) break;
    if (skipped.has(candidate.peer_id) || !(await claim(ctx, candidate.id))) continue;
    tried += 1;
    if (!(await deliverOne(ctx, candidate.id, policy, log, stop))) skipped.add(candidate.peer_id);
  }
  return tried;
}

async function releaseLeases(ctx: NodeContext): Promise<void> {
  await ctx.database.db.updateTable('envelopes').set({ lease_until: null }).where('lease_until', 'is not', null).execute();
}

/** Takes a short lease so two processes on one data folder never post the same envelope at once. */
async function claim(ctx: NodeContext, id: string): Promise<boolean> {
  const now = ctx.clock.now();
  const result = await ctx.database.db
    .updateTable('envelopes')
    .set({ lease_until: new Date(now.getTime() + LEASE_MS).toISOString() })
    .where('id', '=', id)
    .where('delivery_state', '=', 'queued')
    .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now.toISOString())]))
    // Checked again here, not only when the batch was picked: the peer may have been suspended or
    // revoked meanwhile (from the API, or the CLI in another process).
    .where(({ exists, selectFrom }) =>
      exists(selectFrom('peers').select('peers.id').whereRef('peers.id', '=', 'envelopes.peer_id').where('peers.state', '=', 'trusted')),
    )
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Returns whether the envelope left the queue (delivered or failed for good). */
async function deliverOne(ctx: NodeContext, id: string, policy: RetryPolicy, log: Logger, stop: AbortSignal): Promise<boolean> {
  const { db } = ctx.database;
  const envelope = await db
    .selectFrom('envelopes')
    .innerJoin('peers', 'peers.id', 'envelopes.peer_id')
    .select(['envelopes.id', 'envelopes.payload', 'envelopes.payload_digest', 'envelopes.attempts', 'envelopes.referral_id', 'envelopes.type'])
    .select(['peers.id as peer_id', 'peers.signing_jwk', 'peers.identity_jws'])
    .where('envelopes.id', '=', id)
    .executeTakeFirstOrThrow();
  const result = await attempt(ctx, envelope, stop);
  const now = ctx.clock.now();
  const attempts = envelope.attempts + 1;
  if (result.kind === 'delivered') {
    await ctx.database.transaction(async (tx) => {
      await tx
        .updateTable('envelopes')
        .set({ delivery_state: 'delivered', receipt: result.receipt, attempts, delivered_at: now.toISOString(), last_error: null, lease_until: null })
        .where('id', '=', id)
        .execute();
      if (envelope.type === 'referral.offer') {
        const moved = await tx
          .updateTable('referrals')
          .set({ state: 'delivered', updated_at: now.toISOString() })
          .where('id', '=', envelope.referral_id)
          .where('state', '=', 'sent')
          .executeTakeFirst();
        if (moved.numUpdatedRows === 1n) {
          await recordEvent(tx, ctx, {
            referralId: envelope.referral_id, at: now, action: 'receipt', from: 'sent', to: 'delivered',
            actor: { kind: 'peer', id: envelope.peer_id }, envelopeId: id,
          });
        }
      }
    });
    log.info({ envelope: id, peer: envelope.peer_id, attempts }, 'envelope delivered');
    return true;
  }
  if (result.kind === 'failed') {
    await db
      .updateTable('envelopes')
      .set({ delivery_state: 'failed', attempts, last_error: result.error, lease_until: null })
      .where('id', '=', id)
      .execute();
    log.warn({ envelope: id, peer: envelope.peer_id, error: result.error }, 'envelope refused by peer');
    return true;
  }
  // The peer rotated its encryption key past the one this envelope was sealed to: seal it anew
  // (after fetching its identity again) and try at once; if that cannot be done, back off as usual.
  if (result.error.endsWith(' urn:refnet:problem:unknown-recipient-key')) {
    const resealed = await resealForNewRecipientKey(ctx, id).catch(() => 'cannot-open' as const);
    if (resealed === 'resealed') {
      await db.updateTable('envelopes').set({ attempts, last_error: result.error, lease_until: null }).where('id', '=', id).execute();
      return false;
    }
    if (resealed === 'cannot-open') {
      // Our own copy of the content key can no longer be opened: the message cannot be sent again.
      const error = `${result.error}; cannot be sealed again: our key for it was destroyed`;
      await db.updateTable('envelopes').set({ delivery_state: 'failed', attempts, last_error: error, lease_until: null }).where('id', '=', id).execute();
      log.warn({ envelope: id, peer: envelope.peer_id }, 'envelope cannot be sealed to the peer\'s new key');
      return true;
    }
  }
  const delay = result.afterMs ?? retryDelayMs(policy, attempts);
  await db
    .updateTable('envelopes')
    .set({
      attempts,
      last_error: result.error,
      next_attempt_at: new Date(now.getTime() + Math.min(delay, policy.maxMs)).toISOString(),
      lease_until: null,
    })
    .where('id', '=', id)
    .execute();
  log.info({ envelope: id, peer: envelope.peer_id, attempts, error: result.error, retryInMs: delay }, 'delivery will be retried');
  return false;
}

async function attempt(
  ctx: NodeContext,
  envelope: { id: string; payload: string; payload_digest: string; peer_id: string; signing_jwk: string; identity_jws: string },
  stop: AbortSignal,
): Promise<AttemptResult> {
  const jws = await signEnvelopeAttempt(envelope.payload, { nodeId: ctx.self.nodeId, signingKey: ctx.self.signingKey }, ctx.clock.now());
  let response: Response;
  try {
    response = await ctx.fetch(`${envelope.peer_id}/federation/v1/envelopes`, {
      method: 'POST',
      headers: { 'content-type': 'application/jose', accept: 'application/json, application/problem+json' },
      body: jws,
      signal: AbortSignal.any([stop, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
    });
  } catch (error) {
    return { kind: 'retry', error: `network: ${error instanceof Error ? error.name : 'error'}` };
  }
  if (response.status === 200) {
    const body = (await response.json().catch(() => undefined)) as { receipt?: unknown } | undefined;
    const receipt = typeof body?.receipt === 'string' ? body.receipt : undefined;
    if (!receipt) return { kind: 'retry', error: 'invalid receipt' };
    const expected = { peerId: envelope.peer_id, selfId: ctx.self.nodeId, envelopeId: envelope.id, digest: envelope.payload_digest };
    const known = peerSigningKeys(envelope);
    let verified = await verifyReceipt(receipt, { ...expected, peerSigningKeys: known });
    const kid = kidOf(receipt);
    if (!verified && kid && !known.has(kid)) {
      // Signed with a key not known here: the peer may have rotated its signing key just now.
      const refreshed = await refreshForUnknownKey(ctx, envelope.peer_id, kid);
      if (refreshed) verified = await verifyReceipt(receipt, { ...expected, peerSigningKeys: peerSigningKeys(refreshed) });
    }
    return verified ? { kind: 'delivered', receipt } : { kind: 'retry', error: 'invalid receipt' };
  }
  const problem = await problemTypeOf(response);
  const error = `${response.status}${problem ? ` ${problem}` : ''}`;
  if (response.status === 429 || response.status === 503) {
    return { kind: 'retry', error, afterMs: retryAfterMs(response.headers.get('retry-after'), ctx.clock.now()) };
  }
  if (problem && FINAL_PROBLEMS.has(problem)) return { kind: 'failed', error };
  return { kind: 'retry', error };
}

async function problemTypeOf(response: Response): Promise<string | undefined> {
  if (!response.headers.get('content-type')?.includes('problem+json')) {
    await response.body?.cancel();
    return undefined;
  }
  const body = (await response.json().catch(() => undefined)) as { type?: unknown } | undefined;
  return typeof body?.type === 'string' ? body.type.slice(0, 200) : undefined;
}
