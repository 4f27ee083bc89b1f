// Step 1: what she needs (the taxonomy's categories, narrower kinds under the broader one), how
// urgent it is, and where and in which languages she would like the service.
import { taxonomy } from '../../../node/directory/taxonomy.js';
import type { FormFields } from '../../router.js';
import { byName, Carry, countryName, DATA_CATEGORIES, languageName, NEEDS_FIELDS, SPOKEN_LANGUAGES, URGENCIES, type DataCategory } from './flow.js';
import { StepForm, StepFrame, STEP_ACTION, type StepProps } from './frame.js';

export function NeedsPage(props: StepProps & { form: FormFields; countries: readonly string[] }) {
  const { t, language } = props.page;
  const { form } = props;
  const categories = taxonomy().categories;
  const chosen = new Set(form.all('need'));
  const speaks = new Set(form.all('speaks'));
  const country = form.text('country');
  const urgency = form.text('urgency') || 'routine';
  const covered = form.all('category').filter((c): c is DataCategory => DATA_CATEGORIES.includes(c as DataCategory));
  const need = (code: string) => (
    <label>
      <input type="checkbox" name="need" value={code} id={`need-${code}`} checked={chosen.has(code)} />
      {categories.find((c) => c.code === code)!.labels[language]}
    </label>
  );
  return (
    <StepFrame page={props.page} step="needs" errors={props.errors}>
      <p>{t.nrNeedsIntro}</p>
      <StepForm page={props.page} action={STEP_ACTION.matches}>
        <Carry form={form} except={NEEDS_FIELDS} covered={covered} />
        <fieldset>
          <legend>{t.nrNeedsLegend}</legend>
          <ul class="choices nr-needs">
            {categories
              .filter((c) => !c.parent)
              .map((top) => {
                const narrower = categories.filter((c) => c.parent === top.code);
                return (
                  <li>
                    {need(top.code)}
                    {narrower.length > 0 ? (
                      <ul>
                        {narrower.map((c) => (
                          <li>{need(c.code)}</li>
                        ))}
                      </ul>
                    ) : null}
                  </li>
                );
              })}
          </ul>
        </fieldset>
        <fieldset>
          <legend>{t.nrUrgencyLegend}</legend>
          <div class="choices">
            {URGENCIES.map((u) => (
              <label>
                <input type="radio" name="urgency" value={u} id={`urgency-${u}`} checked={urgency === u} />
                {t[`nr.urgency.${u}`]}
              </label>
            ))}
          </div>
        </fieldset>
        <p class="nr-field">
          <label for="country">{t.nrCountryLabel}</label>
          <select id="country" name="country">
            <option value="">{t.nrAnyCountry}</option>
            {byName(props.countries, (c) => countryName(c, language), language).map((c) => (
              <option value={c.code} selected={country === c.code}>
                {c.name}
              </option>
            ))}
          </select>
        </p>
        <fieldset>
          <legend>{t.nrSpeaksLegend}</legend>
          <p class="muted">{t.nrSpeaksHint}</p>
          <div class="choices nr-columns">
            {byName(SPOKEN_LANGUAGES, (l) => languageName(l, language), language).map((l) => (
              <label>
                <input type="checkbox" name="speaks" value={l.code} id={`speaks-${l.code}`} checked={speaks.has(l.code)} />
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
