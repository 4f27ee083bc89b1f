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
import { OFFER } from '../referrals/lifecycle.js';
import { applyOfferReceipt } from '../referrals/state.js';
import { findPeer, trustedPeerIds } from '../peers/store.js';
import { dueEnvelopes, envelopeToDeliver, markDelivered, markFailed, recordFailedAttempt, releaseLeasesOf, takeLease } from './outbox.js';
import { deadProcesses, forgetProcesses, heartbeat, HEARTBEAT_MS, registerProcess, unregisterProcess, type ProcessRole } from '../processes/registry.js';
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
  options: { pollMs?: number; policy?: RetryPolicy; role?: ProcessRole } = {},
): DeliveryWorker {
  const policy = options.policy ?? defaultRetryPolicy;
  const pollMs = options.pollMs ?? 1_000;
  const log = ctx.logger.child({ subsystem: 'delivery' });
  let timer: NodeJS.Timeout | undefined;
  let alive: NodeJS.Timeout | undefined;
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
      // A web process leaves deliveries to the worker processes, which find new envelopes within pollMs.
      if (!stopped && options.role !== 'web') void round().catch((error: unknown) => log.error({ err: String(error) }, 'delivery round failed'));
    },
    deliverDueEnvelopes: round,
    start() {
      stopped = false;
      stopping = new AbortController();
      timer = setInterval(() => this.kick(), pollMs);
      timer.unref();
      // This process says it is alive every few seconds, and releases what processes that fell
      // silent (a crash, SIGKILL) held, so their envelopes need not wait for the leases to run out.
      const { db } = ctx.database;
      const sayAlive = () =>
        heartbeat(db, ctx.instanceId, new Date())
          .then(() => releaseWhatTheDeadHeld(ctx))
          .catch((error: unknown) => log.error({ error: error instanceof Error ? error.name : 'error' }, 'heartbeat failed'));
      void registerProcess(db, ctx.instanceId, options.role ?? 'all', new Date())
        .then(() => releaseWhatTheDeadHeld(ctx))
        .catch((error: unknown) => log.error({ error: error instanceof Error ? error.name : 'error' }, 'registering the process failed'))
        .finally(() => this.kick());
      alive = setInterval(() => void sayAlive(), HEARTBEAT_MS);
      alive.unref();
    },
    async stop() {
      stopped = true;
      stopping.abort();
      if (timer) clearInterval(timer);
      if (alive) clearInterval(alive);
      await running?.catch(() => undefined);
      if (alive) {
        // What this process held is free for the others at once.
        await releaseLeasesOf(ctx.database.db, [ctx.instanceId]).catch(() => undefined);
        await unregisterProcess(ctx.database.db, ctx.instanceId).catch(() => undefined);
        alive = undefined;
      }
    },
  };
}

/** Releases the leases and jobs of processes that fell silent, and forgets them. */
async function releaseWhatTheDeadHeld(ctx: NodeContext): Promise<void> {
  const { db } = ctx.database;
  const dead = await deadProcesses(db, new Date());
  if (dead.length === 0) return;
  await releaseLeasesOf(db, dead);
  await forgetProcesses(db, dead);
  ctx.logger.child({ subsystem: 'delivery' }).warn({ processes: dead.length }, 'released the leases of processes that stopped answering');
}

async function deliverDueEnvelopes(ctx: NodeContext, policy: RetryPolicy, log: Logger, stop: AbortSignal): Promise<number> {
  const { db } = ctx.database;
  const due = await dueEnvelopes(db, ctx.clock.now(), await trustedPeerIds(db), BATCH, ctx.instanceId);
  let tried = 0;
  // A peer that failed once in this round is not tried again in it: one unreachable peer must not
  // hold up everyone else's deliveries, and its later envelopes must not overtake the earlier one.
  const skipped = new Set<string>();
  for (const candidate of due) {
    if (stop.aborted) break;
    if (skipped.has(candidate.peer_id) || !(await claim(ctx, candidate))) continue;
    tried += 1;
    if (!(await deliverOne(ctx, candidate.id, policy, log, stop))) skipped.add(candidate.peer_id);
  }
  return tried;
}

/** Takes the envelope's lease, so two processes on one node's data never post the same envelope at once. */
async function claim(ctx: NodeContext, candidate: { id: string; peer_id: string }): Promise<boolean> {
  // Checked again here, not only when the batch was picked: the peer may have been suspended or
  // revoked meanwhile (from the API, or the CLI in another process).
  const peer = await findPeer(ctx.database.db, candidate.peer_id);
  if (peer?.state !== 'trusted') return false;
  return takeLease(ctx.database.db, candidate.id, ctx.clock.now(), LEASE_MS, ctx.instanceId);
}

/** Returns whether the envelope left the queue (delivered or failed for good). */
async function deliverOne(ctx: NodeContext, id: string, policy: RetryPolicy, log: Logger, stop: AbortSignal): Promise<boolean> {
  const { db } = ctx.database;
  const envelope = await envelopeToDeliver(db, ctx.dataKeys, id);
  const peer = await findPeer(db, envelope.peer_id);
  if (!peer) throw new Error(`Envelope ${id} is addressed to a peer not held here.`);
  const result = await attempt(ctx, { ...envelope, signing_jwk: peer.signing_jwk, identity_jws: peer.identity_jws }, stop);
  ctx.metrics.deliveryAttempt(result.kind, result.kind === 'delivered' ? undefined : result.error);
  const now = ctx.clock.now();
  const attempts = envelope.attempts + 1;
  if (result.kind === 'delivered') {
    await ctx.database.transaction(async (tx) => {
      await markDelivered(tx, id, result.receipt, attempts, now);
      if (envelope.type === OFFER && (await applyOfferReceipt(tx, envelope.referral_id, now))) {
        await recordEvent(tx, ctx, {
          referralId: envelope.referral_id, at: now, action: 'receipt', from: 'sent', to: 'delivered',
          actor: { kind: 'peer', id: envelope.peer_id }, envelopeId: id,
        });
      }
    });
    log.info({ envelope: id, peer: envelope.peer_id, attempts }, 'envelope delivered');
    return true;
  }
  if (result.kind === 'failed') {
    await markFailed(db, id, attempts, result.error);
    log.warn({ envelope: id, peer: envelope.peer_id, error: result.error }, 'envelope refused by peer');
    return true;
  }
  // The peer rotated its encryption key past the one this envelope was sealed to: seal it anew
  // (after fetching its identity again) and try at once; if that cannot be done, back off as usual.
  if (result.error.endsWith(' urn:refnet:problem:unknown-recipient-key')) {
    const resealed = await resealForNewRecipientKey(ctx, id).catch(() => 'cannot-open' as const);
    if (resealed === 'resealed') {
      await recordFailedAttempt(db, id, attempts, result.error);
      return false;
    }
    if (resealed === 'cannot-open') {
      // Our own copy of the content key can no longer be opened: the message cannot be sent again.
      await markFailed(db, id, attempts, `${result.error}; cannot be sealed again: our key for it was destroyed`);
      log.warn({ envelope: id, peer: envelope.peer_id }, 'envelope cannot be sealed to the peer\'s new key');
      return true;
    }
  }
  const delay = result.afterMs ?? retryDelayMs(policy, attempts);
  await recordFailedAttempt(db, id, attempts, result.error, new Date(now.getTime() + Math.min(delay, policy.maxMs)));
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
