// Getting this node's checkpoints cosigned: after signing a checkpoint, the node submits it to
// each trusted peer's witness endpoint with a consistency proof from the size that witness last
// cosigned, keeps the cosignatures that verify with the peer's pinned key, and serves them with
// the checkpoint. An unreachable witness is tried again at the next round; one that answers 409
// with its size gets the checkpoint again with a proof from that size.
import type { NodeContext } from '../context.js';
import { peersInState } from '../peers/store.js';
import { refreshForUnknownKey } from '../peers/unknown-key.js';
import { startPeriodic, type Periodic } from '../periodic.js';
import { mediaTypeOf, readBodyWithin } from '../net/body.js';
import { nowSeconds } from '../context.js';
import { createServiceToken } from '../peers/service-token.js';
import { latestCheckpoint, signCheckpointIfGrown, type StoredCheckpoint } from './checkpoints.js';
import { noteText, verifyCosignature } from './cosignature.js';
import { rawEd25519Key, witnessKeyName } from './log-identity.js';
import { consistencyProofBetween } from './tree-store.js';
import { addCheckpointRequestBody } from './witness.js';

export const ADD_CHECKPOINT_PATH = '/federation/v1/witness/add-checkpoint';
const REQUEST_TIMEOUT_MS = 15_000;
/** A witness answers with its cosignature lines, a tree size or a problem document: small. */
const MAX_WITNESS_ANSWER_BYTES = 64 * 1024;
/** A first try, and one more from the size a witness reports. */
const ATTEMPTS_PER_WITNESS = 2;

export type WitnessResult = 'cosigned' | 'unreachable' | 'refused' | 'ahead-of-us';

interface Witness {
  id: string;
  signing_jwk: string;
}

/** Submits the latest checkpoint to every trusted peer that has not cosigned it yet. */
export async function submitToWitnesses(ctx: NodeContext, options: { signal?: AbortSignal } = {}): Promise<Map<string, WitnessResult>> {
  const results = new Map<string, WitnessResult>();
  const checkpoint = await latestCheckpoint(ctx.database.db);
  if (!checkpoint) return results;
  const done = new Set(checkpoint.cosignatures.map((c) => c.witnessId));
  const witnesses = await peersInState(ctx.database.db, ['trusted']);
  // In parallel, so that one slow witness does not hold up the others.
  await Promise.all(
    witnesses.filter((w) => !done.has(w.id)).map(async (witness) => results.set(witness.id, await submitTo(ctx, witness, checkpoint, options.signal))),
  );
  return results;
}

async function submitTo(ctx: NodeContext, witness: Witness, checkpoint: StoredCheckpoint, signal: AbortSignal | undefined): Promise<WitnessResult> {
  const log = ctx.logger.child({ subsystem: 'audit-log', witness: witness.id });
  const last = await ctx.database.db
    .selectFrom('cosignatures')
    .select((eb) => eb.fn.max('checkpoint_size').as('size'))
    .where('witness_id', '=', witness.id)
    .executeTakeFirst();
  let oldSize = Number(last?.size ?? 0);
  for (let attempt = 0; attempt < ATTEMPTS_PER_WITNESS; attempt++) {
    const proof = await consistencyProofBetween(ctx.database.db, oldSize, checkpoint.size);
    if (!proof) break;
    let response: Response;
    try {
      response = await post(ctx, witness.id, addCheckpointRequestBody(oldSize, proof, checkpoint.note), signal);
    } catch {
      log.debug({ size: checkpoint.size }, 'witness unreachable; next round');
      return 'unreachable';
    }
    const mediaType = mediaTypeOf(response.headers.get('content-type'));
    // A cosignature line, a tree size or a problem: a few hundred bytes; a larger answer is not read.
    const text = (await readBodyWithin(response, MAX_WITNESS_ANSWER_BYTES).catch(() => undefined)) ?? '';
    if (response.status === 200) return storeCosignature(ctx, witness, checkpoint, text);
    if (response.status === 409 && mediaType === 'text/x.tlog.size') {
      const match = /^(0|[1-9][0-9]*)\n$/.exec(text);
      const size = match ? Number(match[1]) : Number.NaN;
      if (!Number.isSafeInteger(size)) break;
      if (size > checkpoint.size) {
        // The witness cosigned a larger tree of ours than we now have: entries were lost (a
        // restored backup?) or someone else signed with our key.
        log.error({ size: checkpoint.size, witness_size: size }, 'witness holds a larger tree of this log than the log has');
        return 'ahead-of-us';
      }
      if (size === oldSize) break;
      oldSize = size;
      continue;
    }
    log.warn({ size: checkpoint.size, status: response.status, problem: problemType(mediaType, text) }, 'witness refused the checkpoint');
    return response.status >= 500 || response.status === 404 ? 'unreachable' : 'refused';
  }
  log.warn({ size: checkpoint.size }, 'witness and log could not agree on an old size');
  return 'refused';
}

async function post(ctx: NodeContext, peerId: string, body: string, signal: AbortSignal | undefined): Promise<Response> {
  const token = await createServiceToken(
    { nodeId: ctx.self.nodeId, signingKey: ctx.self.signingKey },
    { aud: peerId, method: 'POST', path: ADD_CHECKPOINT_PATH },
    nowSeconds(ctx.clock),
  );
  return ctx.fetch(`${peerId}${ADD_CHECKPOINT_PATH}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain; charset=utf-8' },
    body,
    signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]) : AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
}

/** Keeps the witness's cosignature line that verifies with its pinned key; ignores any other line. */
async function storeCosignature(ctx: NodeContext, witness: Witness, checkpoint: StoredCheckpoint, body: string, retried = false): Promise<WitnessResult> {
  const key = { name: witnessKeyName(witness.id), publicKey: rawEd25519Key(JSON.parse(witness.signing_jwk) as { x: string }) };
  const text = noteText(checkpoint.note);
  for (const line of body.split('\n')) {
    const check = await verifyCosignature(line, text, key);
    if (!check.ok) continue;
    const row = { line, timestamp: check.timestamp, received_at: ctx.clock.now().toISOString() };
    await ctx.database.db
      .insertInto('cosignatures')
      .values({ checkpoint_size: checkpoint.size, witness_id: witness.id, ...row })
      .onConflict((oc) => oc.columns(['checkpoint_size', 'witness_id']).doUpdateSet(row))
      .execute();
    ctx.logger.child({ subsystem: 'audit-log' }).info({ size: checkpoint.size, witness: witness.id }, 'checkpoint cosigned by witness');
    return 'cosigned';
  }
  // The witness may have rotated its signing key just now: follow its chain once, then check again.
  const refreshed = retried ? undefined : await refreshForUnknownKey(ctx, witness.id);
  if (refreshed) return storeCosignature(ctx, refreshed, checkpoint, body, true);
  ctx.logger.child({ subsystem: 'audit-log' }).warn({ size: checkpoint.size, witness: witness.id }, 'witness answered without a valid cosignature');
  return 'refused';
}

function problemType(mediaType: string | undefined, text: string): string | undefined {
  if (mediaType !== 'application/problem+json') return undefined;
  try {
    const type = (JSON.parse(text) as { type?: unknown }).type;
    return typeof type === 'string' ? type.slice(0, 200) : undefined;
  } catch {
    return undefined;
  }
}

/** One round: sign a checkpoint if the log has grown, then get the latest one cosigned. */
export async function checkpointRound(
  ctx: NodeContext,
  options: { signal?: AbortSignal } = {},
): Promise<{ signed: StoredCheckpoint | undefined; witnesses: Map<string, WitnessResult> }> {
  const signed = await signCheckpointIfGrown(ctx);
  const witnesses = await submitToWitnesses(ctx, options);
  return { signed, witnesses };
}

/**
 * Runs a checkpoint round now and then every `everyMs` until stopped. A round still running when
 * the next is due (a slow witness) is not doubled: that tick is skipped.
 */
export function startCheckpointTimer(ctx: NodeContext, everyMs: number): Periodic {
  // Stopping cuts requests to witnesses short (they are retried at the next start).
  return startPeriodic(ctx, 'checkpoint round', everyMs, (signal) => checkpointRound(ctx, { signal }));
}
