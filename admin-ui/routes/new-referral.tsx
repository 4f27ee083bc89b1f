// The new-referral flow: needs, matching services, consent, the form, review and send. Every
// step is a POST (the answers travel in the form, never in an address) that checks again all the
// answers before it, since hidden fields can be changed: the first step whose answers are not
// right is shown again, with what is wrong. Nothing is stored until Send or Save as draft, and
// then only by the referral service (encrypted, with the consent recorded for this recipient).
//
// After an answered inquiry the referral page posts the inquiry's id to the consent step: the
// needs are the inquiry's and the organisation the one that answered (both read again from this
// node at each step), so the needs and matching steps are skipped, and Send makes the offer on the
// inquiry's own referral. A form is sent once only (node/referrals/submissions.ts): sent
// again, it leads to the referral it made.
//
// From a partner's service in the directory, `GET /ui/referrals/new?service=<node id> <service id>`
// (no personal data: a service of the directory) shows the needs with what the service offers
// ticked and the service carried as the choice, as if chosen among the matches; it is checked then
// like any carried choice, at every step, and a referral is sent only if it is still among the
// services that fit and take referrals. Only a trusted peer's service held in a current directory
// and taking referrals can be chosen so; this organisation's own never can.
import { matchServices, type MatchResponse, type MatchResult } from '../../node/directory/matching.js';
import { directoryStatus, heldDirectoryOf } from '../../node/directory/sync.js';
import { offerAfterInquiry } from '../../node/referrals/inquiry.js';
import { createReferral, getReferralSummary } from '../../node/referrals/service.js';
import { isUuid } from '../../node/http/request.js';
import { validatorFor } from '../../node/schema/validators.js';
import { explainOrThrow, FormFields, render, redirect, type UiRequest, type UiRouter } from '../router.js';
import { Layout } from '../pages/layout.js';
import {
  checkChoiceField, checkConsent, checkDetails, checkNeeds, FIELD_IDS, matchQueryOf, offerRequestOf, referralRequestOf, uncoveredInForm,
  type Choice, type ConsentAnswers, type Details, type Needs,
} from '../pages/new-referral/flow.js';
import { answeredInquiry, type InquiryTarget } from '../answered-inquiry.js';
import { isSubmissionId, newSubmissionId, recordSubmission, releaseSubmission, reserveSubmission, submittedBefore } from '../../node/referrals/submissions.js';
import type { Step } from '../pages/new-referral/frame.js';
import { NeedsPage, type DirectoryPick } from '../pages/new-referral/needs-page.js';
import { choiceValue, MatchesPage } from '../pages/new-referral/matches-page.js';
import { takesReferralsNow } from '../pages/directory/filters.js';
import { ConsentPage } from '../pages/new-referral/consent-page.js';
import { DetailsPage } from '../pages/new-referral/details-page.js';
import { ReviewPage } from '../pages/new-referral/review-page.js';

const ROLES = ['admin', 'caseworker'] as const;

/** Every answer up to the review, all checked. */
interface Answers {
  needs: Needs;
  /** The service chosen among the matches; none after an inquiry. */
  choice: Choice | undefined;
  result: MatchResult | undefined;
  inquiry: InquiryTarget | undefined;
  consent: ConsentAnswers;
  details: Details;
  /** The form as posted, with its submission id. */
  form: FormFields;
}

/** The form with a submission id: the one it carries, or a new one (the flow's first step). */
function withSubmission(form: FormFields): FormFields {
  if (isSubmissionId(form.text('submission'))) return form;
  const values = new Map<string, string[]>();
  for (const name of form.names()) {
    const all = form.all(name);
    values.set(name, all.length ? all : ['']);
  }
  values.set('submission', [newSubmissionId()]);
  return new FormFields(values);
}

export function newReferralPages(ui: UiRouter): void {
  const { ctx } = ui;

  /** The countries a service can be looked for in: this organisation's and those of the trusted peers whose directory is held. */
  const countriesOffered = async (): Promise<string[]> => {
    const peers = (await directoryStatus(ctx)).filter((p) => p.freshness === 'current');
    return [...new Set([ctx.self.country, ...peers.map((p) => p.country)])];
  };

  /** The partner's service `?service=<node id> <service id>` names, as a trusted peer's current directory held here lists it. */
  async function directoryPick(value: string): Promise<DirectoryPick> {
    const [to, serviceId, ...rest] = value.trim().split(' ');
    if (!to || !serviceId || rest.length > 0 || !isUuid(serviceId) || to === ctx.self.nodeId || to.length > 2048) return { state: 'unknown' };
    const held = await heldDirectoryOf(ctx, to);
    const service = held?.services.find((s) => s.id === serviceId);
    if (!held || !service) return { state: 'unknown' };
    const result = { service, organization: { node_id: held.id, name: held.name, country: held.country, own: false } };
    return { state: takesReferralsNow(service) ? 'chosen' : 'not-taking', result };
  }

  /** The inquiry cannot be made into a referral (any more): said, with the way back to it. */
  async function inquiryGone(r: UiRequest, id: string): Promise<Response> {
    const { t } = r;
    const known = isUuid(id) && (await getReferralSummary(ctx, id)) !== undefined;
    return render(
      r.c,
      <Layout page={r.page} title={t.newReferralTitle} nav="/ui/referrals/new">
        <p class="notice">{t.nrInquiryGone}</p>
        <p>
          <a href={known ? `/ui/referrals/${id}` : '/ui/referrals'}>{known ? t.nrBackToInquiry : t.referralsTitle}</a>
        </p>
      </Layout>,
      known ? 409 : 404,
    );
  }

  /**
   * Checks the answers of every step before `target` and shows `target`; or, at the first step
   * whose answers are wrong, shows that step again with what is wrong (422). Resolves to the
   * answers when `target` is 'send' and all are right.
   */
  async function advance(r: UiRequest, target: Step | 'send'): Promise<Response | Answers> {
    const { c, page, t } = r;
    const form = withSubmission(r.form);
    const now = ctx.clock.now();
    let needs: Needs;
    let choice: Choice | undefined;
    let result: MatchResult | undefined;
    let inquiry: InquiryTarget | undefined;
    const inquiryId = form.optional('inquiry');
    if (inquiryId !== undefined) {
      // After an inquiry: its needs and its organisation, read again here; no needs or matching step.
      inquiry = await answeredInquiry(ctx, inquiryId);
      if (!inquiry) return inquiryGone(r, inquiryId);
      needs = { needs: inquiry.needs, urgency: inquiry.urgency, country: undefined, languages: [] };
    } else {
      const countries = await countriesOffered();
      if (target === 'needs') return render(c, <NeedsPage page={page} form={form} countries={countries} />);
      const checked = checkNeeds(form, t, countries);
      if (!checked.ok) return render(c, <NeedsPage page={page} form={form} countries={countries} errors={checked.errors} />, 422);
      needs = checked.value;

      const found: MatchResponse = await matchServices(ctx, matchQueryOf(needs));
      if (target === 'matches') return render(c, <MatchesPage page={page} form={form} needs={needs} found={found} />);
      const chosen = checkChoiceField(form, t);
      // The service must still fit the needs and take referrals now (it is looked for again).
      result = chosen.ok
        ? found.results.find((m) => m.referable && m.organization.node_id === chosen.value.to && m.service.id === chosen.value.serviceId)
        : undefined;
      if (!chosen.ok || !result) {
        const errors = chosen.ok ? [{ field: FIELD_IDS.choice, sentence: t.nrServiceGone }] : chosen.errors;
        return render(c, <MatchesPage page={page} form={form} needs={needs} found={found} errors={errors} />, 422);
      }
      choice = chosen.value;
    }

    if (target === 'consent' || target === 'needs' || target === 'matches') {
      return render(c, <ConsentPage page={page} form={form} needs={needs} result={result} inquiry={inquiry} now={now} />);
    }
    const consent = checkConsent(form, t, now);
    if (!consent.ok) return render(c, <ConsentPage page={page} form={form} needs={needs} result={result} inquiry={inquiry} now={now} errors={consent.errors} />, 422);

    if (target === 'details') {
      // Data entered before the consent was changed, of a category it no longer covers, is not shown again (nor carried).
      const dropped = uncoveredInForm(form, consent.value.categories);
      return render(c, <DetailsPage page={page} form={form} result={result} inquiry={inquiry} consent={consent.value} dropped={dropped} speaks={needs.languages} now={now} />);
    }
    const details = checkDetails(form, t, consent.value, now);
    if (!details.ok) {
      return render(
        c,
        <DetailsPage page={page} form={form} result={result} inquiry={inquiry} consent={consent.value} dropped={[]} speaks={needs.languages} now={now} errors={details.errors} />,
        422,
      );
    }
    const answers = { needs, choice, result, inquiry, consent: consent.value, details: details.value, form };
    if (target === 'review') return render(c, <ReviewPage page={page} {...answers} />);
    return answers;
  }

  const show = (step: Step) => async (r: UiRequest) => {
    const shown = await advance(r, step);
    return shown instanceof Response ? shown : render(r.c, <ReviewPage page={r.page} {...shown} />);
  };

  ui.get('/referrals/new', ROLES, async (r) => {
    const asked = r.c.req.query('service');
    if (asked === undefined) return show('needs')(r);
    // Started from the directory: what the service offers ticked, and the service carried as the choice if it can be chosen.
    const picked = await directoryPick(asked);
    const values = new Map<string, string[]>();
    if (picked.state !== 'unknown') values.set('need', [...picked.result.service.categories]);
    if (picked.state === 'chosen') values.set('choice', [choiceValue(picked.result)]);
    const form = withSubmission(new FormFields(values));
    return render(r.c, <NeedsPage page={r.page} form={form} countries={await countriesOffered()} picked={picked} />, picked.state === 'unknown' ? 404 : 200);
  });
  // The steps shown again with the answers carried (the buttons "Change" and "Back").
  ui.post('/referrals/new', ROLES, show('needs'));
  ui.post('/referrals/new/match', ROLES, show('matches'));
  ui.post('/referrals/new/consent', ROLES, show('consent'));
  ui.post('/referrals/new/details', ROLES, show('details'));
  ui.post('/referrals/new/review', ROLES, show('review'));

  ui.post('/referrals/new/send', ROLES, async (r) => {
    const { c, page, t, session } = r;
    // Sent before (Back, then Send again): that referral, not a second one. Asked before the
    // answers are checked again, since an inquiry made into a referral is no longer answerable.
    const before = await submittedBefore(ctx, r.form.text('submission'));
    if (before) return redirect(c, `/ui/referrals/${before}`, 'nrAlreadySent');
    const answers = await advance(r, 'send');
    if (answers instanceof Response) return answers;
    const { form, inquiry, choice } = answers;
    const draft = form.text('draft') === 'yes';
    const now = ctx.clock.now();
    // After an inquiry there is no draft: the offer goes on the inquiry's referral.
    const request = inquiry || !choice ? offerRequestOf(answers.needs, answers.consent, answers.details, now) : referralRequestOf(answers.needs, choice, answers.consent, answers.details, now, draft);
    const valid = validatorFor('local', inquiry ? 'OfferRequest' : 'CreateReferralRequest');
    if (!valid(request) || (inquiry && draft)) {
      // The checks above should have caught it; the schema is the last word. Its errors name
      // fields, never values.
      return render(c, <ReviewPage page={page} {...answers} errors={[{ sentence: t.problemInvalidRequest }]} />, 422);
    }
    const reserved = await reserveSubmission(ctx, form.text('submission'));
    if (reserved.state === 'sent') return redirect(c, `/ui/referrals/${reserved.referralId}`, 'nrAlreadySent');
    if (reserved.state === 'sending') return redirect(c, '/ui/referrals', 'nrBeingSent');
    try {
      const actor = { userId: session.user.id };
      const sent = inquiry
        ? await offerAfterInquiry(ctx, actor, inquiry.id, request)
        : await createReferral(ctx, actor, request as Parameters<typeof createReferral>[2]);
      await recordSubmission(ctx, reserved.digest, sent.id);
      return redirect(c, `/ui/referrals/${sent.id}`, draft ? 'nrDraftSaved' : 'nrSent');
    } catch (error) {
      await releaseSubmission(ctx, reserved.digest);
      return render(c, <ReviewPage page={page} {...answers} problem={explainOrThrow(t, error)} />, 422);
    }
  });
}
