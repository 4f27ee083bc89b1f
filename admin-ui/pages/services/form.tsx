// The form that describes a service, new or again: every field of the directory's service (names
// and descriptions in the network's languages, categories of the shared taxonomy grouped under
// their broader kind, languages, how it is given, where it is and whom else it takes, who it is
// for, places), shown again as entered with what was wrong said above it and at each field.
import type { Child } from 'hono/jsx';
import { format, type Messages } from '../../i18n/catalogue.js';
import { ErrorNote } from '../../router.js';
import { CategoryChoices, categoryGroups } from '../category-choices.js';
import { Layout, type PageContext } from '../layout.js';
import { MAX_AREAS, type FieldName, type FieldProblem, type ServiceDraft } from './service-input.js';
import { COMMON_LANGUAGES, countryName, COUNTRIES, Csrf, LEGAL_STATUSES, languageName, legalStatusName, MODES, modeName } from './parts.js';

/** Empty rows offered for further areas served, beyond those already entered. */
const SPARE_AREAS = 2;

export interface ServiceFormProps {
  page: PageContext;
  draft: ServiceDraft;
  /** The service's id when describing it again; absent for a new one. */
  serviceId?: string | undefined;
  problems?: FieldProblem[] | undefined;
  /** A refusal by the node itself (limits of the directory), said as a sentence. */
  error?: { sentence: string; detail?: string } | undefined;
}

/** Where the cursor goes to fix a field: its first control. */
function anchorOf(field: FieldName, primary: string): string {
  const anchors: Partial<Record<FieldName, string>> = {
    name: `svc-name-${primary}`, description: `svc-description-${primary}`, eligibilityText: `svc-eligibility-text-${primary}`,
    categories: `svc-cat-${categoryGroups()[0]?.code ?? ''}`, languages: 'svc-other-languages', modes: 'svc-mode-in-person',
    areas: 'svc-area-0-country', womenOnly: 'svc-women-only', legalStatuses: 'svc-legal-eu-citizen', children: 'svc-children-yes',
    status: 'svc-status-active', accepting: 'svc-accepting',
  };
  return anchors[field] ?? `svc-${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function Problems(props: { t: Messages; problems: FieldProblem[]; primary: string }) {
  if (props.problems.length === 0) return null;
  return (
    <div class="error-box" role="alert">
      <p class="error">{props.t.svcFormHasProblems}</p>
      <ul>
        {props.problems.map((p) => (
          <li>
            <a href={`#${anchorOf(p.field, props.primary)}`}>{p.sentence}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** One text in each language: the reader's and English shown, the others folded (open when one is written). */
function TextsField(props: {
  page: PageContext;
  field: 'name' | 'description' | 'eligibility_text';
  legend: string;
  hint: string;
  values: Record<string, string>;
  languages: string[];
  multiline?: boolean;
  invalid: boolean;
}) {
  const { language, t } = props.page;
  const shownFirst = [...new Set([language, 'en'])];
  const folded = props.languages.filter((l) => !shownFirst.includes(l));
  const control = (l: string) => {
    const id = `svc-${props.field.replace('_', '-')}-${l}`;
    const common = { id, name: `${props.field}_${l}`, lang: l, 'aria-invalid': props.invalid ? 'true' : undefined, 'aria-describedby': `svc-${props.field}-hint` } as const;
    return (
      <p class="svc-field">
        <label for={id}>{languageName(l, language)}</label>
        {props.multiline ? <textarea {...common} maxlength={4000}>{props.values[l] ?? ''}</textarea> : <input {...common} type="text" maxlength={4000} value={props.values[l] ?? ''} />}
      </p>
    );
  };
  return (
    <fieldset>
      <legend>{props.legend}</legend>
      <p class="muted" id={`svc-${props.field}-hint`}>
        {props.hint}
      </p>
      {shownFirst.map(control)}
      {folded.length > 0 ? (
        <details open={folded.some((l) => props.values[l]) || undefined}>
          <summary>{t.svcOtherLanguagesTexts}</summary>
          {folded.map(control)}
        </details>
      ) : null}
    </fieldset>
  );
}

function Checkbox(props: { id: string; name: string; value: string; checked: boolean; label: Child; lang?: string | undefined }) {
  return (
    <label for={props.id}>
      <input type="checkbox" id={props.id} name={props.name} value={props.value} checked={props.checked} />
      <span lang={props.lang}>{props.label}</span>
    </label>
  );
}

function CountrySelect(props: { page: PageContext; id: string; name: string; value: string; empty: string; invalid?: boolean }) {
  const { language } = props.page;
  const codes = COUNTRIES.includes(props.value) || !props.value ? COUNTRIES : [...COUNTRIES, props.value];
  const sorted = [...codes].sort((a, b) => countryName(a, language).localeCompare(countryName(b, language), language));
  return (
    <select id={props.id} name={props.name} aria-invalid={props.invalid ? 'true' : undefined}>
      <option value="" selected={props.value === ''}>
        {props.empty}
      </option>
      {sorted.map((code) => (
        <option value={code} selected={code === props.value}>
          {countryName(code, language)}
        </option>
      ))}
    </select>
  );
}

function TextInput(props: { id: string; name: string; label: string; value: string; invalid: boolean; type?: string; hint?: string; inputmode?: 'numeric' | 'url' | 'email' | 'tel'; min?: number; max?: number; autocomplete?: string }) {
  return (
    <p class="svc-field">
      <label for={props.id}>{props.label}</label>
      {props.hint ? (
        <span class="muted" id={`${props.id}-hint`}>
          {props.hint}
        </span>
      ) : null}
      <input
        id={props.id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        inputmode={props.inputmode}
        min={props.min}
        max={props.max}
        autocomplete={props.autocomplete ?? 'off'}
        aria-invalid={props.invalid ? 'true' : undefined}
        aria-describedby={props.hint ? `${props.id}-hint` : undefined}
      />
    </p>
  );
}

export function ServiceFormPage(props: ServiceFormProps) {
  const { t, language, session } = props.page;
  const { draft } = props;
  const problems = props.problems ?? [];
  const invalid = (field: FieldName) => problems.some((p) => p.field === field);
  const creating = !props.serviceId;
  const extraTextLanguages = draft.textLanguages.filter((l) => !['en', 'de', 'el', 'it', 'ro', 'bg'].includes(l));
  const serviceLanguages = [...new Set([...draft.languages, ...COMMON_LANGUAGES])];
  const areaRows = Math.min(MAX_AREAS, draft.areas.length + SPARE_AREAS);
  const number = { type: 'number', inputmode: 'numeric', min: 0 } as const;
  return (
    <Layout page={props.page} title={creating ? t.svcNewTitle : t.svcEditTitle} nav="/ui/services">
      <p>{t.svcFormIntro}</p>
      <Problems t={t} problems={problems} primary={language} />
      <ErrorNote t={t} error={props.error} />
      <form method="post" action={creating ? '/ui/services' : `/ui/services/${props.serviceId}`} class="svc-form">
        <Csrf token={session!.csrf} />
        {extraTextLanguages.map((l) => (
          <input type="hidden" name="text_language" value={l} />
        ))}
        <h2>{t.svcSectionWhat}</h2>
        <TextsField page={props.page} field="name" legend={t.svcFieldName} hint={t.svcNameHint} values={draft.name} languages={draft.textLanguages} invalid={invalid('name')} />
        <TextsField page={props.page} field="description" legend={t.svcFieldDescription} hint={t.svcDescriptionHint} values={draft.description} languages={draft.textLanguages} multiline invalid={invalid('description')} />
        <fieldset>
          <legend>{t.svcFieldCategories}</legend>
          <p class="muted">{t.svcCategoriesHint}</p>
          <CategoryChoices language={language} name="categories" idPrefix="svc-cat-" class="svc-categories" chosen={(code) => draft.categories.includes(code)} />
        </fieldset>
        <fieldset>
          <legend>{t.svcFieldLanguages}</legend>
          <div class="choices svc-columns">
            {serviceLanguages.map((code) => (
              <Checkbox id={`svc-lang-${code}`} name="languages" value={code} checked={draft.languages.includes(code)} label={languageName(code, language)} />
            ))}
          </div>
          <TextInput id="svc-other-languages" name="other_languages" label={t.svcOtherLanguages} hint={t.svcOtherLanguagesHint} value={draft.otherLanguages} invalid={invalid('languages')} />
        </fieldset>
        <fieldset>
          <legend>{t.svcFieldModes}</legend>
          <div class="choices">
            {MODES.map((mode) => (
              <Checkbox id={`svc-mode-${mode}`} name="modes" value={mode} checked={draft.modes.includes(mode)} label={modeName(t, mode)} />
            ))}
          </div>
        </fieldset>

        <h2>{t.svcSectionWhere}</h2>
        <fieldset>
          <legend>{t.svcFieldPlace}</legend>
          <p class="muted">{t.svcPlaceHint}</p>
          <p class="svc-field">
            <label for="svc-country">{t.svcFieldCountry}</label>
            <CountrySelect page={props.page} id="svc-country" name="country" value={draft.country} empty={t.svcChooseCountry} invalid={invalid('country')} />
          </p>
          <TextInput id="svc-region" name="region" label={t.svcFieldRegion} value={draft.region} invalid={invalid('region')} />
          <TextInput id="svc-city" name="city" label={t.svcFieldCity} value={draft.city} invalid={invalid('city')} />
        </fieldset>
        <fieldset>
          <legend>{t.svcFieldAreas}</legend>
          <p class="muted">{t.svcAreasHint}</p>
          {Array.from({ length: areaRows }, (_, i) => {
            const area = draft.areas[i] ?? { country: '', region: '' };
            return (
              <div class="svc-area">
                <p class="svc-field">
                  <label for={`svc-area-${i}-country`}>{format(t.svcAreaCountry, { number: i + 1 })}</label>
                  <CountrySelect page={props.page} id={`svc-area-${i}-country`} name={`area_${i}_country`} value={area.country} empty={t.svcNoArea} />
                </p>
                <TextInput id={`svc-area-${i}-region`} name={`area_${i}_region`} label={format(t.svcAreaRegion, { number: i + 1 })} value={area.region} invalid={false} />
              </div>
            );
          })}
        </fieldset>

        <h2>{t.svcSectionWho}</h2>
        <fieldset>
          <legend>{t.svcFieldEligibility}</legend>
          <p class="muted">{t.svcEligibilityHint}</p>
          <div class="choices">
            <Checkbox id="svc-women-only" name="women_only" value="yes" checked={draft.womenOnly} label={t.svcFieldWomenOnly} />
          </div>
          <TextInput id="svc-minimum-age" name="minimum_age" label={t.svcFieldMinimumAge} value={draft.minimumAge} invalid={invalid('minimumAge')} {...number} max={120} />
          <TextInput id="svc-maximum-age" name="maximum_age" label={t.svcFieldMaximumAge} value={draft.maximumAge} invalid={invalid('maximumAge')} {...number} max={120} />
          <fieldset>
            <legend>{t.svcFieldLegalStatuses}</legend>
            <p class="muted">{t.svcLegalStatusesHint}</p>
            <div class="choices">
              {LEGAL_STATUSES.map((status) => (
                <Checkbox id={`svc-legal-${status}`} name="legal_statuses" value={status} checked={draft.legalStatuses.includes(status)} label={legalStatusName(t, status)} />
              ))}
            </div>
          </fieldset>
          <fieldset>
            <legend>{t.svcFieldChildren}</legend>
            <div class="choices">
              {(
                [
                  ['yes', t.yes],
                  ['no', t.no],
                  ['', t.svcNotSaid],
                ] as const
              ).map(([value, label]) => (
                <label for={`svc-children-${value || 'unsaid'}`}>
                  <input type="radio" id={`svc-children-${value || 'unsaid'}`} name="children" value={value} checked={draft.children === value} />
                  {label}
                </label>
              ))}
            </div>
          </fieldset>
        </fieldset>
        <TextsField page={props.page} field="eligibility_text" legend={t.svcFieldEligibilityText} hint={t.svcEligibilityTextHint} values={draft.eligibilityText} languages={draft.textLanguages} multiline invalid={invalid('eligibilityText')} />

        <h2>{t.svcSectionPlaces}</h2>
        <fieldset>
          <legend>{t.svcFieldCapacity}</legend>
          <p class="muted">{t.svcCapacityHint}</p>
          <TextInput id="svc-available" name="available" label={t.svcFieldAvailable} value={draft.available} invalid={invalid('available')} {...number} max={100000} />
          <TextInput id="svc-maximum" name="maximum" label={t.svcFieldMaximum} value={draft.maximum} invalid={invalid('maximum')} {...number} max={100000} />
        </fieldset>
        <fieldset>
          <legend>{t.svcFieldContact}</legend>
          <p class="muted">{t.svcContactHint}</p>
          <TextInput id="svc-email" name="email" type="email" label={t.svcFieldEmail} value={draft.email} invalid={invalid('email')} autocomplete="email" />
          <TextInput id="svc-phone" name="phone" type="tel" label={t.svcFieldPhone} value={draft.phone} invalid={invalid('phone')} autocomplete="tel" />
          <TextInput id="svc-url" name="url" type="url" label={t.svcFieldUrl} value={draft.url} invalid={invalid('url')} inputmode="url" autocomplete="url" />
        </fieldset>
        {creating ? (
          <fieldset>
            <legend>{t.svcFieldStatus}</legend>
            <div class="choices">
              <label for="svc-status-active">
                <input type="radio" id="svc-status-active" name="status" value="active" checked={draft.status === 'active'} />
                {t.svcStatusPublishNow}
              </label>
              <label for="svc-status-paused">
                <input type="radio" id="svc-status-paused" name="status" value="paused" checked={draft.status === 'paused'} />
                {t.svcStatusKeepPaused}
              </label>
              <Checkbox id="svc-accepting" name="accepting" value="yes" checked={draft.accepting} label={t.svcFieldAccepting} />
            </div>
          </fieldset>
        ) : (
          <p class="muted">{t.svcStateElsewhere}</p>
        )}
        <p class="actions">
          <button type="submit">{creating ? t.svcCreate : t.svcSaveChanges}</button>
          <a href={creating ? '/ui/services' : `/ui/services/${props.serviceId}`}>{t.cancel}</a>
        </p>
      </form>
    </Layout>
  );
}
