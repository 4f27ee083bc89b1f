// Step 2: the services that fit, across this organisation's own and its trusted peers'
// directories, best first, each with why it fits and what does not, and its free places. Only a
// service a referral can be sent to now can be chosen; the others are listed below, with why not.
import type { MatchResponse, MatchResult } from '../../../node/directory/matching.js';
import type { FormFields } from '../../router.js';
import { format, formatNumber, type Language, type Messages } from '../../i18n/catalogue.js';
import { categoryLabel, Carry, CHOICE_FIELDS, choiceValueOf, countryName, DATA_CATEGORIES, directoryText, FIELD_IDS, type DataCategory, type Needs } from './flow.js';
import { groupOf, StepFieldError, StepForm, StepFrame, STEP_ACTION, type StepProps } from './frame.js';
import { Reasons } from './reasons.js';

export const choiceValue = (result: Pick<MatchResult, 'organization' | 'service'>) => choiceValueOf({ to: result.organization.node_id, serviceId: result.service.id });

/** A service's name in the user's language (or the language it is written in). */
export function ServiceName(props: { result: Pick<MatchResult, 'service'>; language: Language }) {
  const name = directoryText(props.result.service.name, props.language);
  return <span lang={name.lang}>{name.text}</span>;
}

export const organisationOf = (result: Pick<MatchResult, 'organization'>, language: Language) => `${result.organization.name}, ${countryName(result.organization.country, language)}`;

function Places(props: { t: Messages; language: Language; result: MatchResult }) {
  const { t, language, result } = props;
  const capacity = result.service.capacity;
  return (
    <p class="nr-places">
      {result.service.accepting_referrals ? t.nrAccepting : t.nrMisfitNotAccepting}
      {capacity?.available !== undefined
        ? ` · ${capacity.maximum !== undefined
          ? format(t.nrPlacesOf, { available: formatNumber(capacity.available, language), maximum: formatNumber(capacity.maximum, language) })
          : format(t.nrPlaces, { available: formatNumber(capacity.available, language) })}`
        : null}
    </p>
  );
}

function Match(props: { t: Messages; language: Language; result: MatchResult }) {
  const { t, language, result } = props;
  const description = directoryText(result.service.description, language);
  return (
    <>
      <p class="muted">{organisationOf(result, language)}</p>
      <p lang={description.lang}>{description.text}</p>
      <Places t={t} language={language} result={result} />
      <Reasons t={t} language={language} reasons={result.reasons} title={t.nrWhyFits} />
      <Reasons t={t} language={language} reasons={result.misfits} title={t.nrWhatNotFits} class="nr-misfits" />
    </>
  );
}

export function MatchesPage(props: StepProps & { form: FormFields; needs: Needs; found: MatchResponse }) {
  const { t, language } = props.page;
  const { form, found } = props;
  const referable = found.results.filter((r) => r.referable);
  const others = found.results.filter((r) => !r.referable);
  const chosen = form.text('choice');
  const covered = form.all('category').filter((c): c is DataCategory => DATA_CATEGORIES.includes(c as DataCategory));
  const choice = groupOf(props.errors, FIELD_IDS.choice);
  // A service chosen before (in the directory, or at this step before the needs changed) that cannot be chosen among these.
  const chosenMissing = chosen !== '' && !props.errors?.length && !referable.some((r) => choiceValue(r) === chosen);
  return (
    <StepFrame page={props.page} step="matches" errors={props.errors}>
      <p>
        {t.nrNeedsLegend}: {props.needs.needs.map((n) => categoryLabel(n, language)).join(', ')}
      </p>
      <p class="muted">{format(t.nrSearched, { services: formatNumber(found.searched.services, language), peers: formatNumber(found.searched.peers, language) })}</p>
      {chosenMissing ? <p class="notice">{t.nrChosenNotMatched}</p> : null}
      <StepForm page={props.page} action={STEP_ACTION.consent}>
        <Carry form={form} except={CHOICE_FIELDS} covered={covered} />
        {referable.length > 0 ? (
          <fieldset {...choice.fieldset}>
            <legend>{t.nrChooseLegend}</legend>
            <StepFieldError errors={props.errors} id={FIELD_IDS.choice} />
            <p>{t.nrMatchesIntro}</p>
            {referable.map((result, i) => (
              <div class="nr-match">
                <p class="nr-match-choice">
                  <input type="radio" name="choice" id={`choice-${i}`} value={choiceValue(result)} checked={chosen === choiceValue(result)} {...choice.control} />
                  <label for={`choice-${i}`}>
                    <ServiceName result={result} language={language} />
                  </label>
                </p>
                <Match t={t} language={language} result={result} />
              </div>
            ))}
          </fieldset>
        ) : (
          <p class="notice">{t.nrNoMatches}</p>
        )}
        <div class="actions">
          {referable.length > 0 ? <button type="submit">{t.nrContinueWithService}</button> : null}
          <button type="submit" class="secondary" formaction={STEP_ACTION.needs}>
            {t.nrChangeNeeds}
          </button>
        </div>
      </StepForm>
      {others.length > 0 ? (
        <section>
          <h3>{t.nrNotReferableTitle}</h3>
          {others.map((result) => (
            <div class="nr-match">
              <p class="nr-match-choice">
                <strong>
                  <ServiceName result={result} language={language} />
                </strong>
              </p>
              {result.organization.own ? <p>{t.nrOwnService}</p> : null}
              <Match t={t} language={language} result={result} />
            </div>
          ))}
        </section>
      ) : null}
    </StepFrame>
  );
}
