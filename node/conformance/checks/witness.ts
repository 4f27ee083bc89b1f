// The target as a witness of the kit's own small log (spec: addCheckpoint; C2SP tlog-witness and
// tlog-cosignature/v1): a first checkpoint is cosigned, a wrong old size is answered with the size
// the witness holds, a larger checkpoint with a consistency proof is cosigned, and what is not the
// kit's log or not signed by its key is refused. Nothing here contradicts an earlier checkpoint:
// that would leave evidence and an alert at the target.
import { newSigningKey, nowSeconds, utf8, type Bytes } from '../crypto.js';
import { consistencyProof, leafHash, treeHead } from '../merkle.js';
import { checkCosignature, checkpointBody, logOriginOf, signNote, witnessNameOf } from '../notes.js';
import { SPEC } from '../report.js';
import { withToken, type RunContext } from '../run-context.js';
import { CLOCK_SKEW_SECONDS } from '../peer-server.js';
import { describe, problemMismatch, type Answer } from '../target.js';

const PATH = '/federation/v1/witness/add-checkpoint';

const submit = (ctx: RunContext, body: string): Promise<Answer> => withToken(ctx, 'POST', PATH, { body, contentType: 'text/plain; charset=utf-8' });

const requestBody = (oldSize: number, proof: Bytes[], note: string): string =>
  `old ${oldSize}\n${proof.map((hash) => `${Buffer.from(hash).toString('base64')}\n`).join('')}\n${note}`;

export async function checkWitnessing(ctx: RunContext): Promise<void> {
  const { findings, kit, target } = ctx;
  const origin = logOriginOf(kit.nodeId);
  const witnessName = witnessNameOf(target.id);
  const leaves = Array.from({ length: 7 }, (_, i) => leafHash(utf8(JSON.stringify({ v: 1, index: i, note: 'conformance kit log entry' }))));
  const noteOf = (size: number) => signNote(checkpointBody(origin, size, treeHead(leaves.slice(0, size))), origin, kit.signing);
  const textOf = (size: number) => checkpointBody(origin, size, treeHead(leaves.slice(0, size)));

  const cosignatureProblems = (answer: Answer, size: number): string[] => {
    if (answer.status !== 200) return [`expected 200 with a cosignature; got ${describe(answer)}`];
    if (!/^(— [^\n]+\n)+$/.test(answer.text)) return ['the answer is not cosignature lines, each ending in a newline (CosignatureLines)'];
    const lines = answer.text.slice(0, -1).split('\n');
    const ours = lines.find((line) => line.startsWith(`\u2014 ${witnessName} `));
    if (!ours) return [`no line by the witness name ${witnessName}`];
    const check = checkCosignature(ours, textOf(size), witnessName, target.signingKey.x, Buffer.from(target.signingKey.x, 'base64url'));
    if (typeof check === 'string') return [check];
    return Math.abs(check.timestamp - nowSeconds()) > CLOCK_SKEW_SECONDS ? [`the cosignature's time ${check.timestamp} is far from now`] : [];
  };

  const first = await submit(ctx, requestBody(0, [], noteOf(3)));
  findings.expect('witness.cosign-first', 'a first checkpoint (old 0) of the kit\'s log is cosigned: tlog-cosignature/v1, key ID type 0x04, the witness name <node id without scheme>/witness', SPEC.witness, cosignatureProblems(first, 3));

  const wrongOld = await submit(ctx, requestBody(1, consistencyProof(leaves.slice(0, 5), 1), noteOf(5)));
  findings.expect('witness.old-size', 'an old size other than the size the witness holds → 409 text/x.tlog.size with that size', SPEC.witness, [
    wrongOld.status === 409 && wrongOld.mediaType === 'text/x.tlog.size' && wrongOld.text === '3\n' ? undefined : `expected 409 text/x.tlog.size "3\\n"; got ${describe(wrongOld)}`,
  ]);

  const extended = await submit(ctx, requestBody(3, consistencyProof(leaves.slice(0, 5), 3), noteOf(5)));
  findings.expect('witness.cosign-consistent', 'a larger checkpoint with a consistency proof from the size held is cosigned', SPEC.witness, cosignatureProblems(extended, 5));

  const otherOrigin = 'conformance.invalid/audit-log';
  const notOurs = await submit(ctx, requestBody(5, [], signNote(checkpointBody(otherOrigin, 5, treeHead(leaves.slice(0, 5))), otherOrigin, kit.signing)));
  findings.expect('witness.not-log-origin', 'a checkpoint of another log than the caller\'s → 403 not-log-origin', SPEC.witness, [problemMismatch(notOurs, 'not-log-origin', 403)]);

  const stranger = await newSigningKey();
  const forged = await submit(ctx, requestBody(5, consistencyProof(leaves.slice(0, 6), 5), signNote(textOf(6), origin, stranger)));
  findings.expect('witness.bad-signature', 'a checkpoint not signed by the caller\'s pinned key → 403 bad-checkpoint-signature', SPEC.witness, [problemMismatch(forged, 'bad-checkpoint-signature', 403)]);

  const malformed = await submit(ctx, 'this is not an add-checkpoint request\n');
  findings.expect('witness.malformed', 'a body that is not an add-checkpoint request → 400 malformed-witness-request', SPEC.witness, [problemMismatch(malformed, 'malformed-witness-request', 400)]);

  const tooLarge = await submit(ctx, `old 5\n\n${'x'.repeat(65 * 1024)}`);
  findings.expect('witness.too-large', 'a body over 64 KiB → 413 witness-request-too-large', SPEC.witness, [problemMismatch(tooLarge, 'witness-request-too-large', 413)]);

  const backwards = await submit(ctx, requestBody(6, [], noteOf(5)));
  findings.expect('witness.old-above-size', 'an old size larger than the checkpoint → 400', SPEC.witness, [
    backwards.status === 400 && backwards.mediaType === 'application/problem+json' ? undefined : `expected 400 application/problem+json; got ${describe(backwards)}`,
  ]);
}
