// The target's audit log (spec: Audit log, checkpoints and witnessing; the log operations): its
// signed checkpoint, its entries and leaf hashes, the tree head they make, and inclusion and
// consistency proofs, each verified with the kit's own RFC 9162 code.
import { validatorFor } from '../../schema/validators.js';
import { b64u, fromB64u, utf8, type Bytes } from '../crypto.js';
import { leafHash, treeHead, verifyConsistency, verifyInclusion } from '../merkle.js';
import { checkCosignature, logOriginOf, noteSignatureProblem, parseSignedCheckpoint, witnessNameOf, type ParsedCheckpoint } from '../notes.js';
import { SPEC } from '../report.js';
import { withToken, type RunContext } from '../run-context.js';
import { describe, jsonOf, problemMismatch, problemTypeOf, problemUrn, type Answer } from '../target.js';

/** How long the kit waits for the target's first checkpoint (a node signs one every minute by default). */
export const CHECKPOINT_WAIT_MS = 90_000;
/** Beyond this many entries the kit does not read the whole log to recompute its tree head. */
const MAX_ENTRIES_READ = 100_000;

const sameBytes = (a: Bytes, b: Bytes) => b64u(a) === b64u(b);

async function latestCheckpoint(ctx: RunContext): Promise<Answer> {
  const deadline = Date.now() + CHECKPOINT_WAIT_MS;
  for (;;) {
    const answer = await withToken(ctx, 'GET', '/federation/v1/log/checkpoint');
    if (problemTypeOf(answer) !== problemUrn('no-checkpoint') || Date.now() > deadline) return answer;
    await new Promise((done) => setTimeout(done, 2_000));
  }
}

export async function checkAuditLog(ctx: RunContext): Promise<void> {
  const { findings, target } = ctx;
  const noToken = await ctx.client.send('/federation/v1/log/checkpoint');
  findings.expect('log.token-required', 'the log endpoints require a service token → 401 service-token-required', SPEC.log, [problemMismatch(noToken, 'service-token-required', 401)]);

  const answer = await latestCheckpoint(ctx);
  if (answer.status !== 200) {
    const detail = problemTypeOf(answer) === problemUrn('no-checkpoint') ? `the target signed no checkpoint within ${CHECKPOINT_WAIT_MS / 1000} s` : `expected 200; got ${describe(answer)}`;
    findings.fail('log.checkpoint', 'GET /federation/v1/log/checkpoint: a C2SP signed note by the target\'s signing key', SPEC.logOp('checkpoint'), detail);
    return;
  }
  const origin = logOriginOf(target.id);
  const parsed = parseSignedCheckpoint(answer.text);
  const patternOk = validatorFor('federation', 'SignedCheckpoint')(answer.text);
  const checkpointProblems = typeof parsed === 'string'
    ? [parsed]
    : [
        answer.mediaType === 'text/plain' ? undefined : `served as ${answer.mediaType}, not text/plain`,
        patternOk ? undefined : 'the note does not match #/components/schemas/SignedCheckpoint',
        parsed.origin === origin ? undefined : `the origin line is ${parsed.origin}, expected ${origin}`,
        noteSignatureProblem(parsed.signatureLines[0] ?? '', parsed.text, origin, target.signingKey.x, fromB64u(target.signingKey.x)!),
      ];
  const ok = findings.expect('log.checkpoint', 'the checkpoint: origin <node id without scheme>/audit-log, size, root, then the log\'s Ed25519 note signature (key ID type 0x01)', SPEC.log, checkpointProblems);
  if (!ok || typeof parsed === 'string') return;
  checkServedCosignature(ctx, parsed);

  const leaves = await checkEntries(ctx, parsed);
  if (!leaves) return;
  await checkInclusion(ctx, parsed, leaves);
  await checkConsistency(ctx, parsed, leaves);

  const beyond = await withToken(ctx, 'GET', `/federation/v1/log/proofs/inclusion?tree_size=${parsed.size + 1_000_000}&index=0`);
  findings.expect('log.beyond-size', 'an inclusion proof for a tree larger than the log → 422 beyond-log-size', SPEC.logOp('proofs/inclusion'), [problemMismatch(beyond, 'beyond-log-size', 422)]);
  const noStart = await withToken(ctx, 'GET', '/federation/v1/log/entries');
  findings.expect('log.invalid-parameters', 'entries without the required start → 400 invalid-parameters', SPEC.logOp('entries'), [problemMismatch(noStart, 'invalid-parameters', 400)]);
}

/** A cosignature the kit made, served with the checkpoint: checked when there is one. */
function checkServedCosignature(ctx: RunContext, checkpoint: ParsedCheckpoint): void {
  const name = witnessNameOf(ctx.kit.nodeId);
  const ours = checkpoint.signatureLines.slice(1).find((line) => line.startsWith(`\u2014 ${name} `));
  const what = 'a cosignature the kit gave is served with the checkpoint it cosigned, unchanged';
  if (!ours) {
    ctx.findings.skip('log.cosignature-served', what, SPEC.log, 'the checkpoint served is not one the kit cosigned (yet)');
    return;
  }
  const check = checkCosignature(ours, checkpoint.text, name, ctx.kit.signing.jwk.x, ctx.kit.signing.publicRaw);
  ctx.findings.expect('log.cosignature-served', what, SPEC.log, [typeof check === 'string' ? check : undefined]);
}

/** Reads entries [0, size), checks each leaf hash and the tree head; the leaf hashes, or undefined. */
async function checkEntries(ctx: RunContext, checkpoint: ParsedCheckpoint): Promise<Bytes[] | undefined> {
  const { findings } = ctx;
  const what = 'entries: pages of LogEntriesPage from start, each leaf_hash SHA-256(0x00 || entry bytes), the first <size> making the checkpoint\'s root';
  if (checkpoint.size > MAX_ENTRIES_READ) {
    findings.skip('log.entries', what, SPEC.log, `the log has ${checkpoint.size} entries; the kit reads at most ${MAX_ENTRIES_READ}`);
    return undefined;
  }
  const problems: string[] = [];
  const leaves: Bytes[] = [];
  while (leaves.length < checkpoint.size && problems.length === 0) {
    const start = leaves.length;
    const answer = await withToken(ctx, 'GET', `/federation/v1/log/entries?start=${start}&end=${checkpoint.size}`);
    const page = jsonOf(answer) as { log_size: number; start: number; entries: Array<{ index: number; leaf_hash: string; entry?: string }> } | undefined;
    if (answer.status !== 200 || !validatorFor('federation', 'LogEntriesPage')(page)) {
      problems.push(`entries from ${start}: expected 200 with a LogEntriesPage; got ${describe(answer)}`);
      break;
    }
    if (page!.start !== start || page!.log_size < checkpoint.size) problems.push(`the page says start ${page!.start}, log_size ${page!.log_size}`);
    if (page!.entries.length === 0) problems.push(`an empty page at ${start}, below the checkpoint size ${checkpoint.size}`);
    for (const entry of page!.entries) {
      const hash = fromB64u(entry.leaf_hash);
      if (entry.index !== leaves.length) problems.push(`entry ${entry.index} where ${leaves.length} was next`);
      if (!hash || hash.length !== 32) problems.push(`entry ${entry.index}: leaf_hash is not base64url of 32 bytes`);
      if (entry.entry !== undefined) {
        if (hash && !sameBytes(leafHash(utf8(entry.entry)), hash)) problems.push(`entry ${entry.index}: leaf_hash is not SHA-256(0x00 || entry)`);
        let parsed: unknown;
        try {
          parsed = JSON.parse(entry.entry);
        } catch {
          parsed = undefined;
        }
        if (!validatorFor('federation', 'LogEntry')(parsed)) problems.push(`entry ${entry.index}: its text does not match LogEntry`);
        else if ((parsed as { index: number }).index !== entry.index) problems.push(`entry ${entry.index}: its text says index ${(parsed as { index: number }).index}`);
      }
      if (problems.length > 10) break;
      leaves.push(hash ?? new Uint8Array(32));
      if (leaves.length === checkpoint.size) break;
    }
  }
  if (problems.length === 0 && !sameBytes(treeHead(leaves), checkpoint.root)) problems.push(`the tree head of the first ${checkpoint.size} leaf hashes is not the checkpoint's root`);
  findings.expect('log.entries', what, SPEC.log, problems);
  return problems.length === 0 ? leaves : undefined;
}

async function checkInclusion(ctx: RunContext, checkpoint: ParsedCheckpoint, leaves: Bytes[]): Promise<void> {
  const size = checkpoint.size;
  const problems: string[] = [];
  const proofAt = async (query: string, index: number) => {
    const answer = await withToken(ctx, 'GET', `/federation/v1/log/proofs/inclusion?tree_size=${size}&${query}`);
    const proof = jsonOf(answer) as { index: number; tree_size: number; leaf_hash: string; proof: string[] } | undefined;
    if (answer.status !== 200 || !validatorFor('federation', 'InclusionProof')(proof)) return problems.push(`${query}: expected 200 with an InclusionProof; got ${describe(answer)}`);
    const path = proof!.proof.map(fromB64u);
    if (proof!.index !== index || proof!.tree_size !== size || proof!.leaf_hash !== b64u(leaves[index]!)) problems.push(`${query}: the proof names index ${proof!.index}, size ${proof!.tree_size}`);
    if (path.some((h) => h?.length !== 32) || !verifyInclusion(index, size, leaves[index]!, path as Bytes[], checkpoint.root)) {
      problems.push(`${query}: the audit path does not lead from the leaf to the checkpoint's root`);
    }
    return undefined;
  };
  const indices = [...new Set([0, Math.floor(size / 2), size - 1])].filter((i) => i >= 0 && i < size);
  for (const index of indices) await proofAt(`index=${index}`, index);
  const last = leaves[size - 1]!;
  await proofAt(`leaf_hash=${b64u(last)}`, leaves.findIndex((leaf) => sameBytes(leaf, last)));
  ctx.findings.expect('log.inclusion', 'inclusion proofs (by index and by leaf_hash) verify against the checkpoint\'s root (RFC 9162 §2.1.3.2)', SPEC.logOp('proofs/inclusion'), problems);
}

async function checkConsistency(ctx: RunContext, checkpoint: ParsedCheckpoint, leaves: Bytes[]): Promise<void> {
  const size = checkpoint.size;
  const problems: string[] = [];
  const olds = [...new Set([1, Math.floor(size / 2), size - 1, 0, size])].filter((m) => m >= 0 && m <= size);
  for (const old of olds) {
    const answer = await withToken(ctx, 'GET', `/federation/v1/log/proofs/consistency?old_size=${old}&new_size=${size}`);
    const proof = jsonOf(answer) as { old_size: number; new_size: number; proof: string[] } | undefined;
    if (answer.status !== 200 || !validatorFor('federation', 'ConsistencyProof')(proof)) {
      problems.push(`${old} → ${size}: expected 200 with a ConsistencyProof; got ${describe(answer)}`);
      continue;
    }
    const path = proof!.proof.map(fromB64u);
    if (proof!.old_size !== old || proof!.new_size !== size) problems.push(`${old} → ${size}: the proof names ${proof!.old_size} → ${proof!.new_size}`);
    if (old === 0 || old === size) {
      if (path.length > 0) problems.push(`${old} → ${size}: the proof should be empty`);
      continue;
    }
    if (path.some((h) => h?.length !== 32) || !verifyConsistency(old, size, treeHead(leaves.slice(0, old)), checkpoint.root, path as Bytes[])) {
      problems.push(`${old} → ${size}: the proof does not verify (RFC 9162 §2.1.4.2)`);
    }
  }
  ctx.findings.expect('log.consistency', 'consistency proofs from smaller trees verify against the checkpoint\'s root (RFC 9162 §2.1.4.2)', SPEC.logOp('proofs/consistency'), problems);
}
