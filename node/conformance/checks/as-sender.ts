// What the target sent the kit during the run, checked as a receiver would (spec: Envelope
// construction (sender), the identity document's endpoints and message_types, Service tokens, the
// witness protocol), and the headers of every answer it gave the kit (spec: Conventions).
import { SPEC } from '../report.js';
import type { SenderRule } from '../peer-server.js';
import type { RunContext } from '../run-context.js';

const RULES: Array<{ rule: SenderRule; id: string; what: string; spec: string }> = [
  { rule: 'endpoint', id: 'sender.endpoint', what: 'the target posts envelopes to the endpoints.envelopes of the kit\'s identity document', spec: SPEC.identityClaims },
  { rule: 'form', id: 'sender.form', what: 'its envelopes: application/jose, a compact JWS (alg EdDSA, typ referral-envelope+jws, kid, iss, integer iat), EnvelopePayload, EnvelopeHeader', spec: SPEC.construction(7) },
  { rule: 'signature', id: 'sender.signature', what: 'its envelopes verify with its signing key, iss its node id', spec: SPEC.construction(7) },
  { rule: 'id', id: 'sender.envelope-id', what: 'its envelope ids are UUIDv7', spec: 'federation.yaml #/components/schemas/EnvelopeHeader' },
  { rule: 'addressing', id: 'sender.addressing', what: 'header.from is its id, header.to the kit\'s, recipient_kid the kit\'s encryption key', spec: SPEC.construction(1) },
  { rule: 'sender-kid', id: 'sender.current-key', what: 'sender_kid is the first X25519 key of its identity document (its current key)', spec: SPEC.construction(5) },
  { rule: 'time', id: 'sender.iat', what: 'each attempt is signed now (iat within the clock skew)', spec: SPEC.construction(7) },
  { rule: 'type', id: 'sender.message-types', what: 'it sends only message types the kit lists in message_types (no referral.handover)', spec: SPEC.messageTypes },
  { rule: 'decryption', id: 'sender.encryption', what: 'the kit\'s sealed content key opens, and the body decrypts with the header bytes as associated data', spec: SPEC.construction(4) },
  { rule: 'body', id: 'sender.body', what: 'each body matches its type\'s schema, with the header\'s referral_id', spec: 'federation.yaml #/components/schemas/MessageBodies' },
  { rule: 'order', id: 'sender.order', what: 'its messages on each referral are numbered from 1 in order (consent and erasure messages above the last)', spec: SPEC.order },
  { rule: 'duplicate', id: 'sender.same-id', what: 'an envelope id sent again carries the same payload', spec: SPEC.construction(6) },
];

export function checkTargetAsSender(ctx: RunContext): void {
  const { findings, server } = ctx;
  const deliveries = server.deliveries;
  for (const { rule, id, what, spec } of RULES) {
    if (deliveries.length === 0) {
      findings.skip(id, what, spec, 'the target sent the kit no envelope (the receiver\'s messages need --admin-token)');
      continue;
    }
    const broken = deliveries.flatMap((d) => d.problems.filter((p) => p.rule === rule).map((p) => `${d.type ?? 'an envelope'} ${d.envelopeId ?? ''}: ${p.text}`.replace(/ {2,}/g, ' ')));
    findings.expect(id, what, spec, [...new Set(broken)].slice(0, 5));
  }

  const probe = server.retryProbe;
  const retryWhat = 'a delivery attempt after a 503 carries the byte-identical payload P';
  if (!probe || probe.payloads.length < 2) {
    findings.skip('sender.retry-identical', retryWhat, SPEC.construction(6), probe ? 'the target had not tried again by the end of the run' : 'the target sent the kit no envelope to answer 503');
  } else {
    findings.expect('sender.retry-identical', retryWhat, SPEC.construction(6), [probe.payloads.every((p) => p === probe.payloads[0]) ? undefined : 'the payload changed between attempts']);
  }

  const tokenWhat = 'the service tokens it sends the kit: referral-service+jwt by its key, aud/htm/htu of the request, exp ≤ iat + 60, a fresh jti';
  if (server.tokenUses.length === 0) findings.skip('sender.service-tokens', tokenWhat, SPEC.tokens, 'the target called no endpoint of the kit that needs a token');
  else findings.expect('sender.service-tokens', tokenWhat, SPEC.tokens, [...new Set(server.tokenUses.flatMap((u) => u.problems.map((p) => `${u.request}: ${p}`)))].slice(0, 5));

  const witnessWhat = 'the checkpoints it submits to the kit as witness: its origin, signed by its key, each consistent with the one the kit cosigned before';
  const submitted = server.witnessRequests.filter((r) => r.answered === 200 || r.problems.length > 0);
  if (submitted.length === 0) findings.skip('sender.checkpoints', witnessWhat, SPEC.log, 'the target submitted no checkpoint to the kit during the run');
  else findings.expect('sender.checkpoints', witnessWhat, SPEC.log, [...new Set(server.witnessRequests.flatMap((r) => r.problems))].slice(0, 5));

  findings.expect(
    'conventions.headers',
    `every answer of the target (${ctx.client.responses} in this run) carries Cache-Control: no-store, X-Content-Type-Options: nosniff, Referrer-Policy: no-referrer (and HSTS on https)`,
    SPEC.conventions,
    [...ctx.client.conventionProblems].slice(0, 5),
  );
}
