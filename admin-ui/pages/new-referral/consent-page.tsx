// Step 3: her consent, asked before any personal data is written down: which kinds of data she
// agrees to share with the chosen organisation, for what, how she gave it, until when, whether it
// may refer her on, and the caseworker's word that she explained it in a language she understands.
import type { MatchResult } from '../../../node/directory/matching.js';
import type { FormFields } from '../../router.js';
import { format } from '../../i18n/catalogue.js';
import { byName, Carry, CONSENT_FIELDS, DATA_CATEGORIES, defaultValidUntil, FIELD_IDS, languageName, METHODS, PURPOSES, SPOKEN_LANGUAGES, tomorrow, type DataCategory, type Needs } from './flow.js';
import { groupOf, markOf, StepFieldError, StepForm, StepFrame, STEP_ACTION, type StepProps } from './frame.js';
import { organisationOf, ServiceName } from './matches-page.js';
import { countryName } from './flow.js';

/** The service chosen, or after an inquiry the organisation that answered it. */
export function ChosenService(props: StepProps & { result: Pick<MatchResult, 'service' | 'organization'> | undefined }) {
  const { t, language } = props.page;
  if (!props.result) {
    const organisation = props.inquiry?.organisation;
    return (
      <p class="nr-chosen">
        {t.nrInquiryTo} <strong>{organisation?.name}</strong>{organisation ? ` (${countryName(organisation.country, language)})` : null}
      </p>
    );
  }
  return (
    <p class="nr-chosen">
      {t.nrChosenService} <strong><ServiceName result={props.result} language={language} /></strong> ({organisationOf(props.result, language)})
    </p>
  );
}

export function ConsentPage(props: StepProps & { form: FormFields; needs: Needs; result: MatchResult | undefined; now: Date }) {
  const { t, language } = props.page;
  const { form, result } = props;
  // Shown the first time (nothing of this step given yet): what most referrals need, nothing ticked for her.
  const fresh = !form.has('valid_until');
  const categories = new Set(form.all('category'));
  const purposes = new Set(fresh ? ['referral', 'service-provision'] : form.all('purpose'));
  const method = form.text('method');
  const consentLanguage = fresh ? (props.needs.languages[0] ?? '') : form.text('consent_language');
  const validUntil = fresh ? defaultValidUntil(props.now) : form.text('valid_until');
  const onward = form.text('onward') || 'no';
  const organisation = result?.organization.name ?? props.inquiry?.organisation.name ?? '';
  const covered = [...categories].filter((c): c is DataCategory => DATA_CATEGORIES.includes(c as DataCategory));
  const group = (id: string) => groupOf(props.errors, id);
  const [categoryGroup, purposeGroup, methodGroup, onwardGroup] = [group(FIELD_IDS.category), group(FIELD_IDS.purpose), group(FIELD_IDS.method), group(FIELD_IDS.onward)];
  const FieldError = (p: { id: string }) => <StepFieldError errors={props.errors} id={p.id} />;
  return (
    <StepFrame page={props.page} step="consent" errors={props.errors} inquiry={props.inquiry}>
      <ChosenService page={props.page} result={result} inquiry={props.inquiry} />
      <p>{format(t.nrConsentIntro, { organisation })}</p>
      <StepForm page={props.page} action={STEP_ACTION.details}>
        <Carry form={form} except={CONSENT_FIELDS} covered={covered} />
        <fieldset {...categoryGroup.fieldset}>
          <legend>{t.nrCategoriesLegend}</legend>
          <FieldError id={FIELD_IDS.category} />
          <div class="choices">
            {DATA_CATEGORIES.map((c) => (
              <label>
                <input type="checkbox" name="category" value={c} id={`category-${c}`} checked={categories.has(c)} {...categoryGroup.control} />
                <span>
                  {t[`nr.category.${c}`]} <span class="muted">({t[`nr.categoryHint.${c}`]})</span>
                </span>
              </label>
            ))}
          </div>
        </fieldset>
        <fieldset {...purposeGroup.fieldset}>
          <legend>{t.nrPurposesLegend}</legend>
          <FieldError id={FIELD_IDS.purpose} />
          <div class="choices">
            {PURPOSES.map((p) => (
              <label>
                <input type="checkbox" name="purpose" value={p} id={`purpose-${p}`} checked={purposes.has(p)} {...purposeGroup.control} />
                {t[`nr.purpose.${p}`]}
              </label>
            ))}
          </div>
        </fieldset>
        <fieldset {...methodGroup.fieldset}>
          <legend>{t.nrMethodLegend}</legend>
          <FieldError id={FIELD_IDS.method} />
          <div class="choices">
            {METHODS.map((m) => (
              <label>
                <input type="radio" name="method" value={m} id={`method-${m}`} checked={method === m} {...methodGroup.control} />
                {t[`nr.method.${m}`]}
              </label>
            ))}
          </div>
        </fieldset>
        <p class="nr-field">
          <label for="consent_language">{t.nrConsentLanguageLabel}</label>
          <select id="consent_language" name="consent_language" {...markOf(props.errors, FIELD_IDS.consent_language)}>
            <option value="">{t.nrChoose}</option>
            {byName(SPOKEN_LANGUAGES, (l) => languageName(l, language), language).map((l) => (
              <option value={l.code} selected={consentLanguage === l.code}>
                {l.name}
              </option>
            ))}
          </select>
          <FieldError id={FIELD_IDS.consent_language} />
        </p>
        <p class="nr-field">
          <label for="valid_until">{t.nrValidUntilLabel}</label>
          <input type="date" id="valid_until" name="valid_until" value={validUntil} min={tomorrow(props.now)} {...markOf(props.errors, FIELD_IDS.valid_until, 'valid_until-hint')} />
          <FieldError id={FIELD_IDS.valid_until} />
          <span class="muted" id="valid_until-hint">{t.nrValidUntilHint}</span>
        </p>
        <fieldset {...onwardGroup.fieldset}>
          <legend>{format(t.nrOnwardLegend, { organisation })}</legend>
          <FieldError id={FIELD_IDS.onward} />
          <div class="choices">
            <label>
              <input type="radio" name="onward" value="no" id="onward-no" checked={onward !== 'yes'} {...onwardGroup.control} />
              {t.no}
            </label>
            <label>
              <input type="radio" name="onward" value="yes" id="onward-yes" checked={onward === 'yes'} {...onwardGroup.control} />
              {t.yes}
            </label>
          </div>
        </fieldset>
        <p class="nr-confirm">
          <input type="checkbox" name="explained" value="yes" id="explained" checked={form.text('explained') === 'yes'} {...markOf(props.errors, FIELD_IDS.explained)} />
          <label for="explained">{t.nrExplainedLabel}</label>
          <FieldError id={FIELD_IDS.explained} />
        </p>
        <div class="actions">
          <button type="submit">{t.nrContinueToDetails}</button>
          {props.inquiry ? null : (
            <button type="submit" class="secondary" formaction={STEP_ACTION.matches}>
              {t.backTo}
            </button>
          )}
        </div>
      </StepForm>
      {props.inquiry ? (
        <p>
          <a href={`/ui/referrals/${props.inquiry.id}`}>{t.nrBackToInquiry}</a>
        </p>
      ) : null}
    </StepFrame>
  );
}
