// The delivery worker: takes due envelopes from the outbox, oldest first, signs each attempt
// afresh, posts it to the peer, and keeps the peer's verified receipt. Everything is retried with
// capped backoff except the refusals that no retry can change (FINAL_PROBLEMS), which mark the
// envelope failed with the peer's problem type.
import type { Logger } from 'pino';
import type { NodeContext } from '../context.js';
import type { Db } from '../db/database.js';
import { signEnvelopeAttempt } from '../envelope/seal.js';
import { verifyReceipt } from '../envelope/receipt.js';
import { peerSigningKeys } from '../peers/peer-keys.js';
import { refreshForUnknownKey } from '../peers/unknown-key.js';
import { kidOf } from '../crypto/compact-jws.js';
import { readBodyWithin } from '../net/body.js';
import { recordEvent } from '../referrals/timeline.js';
import { OFFER } from '../referrals/lifecycle.js';
import { CONSENT_PROBLEMS } from '../referrals/consent.js';
import { applyOfferReceipt } from '../referrals/state.js';
import { findPeer } from '../peers/store.js';
import { envelopeEndpoint } from '../peers/capabilities.js';
import { dueAgainFor, dueEnvelopes, envelopeToDeliver, markDelivered, markFailed, peersWithDueEnvelopes, recordFailedAttempt, releaseLease, releaseLeasesOf, takeLeases } from './outbox.js';
import type { EnvelopeTaker, HandedEnvelope } from './handover.js';
import { deadProcesses, forgetProcesses, heartbeat, HEARTBEAT_MS, registerProcess, unregisterProcess, type ProcessRole } from '../processes/registry.js';
import { defaultRetryPolicy, retryAfterMs, retryDelayMs, type RetryPolicy } from './retry-policy.js';
import { PeerLanes, type PeerOutcome } from './peer-lanes.js';
import { DEFAULTS } from '../config/config.js';
import { resealForNewRecipientKey } from './reseal.js';
import { notifyDeliveryFailed } from '../notifications/events.js';

const REQUEST_TIMEOUT_MS = 15_000;
/** Longer than one attempt can take, so a live process never loses its lease mid-post. */
const LEASE_MS = REQUEST_TIMEOUT_MS + 15_000;
/** How many times one call of deliverDueEnvelopes looks for more due envelopes, at most. */
const MAX_PASSES = 100;

/**
 * Refusals that say the envelope itself is wrong: sending it again cannot succeed. Anything else
 * (the peer does not trust us yet, clocks apart, a rotated key, a proxy's 404) may pass later.
 */
export const FINAL_PROBLEMS: ReadonlySet<string> = new Set(
  [
    'malformed-envelope', 'envelope-too-large', 'unsupported-media-type', 'wrong-recipient', 'sender-mismatch', 'envelope-conflict',
    'unsupported-message-type', 'decryption-failed', 'invalid-body', 'unknown-referral', 'illegal-transition', 'sender-revoked',
    // What her consent covers does not change when the message is sent again.
    ...CONSENT_PROBLEMS,
    'consent-onward-not-allowed',
  ].map(
    (name) => `urn:refnet:problem:${name}`,
  ),
);

/** What an attempt came to, and whether the peer answered at all (its breaker, peer-lanes.ts). */
type AttemptResult =
  | { kind: 'delivered'; receipt: string; peer: 'answered' }
  | { kind: 'retry'; error: string; afterMs?: number | undefined; peer: PeerOutcome }
  | { kind: 'failed'; error: string; peer: 'answered' };

export interface DeliveryWorker {
  /** Look for due envelopes now (e.g. after a commit queued one): each is posted at once if its peer has room. */
  kick(): void;
  /**
   * Posts every due envelope, as many at once as the peers allow (a peer whose breaker is open
   * gets one probe), and waits until none is in flight and none is due (the CLI, tests). Returns
   * how many attempts ended meanwhile.
   */
  deliverDueEnvelopes(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

/**
 * The outbox, served concurrently: every trusted peer at once, up to `concurrency` envelopes in
 * flight to each (peer-lanes.ts), one at a time of each referral so that a peer receives a
 * referral's messages in seq order. An envelope committed while others are in flight leaves at
 * once; each attempt that ends looks for the next. Each envelope is leased before it is posted, so
 * several processes sharing the data never post one twice.
 */
export function createDeliveryWorker(
  ctx: NodeContext,
  options: { pollMs?: number; policy?: RetryPolicy; role?: ProcessRole; concurrency?: number } = {},
): DeliveryWorker {
  const policy = options.policy ?? defaultRetryPolicy;
  const pollMs = options.pollMs ?? 1_000;
  const log = ctx.logger.child({ subsystem: 'delivery' });
  const lanes = new PeerLanes(options.concurrency ?? DEFAULTS.deliveryConcurrency);
  /** Attempts under way, by envelope id; and the referrals they belong to. */
  const inFlight = new Map<string, Promise<void>>();
  const busyReferrals = new Set<string>();
  /** Envelopes whose attempt broke here (not a peer's answer: an error of ours), left alone until their lease runs out. */
  const brokenUntil = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let alive: NodeJS.Timeout | undefined;
  let looking: Promise<void> | undefined;
  /** What the next search looks at: every peer (a commit, the timer), or the peers whose attempts just ended. */
  let wanted: 'all' | Set<string> | undefined;
  /** Attempts that posted (or tried to) and ended, since the worker was made. */
  let ended = 0;
  let stopped = false;
  let stopping = new AbortController();
  const now = () => ctx.clock.now().getTime();

  /** Whether an attempt for `candidate` may start now: none under way for it or its referral, not broken here, and room at its peer. */
  const startable = (candidate: DueEnvelope, peerRoom: number): boolean =>
    !inFlight.has(candidate.id) && !busyReferrals.has(candidate.referral_id) && !brokenUntil.has(candidate.id) && peerRoom > 0;

  /**
   * Starts the attempt for `candidate` once `leasing` (the leases of the search that chose it) says
   * whether it is ours; with the envelope itself when it was handed over just committed.
   */
  const post = (candidate: DueEnvelope, leasing: Promise<ReadonlySet<string>>, handed?: HandedEnvelope): void => {
    lanes.take(candidate.peer_id);
    busyReferrals.add(candidate.referral_id);
    const attempt = (async () => {
      let outcome: PeerOutcome | undefined;
      let leased = false;
      let posted = false;
      let recovered = false;
      try {
        leased = (await leasing).has(candidate.id);
        posted = leased;
        if (leased) {
          outcome = await deliverOne(ctx, candidate.id, policy, log, stopping.signal, handed);
          // Not posted: its peer is not trusted now (an envelope handed over is leased before that is known).
          posted = outcome !== undefined;
        }
      } catch (error) {
        // The lease runs out and the envelope is tried again then, not at once in a loop. Only the
        // error's name: errors may quote data.
        brokenUntil.set(candidate.id, now() + LEASE_MS);
        log.error({ envelope: candidate.id, error: error instanceof Error ? error.name : 'error' }, 'delivery attempt failed');
      } finally {
        if (posted) ended += 1;
        recovered = lanes.release(candidate.peer_id, outcome, now());
        busyReferrals.delete(candidate.referral_id);
        inFlight.delete(candidate.id);
      }
      // The peer is back after failing: what backed off while it was away goes now.
      if (recovered) {
        await dueAgainFor(ctx.database.db, candidate.peer_id, ctx.clock.now()).catch((error: unknown) => {
          log.error({ error: error instanceof Error ? error.name : 'error' }, 'making the envelopes of a peer that is back due failed');
        });
      }
      // The referral's next message, or the peer's next envelope, may go now.
      if (!stopped) lookForWork(candidate.peer_id);
    })();
    inFlight.set(candidate.id, attempt);
  };

  /**
   * Starts an attempt for each due envelope, of `scope`'s peers, whose peer has room (with
   * `probeIfOpen`, one to a peer whose breaker is open).
   */
  const startDue = async (scope: 'all' | ReadonlySet<string>, probeIfOpen = false): Promise<void> => {
    const { db } = ctx.database;
    const at = ctx.clock.now();
    const room = (peer: string) => lanes.room(peer, now(), probeIfOpen);
    // Only the trusted peers with something due are asked for their envelopes: a node may know
    // many peers. (dueEnvelopes and the leases look at the peer's trust again.)
    const candidates = scope === 'all' ? await peersWithDueEnvelopes(db, at, ctx.instanceId) : [...scope];
    const peers = candidates.filter((peer) => room(peer) > 0);
    // Each peer's own oldest: one peer's backlog never crowds out another's envelopes. Those in
    // flight are among them (leased by this process, still queued), so they are asked for too.
    const due = await Promise.all(peers.map((peer) => dueEnvelopes(db, at, [peer], room(peer) + lanes.inFlight(peer), ctx.instanceId)));
    for (const [id, until] of brokenUntil) if (until <= now()) brokenUntil.delete(id);
    // No await in this loop: a check and the start it allows are never split by another search.
    // The envelopes chosen are leased together, in one statement, once the loop is done.
    const chosen: DueEnvelope[] = [];
    let leased!: (ids: Promise<ReadonlySet<string>>) => void;
    const leasing = new Promise<ReadonlySet<string>>((resolve) => (leased = resolve));
    for (const candidate of due.flat()) {
      if (stopping.signal.aborted) break;
      if (!startable(candidate, room(candidate.peer_id))) continue;
      post(candidate, leasing);
      chosen.push(candidate);
    }
    leased(claim(ctx, chosen));
  };

  /**
   * Looks for due envelopes in the background: of every peer, or of `peer` only. Requests made
   * while a search runs are gathered into the next one.
   */
  const lookForWork = (peer?: string): void => {
    if (peer === undefined) wanted = 'all';
    else if (wanted === undefined) wanted = new Set([peer]);
    else if (wanted !== 'all') wanted.add(peer);
    if (!looking) search();
  };
  const search = (): void => {
    const scope = wanted;
    wanted = undefined;
    if (!scope) return;
    looking = startDue(scope)
      .catch((error: unknown) => {
        log.error({ error: error instanceof Error ? error.name : 'error' }, 'looking for due envelopes failed');
      })
      .finally(() => {
        looking = undefined;
        if (!stopped) search();
      });
  };

  /** Envelopes this process queued, handed over once committed (handover.ts): leased to us already. */
  const taker: EnvelopeTaker = {
    owner: ctx.instanceId,
    leaseMs: LEASE_MS,
    take(envelope) {
      if (!stopped && startable(envelope, lanes.room(envelope.peer_id, now()))) return post(envelope, Promise.resolve(new Set([envelope.id])), envelope);
      // No room now (the peer's lane is full, its breaker open): the lease goes, so that the
      // envelope is not taken for one on its way (a cancellation meanwhile knows it never left),
      // and the peer's next search finds it.
      void releaseLease(ctx.database.db, envelope.id, ctx.instanceId)
        .catch((error: unknown) => log.error({ error: error instanceof Error ? error.name : 'error' }, 'releasing a lease failed'))
        .finally(() => {
          if (!stopped) lookForWork(envelope.peer_id);
        });
    },
    queued(peerId) {
      if (!stopped) lookForWork(peerId);
    },
  };

  return {
    kick() {
      // A web process leaves deliveries to the worker processes, which find new envelopes within pollMs.
      if (!stopped && options.role !== 'web') lookForWork();
    },
    async deliverDueEnvelopes() {
      const before = ended;
      for (let pass = 0; pass < MAX_PASSES; pass += 1) {
        await looking;
        // Asked for now (the CLI, a person): a peer whose breaker is open gets one probe first.
        await startDue('all', pass === 0);
        const pending = [...inFlight.values()];
        if (pending.length === 0 && !looking) break;
        await Promise.all(pending);
      }
      return ended - before;
    },
    start() {
      stopped = false;
      stopping = new AbortController();
      // A web process leaves deliveries to the worker processes: what it queues is not leased.
      if (options.role !== 'web') ctx.outbox.attach(taker);
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
      ctx.outbox.detach(taker);
      stopping.abort();
      if (timer) clearInterval(timer);
      if (alive) clearInterval(alive);
      await looking;
      await Promise.all([...inFlight.values()]);
      if (alive) {
        // What this process held is free for the others at once.
        await releaseLeasesOf(ctx.database.db, [ctx.instanceId]).catch(() => undefined);
        await unregisterProcess(ctx.database.db, ctx.instanceId).catch(() => undefined);
        alive = undefined;
      }
    },
  };
}

type DueEnvelope = Awaited<ReturnType<typeof dueEnvelopes>>[number];

/** Releases the leases and jobs of processes that fell silent, and forgets them. */
async function releaseWhatTheDeadHeld(ctx: NodeContext): Promise<void> {
  const { db } = ctx.database;
  const dead = await deadProcesses(db, new Date());
  if (dead.length === 0) return;
  await releaseLeasesOf(db, dead);
  await forgetProcesses(db, dead);
  ctx.logger.child({ subsystem: 'delivery' }).warn({ processes: dead.length }, 'released the leases of processes that stopped answering');
}

/**
 * Takes the envelopes' leases, so two processes on one node's data never post the same envelope at
 * once. Only those to a peer still trusted are leased (takeLeases checks in the same statement): a
 * peer may have been suspended or revoked since the search (from the API, or the CLI in another
 * process).
 */
async function claim(ctx: NodeContext, candidates: readonly DueEnvelope[]): Promise<ReadonlySet<string>> {
  if (candidates.length === 0) return new Set();
  const ids = candidates.map((c) => c.id);
  const take = (db: Db) => takeLeases(db, ids, ctx.clock.now(), LEASE_MS, ctx.instanceId);
  // On SQLite a statement outside a transaction commits alone, with an fsync that holds the event
  // loop: inside one, the leases share the commit of the writes beside them (group commit).
  // PostgreSQL's lease is one statement that skips rows locked elsewhere, and stays one.
  return ctx.database.dialect === 'sqlite' ? ctx.database.transaction(take) : take(ctx.database.db);
}

/**
 * Posts one leased envelope and records what came of it; returns whether the peer answered.
 * `handed`: the envelope as its transaction queued it, just committed (not read back).
 */
async function deliverOne(ctx: NodeContext, id: string, policy: RetryPolicy, log: Logger, stop: AbortSignal, handed?: HandedEnvelope): Promise<PeerOutcome | undefined> {
  const { db } = ctx.database;
  const envelope = handed ? { ...handed, attempts: 0 } : await envelopeToDeliver(db, ctx.dataKeys, id);
  const peer = await findPeer(db, envelope.peer_id);
  if (!peer) throw new Error(`Envelope ${id} is addressed to a peer not held here.`);
  // A search leases only envelopes to trusted peers; one handed over was leased when it was queued,
  // and its peer may be suspended or revoked (or never trusted): it waits, unleased, for the peer.
  if (peer.state !== 'trusted') {
    await releaseLease(db, id, ctx.instanceId);
    return undefined;
  }
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
          actor: { kind: 'peer', id: envelope.peer_id }, envelopeId: id, referral: { peer_id: envelope.peer_id, direction: 'outgoing' },
        });
      }
    });
    log.info({ envelope: id, peer: envelope.peer_id, attempts }, 'envelope delivered');
    return result.peer;
  }
  if (result.kind === 'failed') {
    await failForGood(ctx, envelope, attempts, result.error, now);
    log.warn({ envelope: id, peer: envelope.peer_id, error: result.error }, 'envelope refused by peer');
    return result.peer;
  }
  // The peer rotated its encryption key past the one this envelope was sealed to: seal it anew
  // (after fetching its identity again) and try at once; if that cannot be done, back off as usual.
  if (result.error.endsWith(' urn:refnet:problem:unknown-recipient-key')) {
    const resealed = await resealForNewRecipientKey(ctx, id).catch(() => 'cannot-open' as const);
    if (resealed === 'resealed') {
      await recordFailedAttempt(db, id, attempts, result.error);
      return result.peer;
    }
    if (resealed === 'cannot-open') {
      // Our own copy of the content key can no longer be opened: the message cannot be sent again.
      await failForGood(ctx, envelope, attempts, `${result.error}; cannot be sealed again: our key for it was destroyed`, now);
      log.warn({ envelope: id, peer: envelope.peer_id }, 'envelope cannot be sealed to the peer\'s new key');
      return result.peer;
    }
  }
  const delay = result.afterMs ?? retryDelayMs(policy, attempts);
  await recordFailedAttempt(db, id, attempts, result.error, new Date(now.getTime() + Math.min(delay, policy.maxMs)));
  log.info({ envelope: id, peer: envelope.peer_id, attempts, error: result.error, retryInMs: delay }, 'delivery will be retried');
  return result.peer;
}

/** An envelope that will never be delivered: marked so, and whoever works on its referral here told, in one transaction. */
async function failForGood(ctx: NodeContext, envelope: { id: string; referral_id: string }, attempts: number, error: string, now: Date): Promise<void> {
  await ctx.database.transaction(async (tx) => {
    await markFailed(tx, envelope.id, attempts, error);
    await notifyDeliveryFailed(tx, envelope.referral_id, now);
  });
}

async function attempt(
  ctx: NodeContext,
  envelope: { id: string; payload: string; payload_digest: string; peer_id: string; signing_jwk: string; identity_jws: string },
  stop: AbortSignal,
): Promise<AttemptResult> {
  const jws = await signEnvelopeAttempt(envelope.payload, { nodeId: ctx.self.nodeId, signingKey: ctx.self.signingKey }, ctx.clock.now());
  let response: Response;
  try {
    response = await ctx.fetch(envelopeEndpoint({ id: envelope.peer_id, identity_jws: envelope.identity_jws }), {
      method: 'POST',
      headers: { 'content-type': 'application/jose', accept: 'application/json, application/problem+json' },
      body: jws,
      signal: AbortSignal.any([stop, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
    });
  } catch (error) {
    return { kind: 'retry', error: `network: ${error instanceof Error ? error.name : 'error'}`, peer: 'unavailable' };
  }
  if (response.status === 200) {
    const body = parseJson(await readBodyWithin(response, MAX_RECEIPT_ANSWER_BYTES).catch(() => undefined)) as { receipt?: unknown } | undefined;
    const receipt = typeof body?.receipt === 'string' ? body.receipt : undefined;
    if (!receipt) return { kind: 'retry', error: 'invalid receipt', peer: 'answered' };
    const expected = { peerId: envelope.peer_id, selfId: ctx.self.nodeId, envelopeId: envelope.id, digest: envelope.payload_digest };
    const known = peerSigningKeys(envelope);
    let verified = await verifyReceipt(receipt, { ...expected, peerSigningKeys: known });
    const kid = kidOf(receipt);
    if (!verified && kid && !known.has(kid)) {
      // Signed with a key not known here: the peer may have rotated its signing key just now.
      const refreshed = await refreshForUnknownKey(ctx, envelope.peer_id, kid);
      if (refreshed) verified = await verifyReceipt(receipt, { ...expected, peerSigningKeys: peerSigningKeys(refreshed) });
    }
    return verified ? { kind: 'delivered', receipt, peer: 'answered' } : { kind: 'retry', error: 'invalid receipt', peer: 'answered' };
  }
  const problem = await problemTypeOf(response);
  const error = `${response.status}${problem ? ` ${problem}` : ''}`;
  if (response.status === 429 || response.status === 503) {
    return { kind: 'retry', error, afterMs: retryAfterMs(response.headers.get('retry-after'), ctx.clock.now()), peer: 'unavailable' };
  }
  if (problem && FINAL_PROBLEMS.has(problem)) return { kind: 'failed', error, peer: 'answered' };
  // A server error says the peer is in trouble; a refusal of this envelope says it is up.
  return { kind: 'retry', error, peer: response.status >= 500 ? 'unavailable' : 'answered' };
}

async function problemTypeOf(response: Response): Promise<string | undefined> {
  if (!response.headers.get('content-type')?.includes('problem+json')) {
    await response.body?.cancel();
    return undefined;
  }
  const body = parseJson(await readBodyWithin(response, MAX_PROBLEM_BYTES).catch(() => undefined)) as { type?: unknown } | undefined;
  return typeof body?.type === 'string' ? body.type.slice(0, 200) : undefined;
}

/** A receipt answer is a compact JWS of a few hundred bytes in a JSON object; a problem document a few hundred more. */
const MAX_RECEIPT_ANSWER_BYTES = 16 * 1024;
const MAX_PROBLEM_BYTES = 16 * 1024;

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
