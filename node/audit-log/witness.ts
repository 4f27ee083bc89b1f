// This node as a witness of its trusted peers' logs, in the shape of C2SP tlog-witness: a peer
// submits its new checkpoint with a consistency proof from the size this node last cosigned;
// the node checks the peer's signature and the proof, keeps the checkpoint as the latest of that
// log, and answers with a timestamped cosignature. A checkpoint that contradicts one the peer
// signed before is kept with it as evidence, logged, and recorded in this node's own audit log.
import type { SigningPeer } from '../peers/store.js';
import type { NodeContext } from '../context.js';
import { nowSeconds } from '../context.js';
import type { Tx } from '../db/database.js';
import { b64u } from '../crypto/encoding.js';
import { appendAuditEvent } from './append.js';
import { openNote, parseCheckpointBody, type Checkpoint } from './checkpoint.js';
import { cosignCheckpoint } from './cosignature.js';
import { logOrigin, logVerifier, witnessSigner } from './log-identity.js';
import { verifyConsistency } from './merkle.js';
import { logProblem } from './problems.js';
import type { DomainError } from '../errors.js';

export const ADD_CHECKPOINT_MAX_BYTES = 64 * 1024;
const MAX_PROOF_LINES = 63;

export interface AddCheckpointRequest {
  oldSize: number;
  proof: Uint8Array[];
  /** The proof lines as submitted (kept as evidence). */
  proofLines: string[];
  note: string;
}

export type AddCheckpointOutcome =
  | { kind: 'cosigned'; line: string }
  /** The submitter's old size is not the size this witness holds: C2SP's 409 text/x.tlog.size. */
  | { kind: 'size-mismatch'; size: number }
  | { kind: 'refused'; problem: DomainError };

const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** "old <size>\n", up to 63 base64 hash lines, "\n", then the signed checkpoint note. */
export function parseAddCheckpointRequest(body: string): AddCheckpointRequest | undefined {
  const blank = body.indexOf('\n\n');
  if (blank < 0) return undefined;
  const [oldLine, ...proofLines] = body.slice(0, blank).split('\n');
  const note = body.slice(blank + 2);
  const old = /^old (0|[1-9][0-9]*)$/.exec(oldLine ?? '');
  if (!old || proofLines.length > MAX_PROOF_LINES) return undefined;
  const oldSize = Number(old[1]);
  if (!Number.isSafeInteger(oldSize)) return undefined;
  const proof: Uint8Array[] = [];
  for (const line of proofLines) {
    if (!STANDARD_BASE64.test(line)) return undefined;
    const hash = new Uint8Array(Buffer.from(line, 'base64'));
    if (hash.length !== 32) return undefined;
    proof.push(hash);
  }
  return { oldSize, proof, proofLines, note };
}

/** The add-checkpoint request body a log sends (C2SP tlog-witness). */
export function addCheckpointRequestBody(oldSize: number, proof: Uint8Array[], note: string): string {
  return `old ${oldSize}\n${proof.map((hash) => `${Buffer.from(hash).toString('base64')}\n`).join('')}\n${note}`;
}

export async function addCheckpoint(ctx: NodeContext, peer: SigningPeer, body: string): Promise<AddCheckpointOutcome> {
  const refuse = (problem: DomainError): AddCheckpointOutcome => ({ kind: 'refused', problem });
  const request = parseAddCheckpointRequest(body);
  if (!request) return refuse(logProblem('malformed-witness-request'));
  const split = request.note.lastIndexOf('\n\n');
  const parsed = parseCheckpointBody(split < 0 ? '' : request.note.slice(0, split + 1));
  if (!parsed.ok) return refuse(logProblem('malformed-witness-request', 'The checkpoint is not a C2SP checkpoint note.'));
  if (parsed.checkpoint.origin !== logOrigin(peer.id)) return refuse(logProblem('not-log-origin'));
  // The note is kept in the clear as evidence: the log's own signature only, and no extension
  // lines (a node's logs write none), so that a peer cannot store text here.
  const signatureLines = request.note.slice(split + 2).split('\n').filter((line) => line !== '');
  if (parsed.extensionLines.length > 0 || signatureLines.length !== 1) {
    return refuse(logProblem('malformed-witness-request', 'A checkpoint to cosign carries no extension lines and the log\'s signature only.'));
  }
  const opened = await openNote(request.note, [logVerifier(peer.id, JSON.parse(peer.signing_jwk) as { x: string })]);
  if (!opened.ok) {
    return refuse(opened.reason === 'malformed-note' ? logProblem('malformed-witness-request', 'The signed note is malformed.') : logProblem('bad-checkpoint-signature'));
  }
  const submitted = parsed.checkpoint;
  if (request.oldSize > submitted.size) return refuse(logProblem('malformed-witness-request', 'The old size is larger than the checkpoint size.'));

  const now = ctx.clock.now();
  const decision = await ctx.database.transaction(async (tx): Promise<'cosign' | 'same' | { mismatch: number } | { refused: DomainError; flagged?: 'new' | 'again' }> => {
    const held = await tx.selectFrom('witnessed_checkpoints').selectAll().where('peer_id', '=', peer.id).executeTakeFirst();
    const heldSize = held?.size ?? 0;
    const submittedRoot = b64u.encode(submitted.rootHash);
    // Two roots signed for one size are evidence, whatever the submitter says its old size is.
    if (held && held.size === submitted.size && held.root_hash !== submittedRoot) {
      const flagged = await recordInconsistency(tx, peer.id, 'same-size-different-root', held, submitted, request, now);
      return { refused: logProblem('checkpoint-conflict'), flagged };
    }
    if (request.oldSize !== heldSize) return { mismatch: heldSize };
    if (!held) {
      if (request.proof.length > 0) return { refused: logProblem('inconsistent-checkpoint', 'The proof must be empty when the old size is 0.') };
    } else if (held.size === submitted.size) {
      return 'same';
    } else if (!verifyConsistency(held.size, submitted.size, b64u.decode(held.root_hash), submitted.rootHash, request.proof)) {
      const flagged = await recordInconsistency(tx, peer.id, 'consistency-proof-failed', held, submitted, request, now);
      return { refused: logProblem('inconsistent-checkpoint'), flagged };
    }
    const row = { size: submitted.size, root_hash: submittedRoot, note: request.note, cosigned_at: now.toISOString() };
    await tx
      .insertInto('witnessed_checkpoints')
      .values({ peer_id: peer.id, ...row })
      .onConflict((oc) => oc.column('peer_id').doUpdateSet(row))
      .execute();
    return 'cosign';
  });

  const log = ctx.logger.child({ subsystem: 'witness' });
  if (typeof decision === 'object' && 'mismatch' in decision) return { kind: 'size-mismatch', size: decision.mismatch };
  if (typeof decision === 'object') {
    if (decision.flagged === 'new') {
      log.error({ peer: peer.id, problem: decision.refused.problem, size: submitted.size }, 'peer checkpoint contradicts one it signed before: evidence kept, administrator to act');
    } else if (decision.flagged === 'again') {
      log.warn({ peer: peer.id, problem: decision.refused.problem, size: submitted.size }, 'peer submitted a contradicting checkpoint again');
    } else {
      log.info({ peer: peer.id, problem: decision.refused.problem }, 'checkpoint refused');
    }
    return refuse(decision.refused);
  }
  const line = await cosignCheckpoint(opened.text, nowSeconds(ctx.clock), witnessSigner(ctx.self));
  log.info({ peer: peer.id, size: submitted.size }, 'checkpoint cosigned');
  return { kind: 'cosigned', line };
}

/** Keeps both signed notes once per contradiction, and records the first sighting in the audit log. */
async function recordInconsistency(
  tx: Tx,
  peerId: string,
  kind: 'same-size-different-root' | 'consistency-proof-failed',
  held: { size: number; root_hash: string; note: string },
  submitted: Checkpoint,
  request: AddCheckpointRequest,
  now: Date,
): Promise<'new' | 'again'> {
  const inserted = await tx
    .insertInto('witness_inconsistencies')
    .values({
      peer_id: peerId,
      kind,
      held_size: held.size,
      held_root_hash: held.root_hash,
      held_note: held.note,
      submitted_size: submitted.size,
      submitted_root_hash: b64u.encode(submitted.rootHash),
      submitted_note: request.note,
      proof: request.proofLines.map((line) => `${line}\n`).join(''),
      detected_at: now.toISOString(),
    })
    .onConflict((oc) => oc.columns(['peer_id', 'held_size', 'held_root_hash', 'submitted_size', 'submitted_root_hash']).doNothing())
    .executeTakeFirst();
  if (inserted.numInsertedOrUpdatedRows !== 1n) return 'again';
  await appendAuditEvent(tx, now, { kind: 'peer', id: peerId }, { type: 'witness.inconsistency', peer_id: peerId, old_size: held.size, new_size: submitted.size });
  return 'new';
}
