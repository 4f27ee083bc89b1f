// Becoming a trusted peer of the target: through its local API with the administrator's token,
// or by printing the kit's URL and fingerprint and waiting for its administrator to trust it.
// On the way, what an unknown and a pending peer are told (spec: Envelope verification 3 and 4,
// Service tokens).
import { randomUUID } from 'node:crypto';
import { SPEC } from './report.js';
import { offerBody, send, withToken, type RunContext } from './run-context.js';
import { describe, problemMismatch, problemTypeOf, problemUrn } from './target.js';

const PROBE_PATH = '/federation/v1/directory';
const POLL_MS = 3_000;

/** One signed request and one envelope from the kit as it stands with the target now. */
async function probe(ctx: RunContext) {
  const token = await withToken(ctx, 'GET', PROBE_PATH);
  const referralId = randomUUID();
  const envelope = await send(ctx, { type: 'referral.offer', referralId, seq: 1, body: offerBody(ctx, referralId) });
  return { token, envelope: envelope.answer };
}

/** Whether the kit is trusted by the end; every finding on the way is recorded. */
export async function establishTrust(ctx: RunContext, options: { waitSeconds: number; progress: (line: string) => void }): Promise<boolean> {
  const { findings, kit, admin } = ctx;
  const unknown = await probe(ctx);
  findings.expect('trust.unknown-token', 'a service token from a node the target does not know is refused as bad-signature (403)', SPEC.tokens, [
    problemMismatch(unknown.token, 'bad-signature', 403),
  ]);
  findings.expect('trust.unknown-envelope', 'an envelope from a node the target does not know is refused as bad-signature (403)', SPEC.verification(3), [
    problemMismatch(unknown.envelope, 'bad-signature', 403),
  ]);

  if (admin) {
    const added = await admin.addPeer(kit.nodeId);
    if (typeof added === 'string') {
      findings.fail('trust.established', 'the kit became a trusted peer of the target through its local API', 'local.yaml paths./api/v1/peers', added);
      return false;
    }
    findings.expect('trust.fingerprint', 'the target shows the kit\'s fingerprint as the spec defines it', SPEC.conventions, [
      added.fingerprint === kit.fingerprint ? undefined : `expected ${kit.fingerprint}; the target shows ${String(added.fingerprint)}`,
    ]);
    const pending = await probe(ctx);
    findings.expect('trust.pending-token', 'a service token from a pending peer is refused as untrusted-sender (403)', SPEC.tokens, [
      problemMismatch(pending.token, 'untrusted-sender', 403),
    ]);
    findings.expect('trust.pending-envelope', 'an envelope from a pending peer is refused as untrusted-sender (403)', SPEC.verification(4), [
      problemMismatch(pending.envelope, 'untrusted-sender', 403),
    ]);
    const refused = await admin.trustPeer(kit.nodeId, kit.fingerprint);
    if (refused) {
      findings.fail('trust.established', 'the kit became a trusted peer of the target through its local API', 'local.yaml paths./api/v1/peers/trust', refused);
      return false;
    }
  } else {
    options.progress(
      [
        `The conformance kit is a peer at ${kit.nodeId}, fingerprint ${kit.fingerprint}.`,
        'Trust it on the node under test (which must allow loopback peers, REFERRAL_NODE_PRIVATE_NETWORK=true):',
        `  referral-node peer add ${kit.nodeId} --data DIR`,
        `  referral-node peer trust ${kit.nodeId} --fingerprint ${kit.fingerprint} --data DIR`,
        `Waiting up to ${options.waitSeconds} s.`,
      ].join('\n'),
    );
  }

  const deadline = Date.now() + (admin ? 30 : options.waitSeconds) * 1000;
  let sawPending = false;
  for (;;) {
    const answer = await withToken(ctx, 'GET', PROBE_PATH);
    const type = problemTypeOf(answer);
    if (type === problemUrn('untrusted-sender')) sawPending = true;
    if (type !== problemUrn('bad-signature') && type !== problemUrn('untrusted-sender') && answer.status !== 429) {
      const ok = answer.status === 200;
      findings.expect('trust.established', 'the kit is a trusted peer: a signed request is answered', SPEC.tokens, [
        ok ? undefined : `expected 200 for GET ${PROBE_PATH}; got ${describe(answer)}`,
      ]);
      if (!admin) {
        if (sawPending) findings.pass('trust.pending-token', 'a service token from a pending peer is refused as untrusted-sender (403)', SPEC.tokens);
        else findings.skip('trust.pending-token', 'a service token from a pending peer is refused as untrusted-sender (403)', SPEC.tokens, 'the kit was trusted before it saw itself pending');
        findings.skip('trust.pending-envelope', 'an envelope from a pending peer is refused as untrusted-sender (403)', SPEC.verification(4), 'checked with --admin-token only');
      }
      return ok;
    }
    if (Date.now() > deadline) {
      findings.fail('trust.established', 'the kit is a trusted peer: a signed request is answered', SPEC.tokens, `still ${describe(answer)} after ${admin ? 30 : options.waitSeconds} s`);
      return false;
    }
    await new Promise((done) => setTimeout(done, POLL_MS));
  }
}
