// The receiver's consent rules (spec: ConsentRecord, Envelope verification 11): an offer whose
// consent breaks one rule is refused with that rule's problem type (422, "Problem types"), in the
// table's order, and nothing of it is kept (the same referral id then takes a good offer).
import { randomUUID } from 'node:crypto';
import { SPEC } from '../report.js';
import { offerBody, receiptProblems, send, type ConsentChanges, type RunContext } from '../run-context.js';
import { problemMismatch } from '../target.js';

const HOUR = 3600_000;

export async function checkConsentRules(ctx: RunContext): Promise<void> {
  const { findings } = ctx;
  const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
  const rules: Array<{ id: string; what: string; problem: string; consent?: ConsentChanges; client?: Record<string, unknown> }> = [
    { id: 'consent.expired', what: 'a consent whose valid_until has passed → consent-expired', problem: 'consent-expired', consent: { obtained_at: at(-48 * HOUR), valid_until: at(-HOUR) } },
    { id: 'consent.dated-ahead', what: 'a consent obtained more than five minutes ahead of the receiver\'s clock → consent-dated-ahead', problem: 'consent-dated-ahead', consent: { obtained_at: at(HOUR) } },
    { id: 'consent.recipient', what: 'a consent that does not name the receiving node → consent-recipient-not-named', problem: 'consent-recipient-not-named', consent: { recipients: ['https://another-node.example'] } },
    { id: 'consent.purpose', what: 'a consent whose purposes do not include referral → consent-purpose-not-covered', problem: 'consent-purpose-not-covered', consent: { purposes: ['service-provision', 'follow-up'] } },
    {
      id: 'consent.category',
      what: 'client data in a category the consent does not cover → consent-category-not-covered',
      problem: 'consent-category-not-covered',
      consent: { categories: ['identity'] },
      client: { identity: { given_name: 'Conformance' }, health: { note: 'Made up by the conformance kit.' } },
    },
    {
      id: 'consent.order',
      what: 'a consent breaking two rules is refused for the first in the table\'s order (expired before purpose) → consent-expired',
      problem: 'consent-expired',
      consent: { obtained_at: at(-48 * HOUR), valid_until: at(-HOUR), purposes: ['follow-up'] },
    },
  ];
  let kept: string | undefined;
  for (const rule of rules) {
    const referralId = randomUUID();
    const { answer } = await send(ctx, { type: 'referral.offer', referralId, seq: 1, body: offerBody(ctx, referralId, { consent: rule.consent, ...(rule.client ? { client: rule.client } : {}) }) });
    findings.expect(rule.id, `${rule.what} (422)`, SPEC.consent, [problemMismatch(answer, rule.problem, 422)]);
    kept ??= referralId;
  }
  const unlisted = randomUUID();
  const { answer: language } = await send(ctx, { type: 'referral.offer', referralId: unlisted, seq: 1, body: offerBody(ctx, unlisted, { consent: { language: 'tlh' } }) });
  findings.expect('consent.schema', 'a consent in a language not in ConsentLanguage → 422 invalid-body', SPEC.consent, [problemMismatch(language, 'invalid-body', 422)]);

  // The refused offer left nothing behind: the same referral id takes a good offer as message 1.
  const referralId = kept!;
  ctx.server.expectReferral(referralId);
  const good = await send(ctx, { type: 'referral.offer', referralId, seq: 1, body: offerBody(ctx, referralId) });
  findings.expect('consent.refusal-keeps-nothing', 'after a consent refusal, the same referral id takes a good offer (nothing was kept)', SPEC.consent, await receiptProblems(ctx, good.answer, good.sealed));
}
