// Step 1: what she needs (the taxonomy's categories, narrower kinds under the broader one), how
// urgent it is, and where and in which languages she would like the service. Started from a
// partner's service in the directory, it says which service is chosen (what it offers ticked), or
// that it cannot be chosen.
import type { MatchResult } from '../../../node/directory/matching.js';
import type { FormFields } from '../../router.js';
import { CategoryChoices } from '../category-choices.js';
import { byName, Carry, countryName, DATA_CATEGORIES, FIELD_IDS, languageName, NEEDS_FIELDS, SPOKEN_LANGUAGES, URGENCIES, type DataCategory } from './flow.js';
import { groupOf, markOf, StepFieldError, StepForm, StepFrame, STEP_ACTION, type StepProps } from './frame.js';
import { ChosenService } from './consent-page.js';

/**
 * The partner's service a link from the directory names: chosen (kept at the next step if it fits
 * the needs); known but not taking referrals now; or not in any current directory of a trusted
 * peer held here.
 */
export type DirectoryPick =
  | { state: 'chosen' | 'not-taking'; result: Pick<MatchResult, 'service' | 'organization'> }
  | { state: 'unknown' };

function Picked(props: StepProps & { picked: DirectoryPick }) {
  const { t } = props.page;
  const { picked } = props;
  if (picked.state === 'unknown') return <p class="notice">{t.nrChosenUnknown}</p>;
  return (
    <div class="notice">
      <ChosenService page={props.page} result={picked.result} />
      <p>{picked.state === 'chosen' ? t.nrChosenHint : t.nrChosenNotTaking}</p>
    </div>
  );
}

export function NeedsPage(props: StepProps & { form: FormFields; countries: readonly string[]; picked?: DirectoryPick | undefined }) {
  const { t, language } = props.page;
  const { form } = props;
  const chosen = new Set(form.all('need'));
  const speaks = new Set(form.all('speaks'));
  const country = form.text('country');
  const urgency = form.text('urgency') || 'routine';
  const covered = form.all('category').filter((c): c is DataCategory => DATA_CATEGORIES.includes(c as DataCategory));
  const [needs, urgencies, languages] = [groupOf(props.errors, FIELD_IDS.need), groupOf(props.errors, FIELD_IDS.urgency), groupOf(props.errors, FIELD_IDS.speaks)];
  return (
    <StepFrame page={props.page} step="needs" errors={props.errors}>
      {props.picked ? <Picked page={props.page} picked={props.picked} /> : null}
      <p>{t.nrNeedsIntro}</p>
      <StepForm page={props.page} action={STEP_ACTION.matches}>
        <Carry form={form} except={NEEDS_FIELDS} covered={covered} />
        <fieldset {...needs.fieldset}>
          <legend>{t.nrNeedsLegend}</legend>
          <StepFieldError errors={props.errors} id={FIELD_IDS.need} />
          <CategoryChoices language={language} name="need" idPrefix="need-" class="choices nr-needs" chosen={(code) => chosen.has(code)} invalid={needs.control} />
        </fieldset>
        <fieldset {...urgencies.fieldset}>
          <legend>{t.nrUrgencyLegend}</legend>
          <StepFieldError errors={props.errors} id={FIELD_IDS.urgency} />
          <div class="choices">
            {URGENCIES.map((u) => (
              <label>
                <input type="radio" name="urgency" value={u} id={`urgency-${u}`} checked={urgency === u} {...urgencies.control} />
                {t[`nr.urgency.${u}`]}
              </label>
            ))}
          </div>
        </fieldset>
        <p class="nr-field">
          <label for="country">{t.nrCountryLabel}</label>
          <select id="country" name="country" {...markOf(props.errors, FIELD_IDS.country)}>
            <option value="">{t.nrAnyCountry}</option>
            {byName(props.countries, (c) => countryName(c, language), language).map((c) => (
              <option value={c.code} selected={country === c.code}>
                {c.name}
              </option>
            ))}
          </select>
          <StepFieldError errors={props.errors} id={FIELD_IDS.country} />
        </p>
        <fieldset {...languages.fieldset}>
          <legend>{t.nrSpeaksLegend}</legend>
          <StepFieldError errors={props.errors} id={FIELD_IDS.speaks} />
          <p class="muted">{t.nrSpeaksHint}</p>
          <div class="choices nr-columns">
            {byName(SPOKEN_LANGUAGES, (l) => languageName(l, language), language).map((l) => (
              <label>
                <input type="checkbox" name="speaks" value={l.code} id={`speaks-${l.code}`} checked={speaks.has(l.code)} {...languages.control} />
                {l.name}
              </label>
            ))}
          </div>
        </fieldset>
        <div class="actions">
          <button type="submit">{t.nrFindServices}</button>
        </div>
      </StepForm>
    </StepFrame>
  );
}
