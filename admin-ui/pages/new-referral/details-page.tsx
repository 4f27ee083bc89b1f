// Step 4: the referral's details. Only the fields of the data categories her consent covers are
// offered; then the caseworker's note to the organisation and the day an answer is needed.
import type { MatchResult } from '../../../node/directory/matching.js';
import type { FormFields } from '../../router.js';
import { format, type Language, type Messages } from '../../i18n/catalogue.js';
import {
  byName, Carry, CLIENT_LEGAL_STATUSES, clientFieldId, countryCodes, countryName, DATA_CATEGORIES, DETAIL_FIELDS, FIELD_IDS, fieldsCovered, languageName,
  SPOKEN_LANGUAGES, today, tomorrow, categoryOfGroup, type ClientField, type ConsentAnswers, type DataCategory, type StepMistake,
} from './flow.js';
import { groupOf, markOf, StepFieldError, StepForm, StepFrame, STEP_ACTION, type StepProps } from './frame.js';
import { ChosenService } from './consent-page.js';

/** Attributes of a control: its mistake or its hint. */
type Marks = ReturnType<typeof markOf>;

function Select(props: { id: string; name: string; value: string; options: Array<{ code: string; name: string }>; t: Messages; marks: Marks }) {
  return (
    <select id={props.id} name={props.name} {...props.marks}>
      <option value="">{props.t.nrChoose}</option>
      {props.options.map((o) => (
        <option value={o.code} selected={props.value === o.code}>
          {o.name}
        </option>
      ))}
    </select>
  );
}

function ClientInput(props: { t: Messages; language: Language; field: ClientField; form: FormFields; now: Date; speaks: readonly string[]; errors: readonly StepMistake[] | undefined }) {
  const { t, language, field, form } = props;
  const id = clientFieldId(field);
  const label = t[field.label];
  const hintId = field.hint ? `${id}-hint` : undefined;
  const hint = field.hint ? <span class="muted" id={hintId}>{t[field.hint]}</span> : null;
  const value = form.all(field.name).join(field.kind === 'lines' ? '\n' : ', ');
  const marks = markOf(props.errors, id, hintId);
  const mistake = <StepFieldError errors={props.errors} id={id} />;
  if (field.kind === 'languages') {
    const chosen = new Set(form.has(field.name) || form.has('situation.summary') ? form.all(field.name) : props.speaks);
    const group = groupOf(props.errors, id);
    return (
      <fieldset {...group.fieldset}>
        <legend>{label}</legend>
        {mistake}
        <div class="choices nr-columns">
          {byName(SPOKEN_LANGUAGES, (l) => languageName(l, language), language).map((l) => (
            <label>
              <input type="checkbox" name={field.name} value={l.code} id={`${id}-${l.code}`} checked={chosen.has(l.code)} {...group.control} />
              {l.name}
            </label>
          ))}
        </div>
      </fieldset>
    );
  }
  let input;
  switch (field.kind) {
    case 'long-text':
    case 'lines':
      input = (
        <textarea id={id} name={field.name} maxlength={field.kind === 'lines' ? undefined : field.max} {...marks}>
          {value}
        </textarea>
      );
      break;
    case 'country':
      input = <Select id={id} name={field.name} value={value} t={t} options={byName(countryCodes(), (c) => countryName(c, language), language)} marks={marks} />;
      break;
    case 'language':
      input = <Select id={id} name={field.name} value={value} t={t} options={byName(SPOKEN_LANGUAGES, (l) => languageName(l, language), language)} marks={marks} />;
      break;
    case 'legal-status':
      input = <Select id={id} name={field.name} value={value} t={t} options={CLIENT_LEGAL_STATUSES.map((s) => ({ code: s, name: t[`nr.legal.${s}`] }))} marks={marks} />;
      break;
    case 'count':
      input = <input type="number" id={id} name={field.name} value={value} min="0" max={String(field.max)} inputmode="numeric" {...marks} />;
      break;
    case 'past-day':
      input = <input type="date" id={id} name={field.name} value={value} max={today(new Date(props.now.getTime() - 86_400_000))} {...marks} />;
      break;
    case 'email':
      input = <input type="email" id={id} name={field.name} value={value} maxlength={field.max} autocomplete="off" {...marks} />;
      break;
    default:
      input = <input type="text" id={id} name={field.name} value={value} maxlength={field.kind === 'ages' ? undefined : field.max} autocomplete="off" {...marks} />;
  }
  return (
    <p class="nr-field">
      <label for={id}>{label}</label>
      {input}
      {mistake}
      {hint}
    </p>
  );
}

export function DetailsPage(props: StepProps & { form: FormFields; result: MatchResult | undefined; consent: ConsentAnswers; dropped: readonly DataCategory[]; speaks: readonly string[]; now: Date }) {
  const { t, language } = props.page;
  const { form, consent } = props;
  const fields = fieldsCovered(consent.categories);
  return (
    <StepFrame page={props.page} step="details" errors={props.errors} inquiry={props.inquiry}>
      <ChosenService page={props.page} result={props.result} inquiry={props.inquiry} />
      {props.dropped.length > 0 ? (
        <p class="notice">{format(t.nrDropped, { categories: props.dropped.map((c) => t[`nr.category.${c}`]).join(', ') })}</p>
      ) : null}
      <p>{consent.categories.length > 0 ? t.nrDetailsIntro : t.nrNoCategories}</p>
      <StepForm page={props.page} action={STEP_ACTION.review}>
        <Carry form={form} except={DETAIL_FIELDS} />
        {DATA_CATEGORIES.filter((c) => consent.categories.includes(c)).map((category) => (
          <fieldset>
            <legend>{t[`nr.category.${category}`]}</legend>
            {fields
              .filter((f) => categoryOfGroup(f.group) === category)
              .map((f) => (
                <ClientInput t={t} language={language} field={f} form={form} now={props.now} speaks={props.speaks} errors={props.errors} />
              ))}
          </fieldset>
        ))}
        <p class="nr-field">
          <label for="reason">{t.nrReasonLabel}</label>
          <textarea id="reason" name="reason" maxlength={4000} {...markOf(props.errors, FIELD_IDS.reason, 'reason-hint')}>
            {form.text('reason')}
          </textarea>
          <StepFieldError errors={props.errors} id={FIELD_IDS.reason} />
          <span class="muted" id="reason-hint">{t.nrReasonHint}</span>
        </p>
        <p class="nr-field">
          <label for="reply_by">{t.nrReplyByLabel}</label>
          <input type="date" id="reply_by" name="reply_by" value={form.text('reply_by')} min={tomorrow(props.now)} {...markOf(props.errors, FIELD_IDS.reply_by)} />
          <StepFieldError errors={props.errors} id={FIELD_IDS.reply_by} />
        </p>
        <div class="actions">
          <button type="submit">{t.nrCheckReferral}</button>
          <button type="submit" class="secondary" formaction={STEP_ACTION.consent}>
            {t.backTo}
          </button>
        </div>
      </StepForm>
    </StepFrame>
  );
}
