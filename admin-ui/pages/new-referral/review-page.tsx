// Step 5: everything shown back before it leaves, each part with a button to change it, then
// Send (or Save as draft: stored encrypted on this node, nothing sent).
import type { Child } from 'hono/jsx';
import type { MatchResult } from '../../../node/directory/matching.js';
import type { FormFields } from '../../router.js';
import { formatDay, type Language, type Messages } from '../../i18n/catalogue.js';
import { categoryLabel, Carry, CLIENT_FIELDS, countryName, languageName, type ClientField, type ConsentAnswers, type Details, type Needs } from './flow.js';
import { StepForm, StepFrame, STEP_ACTION, type Step, type StepProps } from './frame.js';
import { organisationOf, ServiceName } from './matches-page.js';

/** A part of the review, with its button to change it (none for what an inquiry already fixed). */
function Section(props: { title: string; change: string | undefined; step: Step; children: Child }) {
  return (
    <section class="nr-review">
      <h3>{props.title}</h3>
      <dl class="facts">{props.children}</dl>
      {props.change ? (
        <button type="submit" class="secondary" formaction={STEP_ACTION[props.step]}>
          {props.change}
        </button>
      ) : null}
    </section>
  );
}

const Fact = (props: { term: string; children: Child }) => (
  <>
    <dt>{props.term}</dt>
    <dd>{props.children}</dd>
  </>
);

const names = (codes: readonly string[], name: (code: string) => string, t: Messages) => (codes.length ? codes.map(name).join(', ') : t.none);

/** A client field's value as the caseworker entered it, in words. */
function valueOf(t: Messages, language: Language, field: ClientField, value: unknown): string {
  switch (field.kind) {
    case 'country':
      return countryName(String(value), language);
    case 'language':
      return languageName(String(value), language);
    case 'languages':
      return (value as string[]).map((l) => languageName(l, language)).join(', ');
    case 'legal-status':
      return t[`nr.legal.${String(value)}` as keyof Messages] ?? String(value);
    case 'past-day':
      return formatDay(`${String(value)}T12:00:00Z`, language);
    case 'ages':
    case 'lines':
      return (value as Array<string | number>).join(', ');
    default:
      return String(value);
  }
}

export function ReviewPage(props: StepProps & { form: FormFields; needs: Needs; result: MatchResult | undefined; consent: ConsentAnswers; details: Details }) {
  const { t, language } = props.page;
  const { needs, result, consent, details } = props;
  const client = details.client as Record<string, Record<string, unknown> | undefined>;
  const { inquiry } = props;
  const given = CLIENT_FIELDS.filter((f) => client[f.group]?.[f.key] !== undefined);
  return (
    <StepFrame page={props.page} step="review" errors={props.errors} problem={props.problem} inquiry={inquiry}>
      <p>{t.nrReviewIntro}</p>
      <StepForm page={props.page} action="/ui/referrals/new/send">
        <Carry form={props.form} except={[]} covered={consent.categories} />
        <Section title={t['nr.step.needs']} change={inquiry ? undefined : t.nrChangeNeeds} step="needs">
          <Fact term={t.nrNeedsLegend}>{names(needs.needs, (n) => categoryLabel(n, language), t)}</Fact>
          <Fact term={t.nrUrgencyLegend}>{t[`nr.urgency.${needs.urgency}`]}</Fact>
          {inquiry ? null : (
            <>
              <Fact term={t.nrCountryLabel}>{needs.country ? countryName(needs.country, language) : t.nrAnyCountry}</Fact>
              <Fact term={t.nrSpeaksLegend}>{names(needs.languages, (l) => languageName(l, language), t)}</Fact>
            </>
          )}
        </Section>
        {result ? (
          <Section title={t['nr.step.matches']} change={t.nrChangeService} step="matches">
            <Fact term={t.nrServiceLabel}>
              <ServiceName result={result} language={language} />
            </Fact>
            <Fact term={t.nrOrganisationLabel}>{organisationOf(result, language)}</Fact>
          </Section>
        ) : (
          <Section title={t.nrOrganisationLabel} change={undefined} step="matches">
            <Fact term={t.nrOrganisationLabel}>{inquiry ? `${inquiry.organisation.name}, ${countryName(inquiry.organisation.country, language)}` : ''}</Fact>
          </Section>
        )}
        <Section title={t['nr.step.consent']} change={t.nrChangeConsent} step="consent">
          <Fact term={t.nrCategoriesLegend}>{names(consent.categories, (c) => t[`nr.category.${c}` as keyof Messages], t)}</Fact>
          <Fact term={t.nrPurposesLegend}>{names(consent.purposes, (p) => t[`nr.purpose.${p}` as keyof Messages], t)}</Fact>
          <Fact term={t.nrMethodLegend}>{t[`nr.method.${consent.method}`]}</Fact>
          <Fact term={t.nrConsentLanguageLabel}>{languageName(consent.language, language)}</Fact>
          <Fact term={t.nrValidUntilLabel}>{formatDay(`${consent.validUntil}T12:00:00Z`, language)}</Fact>
          <Fact term={t.nrOnwardShort}>{consent.onward ? t.yes : t.no}</Fact>
          <Fact term={t.nrExplainedShort}>{t.yes}</Fact>
        </Section>
        <Section title={t['nr.step.details']} change={t.nrChangeDetails} step="details">
          {given.map((f) => (
            <Fact term={t[f.label]}>{valueOf(t, language, f, client[f.group]![f.key])}</Fact>
          ))}
          <Fact term={t.nrReasonLabel}>{details.reason}</Fact>
          <Fact term={t.nrReplyByLabel}>{details.replyBy ? formatDay(`${details.replyBy}T12:00:00Z`, language) : t.none}</Fact>
        </Section>
        {inquiry ? <p class="muted">{t.nrOfferHint}</p> : <p class="muted">{t.nrDraftHint}</p>}
        <div class="actions">
          <button type="submit">{t.nrSend}</button>
          {inquiry ? null : (
            <button type="submit" class="secondary" name="draft" value="yes">
              {t.nrSaveDraft}
            </button>
          )}
        </div>
      </StepForm>
    </StepFrame>
  );
}
