// The new-referral flow: needs, matching services, consent, the form, review and send. Every
// step is a POST (the answers travel in the form, never in an address) that checks again all the
// answers before it, since hidden fields can be changed: the first step whose answers are not
// right is shown again, with what is wrong. Nothing is stored until Send or Save as draft, and
// then only by the referral service (encrypted, with the consent recorded for this recipient).
import { matchServices, type MatchResponse, type MatchResult } from '../../node/directory/matching.js';
import { directoryStatus } from '../../node/directory/sync.js';
import { createReferral } from '../../node/referrals/service.js';
import { validatorFor } from '../../node/schema/validators.js';
import { explain, render, redirect, type UiRequest, type UiRouter } from '../router.js';
import {
  checkChoiceField, checkConsent, checkDetails, checkNeeds, matchQueryOf, referralRequestOf, uncoveredInForm,
  type Choice, type ConsentAnswers, type Details, type Needs,
} from '../pages/new-referral/flow.js';
import type { Step } from '../pages/new-referral/frame.js';
import { NeedsPage } from '../pages/new-referral/needs-page.js';
import { MatchesPage } from '../pages/new-referral/matches-page.js';
import { ConsentPage } from '../pages/new-referral/consent-page.js';
import { DetailsPage } from '../pages/new-referral/details-page.js';
import { ReviewPage } from '../pages/new-referral/review-page.js';

const ROLES = ['admin', 'caseworker'] as const;

/** Every answer up to the review, all checked. */
interface Answers {
  needs: Needs;
  choice: Choice;
  result: MatchResult;
  consent: ConsentAnswers;
  details: Details;
}

export function newReferralPages(ui: UiRouter): void {
  const { ctx } = ui;

  /** The countries a service can be looked for in: this organisation's and those of the trusted peers whose directory is held. */
  const countriesOffered = async (): Promise<string[]> => {
    const peers = (await directoryStatus(ctx)).filter((p) => p.freshness === 'current');
    return [...new Set([ctx.self.country, ...peers.map((p) => p.country)])];
  };

  /**
   * Checks the answers of every step before `target` and shows `target`; or, at the first step
   * whose answers are wrong, shows that step again with what is wrong (422). Resolves to the
   * answers when `target` is 'send' and all are right.
   */
  async function advance(r: UiRequest, target: Step | 'send'): Promise<Response | Answers> {
    const { c, page, t, form } = r;
    const now = ctx.clock.now();
    const countries = await countriesOffered();
    if (target === 'needs') return render(c, <NeedsPage page={page} form={form} countries={countries} />);
    const needs = checkNeeds(form, t, countries);
    if (!needs.ok) return render(c, <NeedsPage page={page} form={form} countries={countries} errors={needs.errors} />, 422);

    const found: MatchResponse = await matchServices(ctx, matchQueryOf(needs.value));
    if (target === 'matches') return render(c, <MatchesPage page={page} form={form} needs={needs.value} found={found} />);
    const choice = checkChoiceField(form, t);
    // The service must still fit the needs and take referrals now (it is looked for again).
    const result = choice.ok
      ? found.results.find((m) => m.referable && m.organization.node_id === choice.value.to && m.service.id === choice.value.serviceId)
      : undefined;
    if (!choice.ok || !result) {
      const errors = choice.ok ? [t.nrServiceGone] : choice.errors;
      return render(c, <MatchesPage page={page} form={form} needs={needs.value} found={found} errors={errors} />, 422);
    }

    if (target === 'consent') return render(c, <ConsentPage page={page} form={form} needs={needs.value} result={result} now={now} />);
    const consent = checkConsent(form, t, now);
    if (!consent.ok) return render(c, <ConsentPage page={page} form={form} needs={needs.value} result={result} now={now} errors={consent.errors} />, 422);

    if (target === 'details') {
      // Data entered before the consent was changed, of a category it no longer covers, is not shown again (nor carried).
      const dropped = uncoveredInForm(form, consent.value.categories);
      return render(c, <DetailsPage page={page} form={form} result={result} consent={consent.value} dropped={dropped} speaks={needs.value.languages} now={now} />);
    }
    const details = checkDetails(form, t, consent.value, now);
    if (!details.ok) {
      return render(c, <DetailsPage page={page} form={form} result={result} consent={consent.value} dropped={[]} speaks={needs.value.languages} now={now} errors={details.errors} />, 422);
    }
    const answers = { needs: needs.value, choice: choice.value, result, consent: consent.value, details: details.value };
    if (target === 'review') return render(c, <ReviewPage page={page} form={form} {...answers} />);
    return answers;
  }

  const show = (step: Step) => async (r: UiRequest) => {
    const shown = await advance(r, step);
    return shown instanceof Response ? shown : render(r.c, <ReviewPage page={r.page} form={r.form} {...shown} />);
  };

  ui.get('/referrals/new', ROLES, show('needs'));
  // The steps shown again with the answers carried (the buttons "Change" and "Back").
  ui.post('/referrals/new', ROLES, show('needs'));
  ui.post('/referrals/new/match', ROLES, show('matches'));
  ui.post('/referrals/new/consent', ROLES, show('consent'));
  ui.post('/referrals/new/details', ROLES, show('details'));
  ui.post('/referrals/new/review', ROLES, show('review'));

  ui.post('/referrals/new/send', ROLES, async (r) => {
    const answers = await advance(r, 'send');
    if (answers instanceof Response) return answers;
    const { c, page, t, form, session } = r;
    const draft = form.text('draft') === 'yes';
    const request = referralRequestOf(answers.needs, answers.choice, answers.consent, answers.details, ctx.clock.now(), draft);
    const valid = validatorFor('local', 'CreateReferralRequest');
    if (!valid(request)) {
      // The checks above should have caught it; the schema is the last word. Its errors name
      // fields, never values.
      return render(c, <ReviewPage page={page} form={form} {...answers} errors={[t.problemInvalidRequest]} />, 422);
    }
    try {
      const sent = await createReferral(ctx, { userId: session.user.id }, request, ui.onQueued);
      return redirect(c, `/ui/referrals/${sent.id}`, draft ? 'nrDraftSaved' : 'nrSent');
    } catch (error) {
      const problem = explain(t, error);
      if (!problem) throw error;
      return render(c, <ReviewPage page={page} form={form} {...answers} problem={problem} />, 422);
    }
  });
}
