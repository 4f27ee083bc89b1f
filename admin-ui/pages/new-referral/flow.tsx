// What the new-referral flow carries from step to step, and the checks every step makes again.
// Nothing is kept on the server between steps: each step's answers travel in hidden fields of the
// next POST form (the caseworker's own browser; never an address, which ends up in logs and
// history), so every POST reads them again as untrusted input and checks them all. Personal data
// is stored only when the referral is sent or saved as a draft, by the referral service
// (encrypted).
import type { components as Fed } from '../../../spec/generated/federation.js';
import type { CreateReferralRequest, OfferContent } from '../../../node/referrals/service.js';
import type { MatchQuery } from '../../../node/directory/matching.js';
import { taxonomy } from '../../../node/directory/taxonomy.js';
import { CONSENT_LANGUAGES, isConsentLanguage, type ConsentLanguage } from '../../../node/consents/languages.js';
import type { FormFields } from '../../router.js';
import { format, type Language, type Messages } from '../../i18n/catalogue.js';

export type ClientData = Fed['schemas']['ClientData'];
export type DataCategory = Fed['schemas']['DataCategory'];
export type Urgency = Fed['schemas']['Urgency'];
type TaxonomyCode = Fed['schemas']['TaxonomyCode'];
type InlineConsent = NonNullable<CreateReferralRequest['consent']>;
export type Purpose = InlineConsent['purposes'][number];
export type ConsentMethod = InlineConsent['method'];
type Group = keyof ClientData;
type ClientLegalStatus = NonNullable<ClientData['legal_status']>['status'];

export const URGENCIES: readonly Urgency[] = ['routine', 'urgent', 'emergency'];
export const DATA_CATEGORIES: readonly DataCategory[] = ['identity', 'contact', 'situation', 'legal-status', 'health', 'children', 'documents'];
export const PURPOSES: readonly Purpose[] = ['referral', 'service-provision', 'follow-up'];
export const METHODS: readonly ConsentMethod[] = ['written', 'verbal', 'verbal-with-interpreter'];
export const CLIENT_LEGAL_STATUSES: readonly ClientLegalStatus[] = ['asylum-seeker', 'refugee', 'subsidiary-protection', 'residence-permit', 'eu-citizen', 'undocumented', 'other'];

/**
 * Languages women referred in the network often speak, offered by name (BCP 47 codes underneath):
 * the network's fixed list, the one a consent's language must come from (node/consents/languages.ts).
 */
export const SPOKEN_LANGUAGES: readonly string[] = CONSENT_LANGUAGES;

/** Region codes that are not a country today (historic, reserved, or groupings). */
const NOT_COUNTRIES = new Set(['AC', 'AN', 'AQ', 'BU', 'BV', 'CP', 'CQ', 'CS', 'DD', 'DG', 'DY', 'EA', 'EU', 'EZ', 'FX', 'HM', 'HV', 'IC', 'NH', 'QO', 'RH', 'SU', 'TA', 'TP', 'UK', 'UN', 'VD', 'XA', 'XB', 'YD', 'YU', 'ZR', 'ZZ']);
let countries: string[] | undefined;
/** Every country's ISO 3166 code (from the locale data the runtime has). */
export function countryCodes(): readonly string[] {
  if (!countries) {
    const names = new Intl.DisplayNames('en', { type: 'region', fallback: 'none' });
    countries = [];
    for (let a = 65; a < 91; a++) {
      for (let b = 65; b < 91; b++) {
        const code = String.fromCharCode(a, b);
        if (!NOT_COUNTRIES.has(code) && names.of(code)) countries.push(code);
      }
    }
  }
  return countries;
}

export { categoryLabel, countryName, directoryText, languageName } from '../../i18n/names.js';

/** Names in the user's language, sorted as the language sorts them. */
export function byName(codes: readonly string[], name: (code: string) => string, language: Language): Array<{ code: string; name: string }> {
  return codes.map((code) => ({ code, name: name(code) })).sort((x, y) => x.name.localeCompare(y.name, language));
}


// --- The answers of each step -------------------------------------------------------------

export interface Needs {
  needs: TaxonomyCode[];
  urgency: Urgency;
  country: string | undefined;
  languages: string[];
}

export interface Choice {
  to: string;
  serviceId: string;
}

export interface ConsentAnswers {
  categories: DataCategory[];
  purposes: Purpose[];
  method: ConsentMethod;
  language: ConsentLanguage;
  /** The last day it is in force (YYYY-MM-DD). */
  validUntil: string;
  onward: boolean;
}

export interface Details {
  reason: string;
  /** The day the answer is needed by (YYYY-MM-DD), if given. */
  replyBy: string | undefined;
  client: ClientData;
}

/**
 * What is wrong with a step's answers: the sentence, and the id of the control (or group of
 * controls) it is about, where the page marks it and the list at the top links to it; none when it
 * is about the form as a whole (a field the form does not have).
 */
export interface StepMistake {
  field?: string | undefined;
  sentence: string;
}

/** A step's answers, or what is wrong with them. */
export type Checked<T> = { ok: true; value: T } | { ok: false; errors: StepMistake[] };
const ok = <T,>(value: T): Checked<T> => ({ ok: true, value });

/** The mistakes of a step as they are found, each at most once. */
class Mistakes {
  readonly list: StepMistake[] = [];
  at(field: string | undefined, sentence: string): void {
    if (!this.list.some((m) => m.field === field && m.sentence === sentence)) this.list.push({ field, sentence });
  }
}

/**
 * The ids of the controls and groups the steps check, by the form field's name: where a mistake
 * is marked. A group of checkboxes or radio buttons is its fieldset.
 */
export const FIELD_IDS = {
  need: 'nr-need', urgency: 'nr-urgency', country: 'country', speaks: 'nr-speaks', choice: 'nr-choice',
  category: 'nr-category', purpose: 'nr-purpose', method: 'nr-method', consent_language: 'consent_language', valid_until: 'valid_until',
  onward: 'nr-onward', explained: 'explained', reason: 'reason', reply_by: 'reply_by',
} as const;

/** The fields of each step, by name: what a step's form shows, and what the others carry hidden. */
export const NEEDS_FIELDS = ['need', 'urgency', 'country', 'speaks'] as const;
export const CHOICE_FIELDS = ['choice'] as const;
export const CONSENT_FIELDS = ['category', 'purpose', 'method', 'consent_language', 'valid_until', 'onward', 'explained'] as const;
export const DETAIL_FIELDS = ['reason', 'reply_by'] as const;

const isoDay = (date: Date) => date.toISOString().slice(0, 10);
const addDays = (day: string, days: number) => isoDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000));
/** A real calendar day written YYYY-MM-DD. */
const isDay = (value: string) => /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && isoDay(new Date(`${value}T00:00:00Z`)) === value;
export const today = (now: Date) => isoDay(now);
export const tomorrow = (now: Date) => addDays(isoDay(now), 1);
/** How long a consent is in force unless the caseworker says otherwise: long enough for a referral to run its course. */
export const defaultValidUntil = (now: Date) => addDays(isoDay(now), 180);
/** The end of a day, as the API's date-time. */
export const endOfDay = (day: string) => `${day}T23:59:59.000Z`;

export function checkNeeds(form: FormFields, t: Messages, countriesOffered: readonly string[]): Checked<Needs> {
  const wrong = new Mistakes();
  const codes = new Set(taxonomy().categories.map((c) => c.code));
  const needs = [...new Set(form.all('need'))];
  if (needs.length === 0) wrong.at(FIELD_IDS.need, format(t.nrChooseOne, { field: t.nrNeedsLegend }));
  else if (needs.length > 10 || !needs.every((n) => codes.has(n as TaxonomyCode))) wrong.at(FIELD_IDS.need, format(t.nrNotInList, { field: t.nrNeedsLegend }));
  const urgency = form.text('urgency');
  if (!urgency) wrong.at(FIELD_IDS.urgency, format(t.nrChooseOne, { field: t.nrUrgencyLegend }));
  else if (!URGENCIES.includes(urgency as Urgency)) wrong.at(FIELD_IDS.urgency, format(t.nrNotInList, { field: t.nrUrgencyLegend }));
  const country = form.optional('country');
  if (country && !countriesOffered.includes(country)) wrong.at(FIELD_IDS.country, format(t.nrNotInList, { field: t.nrCountryLabel }));
  const languages = [...new Set(form.all('speaks'))];
  if (languages.length > 10 || !languages.every((l) => SPOKEN_LANGUAGES.includes(l))) wrong.at(FIELD_IDS.speaks, format(t.nrNotInList, { field: t.nrSpeaksLegend }));
  if (wrong.list.length) return { ok: false, errors: wrong.list };
  return ok({ needs: needs as TaxonomyCode[], urgency: urgency as Urgency, country, languages });
}

/** What the matcher is asked: the needs, and the country and languages when given. */
export const matchQueryOf = (needs: Needs, limit = 50): MatchQuery => ({
  needs: needs.needs,
  ...(needs.country ? { country: needs.country } : {}),
  ...(needs.languages.length ? { languages: needs.languages } : {}),
  limit,
});

/** The value of a choice among the matches (and of `?service=` in the address that starts the flow with one chosen). */
export const choiceValueOf = (choice: Choice): string => `${choice.to} ${choice.serviceId}`;

/** The address that starts a new referral with a partner's service chosen (from the directory's pages). */
export const referHref = (to: string, serviceId: string): string => `/ui/referrals/new?service=${encodeURIComponent(choiceValueOf({ to, serviceId }))}`;

export function checkChoiceField(form: FormFields, t: Messages): Checked<Choice> {
  const [to, serviceId, ...rest] = form.text('choice').split(' ');
  if (!to || !serviceId || rest.length) return { ok: false, errors: [{ field: FIELD_IDS.choice, sentence: t.nrChooseService }] };
  return ok({ to, serviceId });
}

export function checkConsent(form: FormFields, t: Messages, now: Date): Checked<ConsentAnswers> {
  const wrong = new Mistakes();
  const categories = [...new Set(form.all('category'))];
  if (!categories.every((c) => DATA_CATEGORIES.includes(c as DataCategory))) wrong.at(FIELD_IDS.category, format(t.nrNotInList, { field: t.nrCategoriesLegend }));
  const purposes = [...new Set(form.all('purpose'))];
  if (purposes.length === 0) wrong.at(FIELD_IDS.purpose, format(t.nrChooseOne, { field: t.nrPurposesLegend }));
  else if (!purposes.every((p) => PURPOSES.includes(p as Purpose))) wrong.at(FIELD_IDS.purpose, format(t.nrNotInList, { field: t.nrPurposesLegend }));
  // No referral without her agreement to be referred (the receiver refuses it too: consent-purpose-not-covered).
  else if (!purposes.includes('referral')) wrong.at(FIELD_IDS.purpose, t.nrPurposeReferralNeeded);
  const method = form.text('method');
  if (!method) wrong.at(FIELD_IDS.method, format(t.nrChooseOne, { field: t.nrMethodLegend }));
  else if (!METHODS.includes(method as ConsentMethod)) wrong.at(FIELD_IDS.method, format(t.nrNotInList, { field: t.nrMethodLegend }));
  const language = form.text('consent_language');
  if (!language) wrong.at(FIELD_IDS.consent_language, format(t.nrChooseOne, { field: t.nrConsentLanguageLabel }));
  else if (!isConsentLanguage(language)) wrong.at(FIELD_IDS.consent_language, format(t.nrNotInList, { field: t.nrConsentLanguageLabel }));
  const validUntil = form.text('valid_until');
  if (!validUntil) wrong.at(FIELD_IDS.valid_until, format(t.fieldRequired, { field: t.nrValidUntilLabel }));
  else if (!isDay(validUntil)) wrong.at(FIELD_IDS.valid_until, format(t.nrDateInvalid, { field: t.nrValidUntilLabel }));
  else if (validUntil <= today(now)) wrong.at(FIELD_IDS.valid_until, format(t.nrDateNotFuture, { field: t.nrValidUntilLabel }));
  const onward = form.text('onward') || 'no';
  if (onward !== 'yes' && onward !== 'no') wrong.at(FIELD_IDS.onward, format(t.nrNotInList, { field: t.nrOnwardShort }));
  if (form.text('explained') !== 'yes') wrong.at(FIELD_IDS.explained, t.nrExplainedMissing);
  if (wrong.list.length) return { ok: false, errors: wrong.list };
  return ok({ categories: categories as DataCategory[], purposes: purposes as Purpose[], method: method as ConsentMethod, language: language as ConsentLanguage, validUntil, onward: onward === 'yes' });
}

// --- The client data the consent covers ---------------------------------------------------

type FieldKind = 'text' | 'long-text' | 'email' | 'past-day' | 'country' | 'language' | 'languages' | 'legal-status' | 'count' | 'ages' | 'lines';

export interface ClientField {
  /** The form field's name, e.g. `identity.given_name`. */
  name: string;
  group: Group;
  key: string;
  label: keyof Messages;
  hint?: keyof Messages;
  kind: FieldKind;
  max: number;
  /** Needed when anything of its group is given. */
  required?: boolean;
}

/** The id of a client field's control (a group of checkboxes: its fieldset). */
export const clientFieldId = (f: Pick<ClientField, 'group' | 'key'>) => `f-${f.group}-${f.key}`;

const field = (group: Group, key: string, label: keyof Messages, kind: FieldKind, max: number, more: Partial<ClientField> = {}): ClientField => ({
  name: `${group}.${key}`, group, key, label, kind, max, ...more,
});

/** The client data a referral can carry (spec ClientData), in the order the form asks for it. */
export const CLIENT_FIELDS: readonly ClientField[] = [
  field('identity', 'given_name', 'nrGivenName', 'text', 200, { required: true }),
  field('identity', 'family_name', 'nrFamilyName', 'text', 200),
  field('identity', 'date_of_birth', 'nrDateOfBirth', 'past-day', 10),
  field('identity', 'nationality', 'nrNationality', 'country', 2),
  field('contact', 'phone', 'nrPhone', 'text', 50),
  field('contact', 'email', 'nrEmail', 'email', 320),
  field('contact', 'preferred_language', 'nrPreferredLanguage', 'language', 35),
  field('contact', 'safe_to_contact', 'nrSafeToContact', 'long-text', 1000),
  field('situation', 'summary', 'nrSummary', 'long-text', 8000, { required: true }),
  field('situation', 'languages_spoken', 'nrSpeaksLegend', 'languages', 20),
  field('situation', 'household_note', 'nrHousehold', 'long-text', 2000),
  field('legal_status', 'status', 'nrLegalStatus', 'legal-status', 40, { required: true }),
  field('legal_status', 'note', 'nrLegalNote', 'long-text', 2000),
  field('health', 'note', 'nrHealthNote', 'long-text', 4000, { required: true }),
  field('children', 'count', 'nrChildrenCount', 'count', 20, { required: true }),
  field('children', 'ages', 'nrChildrenAges', 'ages', 20, { hint: 'nrChildrenAgesHint' }),
  field('children', 'note', 'nrChildrenNote', 'long-text', 2000),
  field('documents', 'held', 'nrDocumentsHeld', 'lines', 50, { hint: 'nrOnePerLine' }),
  field('documents', 'missing', 'nrDocumentsMissing', 'lines', 50, { hint: 'nrOnePerLine' }),
];

export const GROUPS: readonly Group[] = ['identity', 'contact', 'situation', 'legal_status', 'health', 'children', 'documents'];
export const categoryOfGroup = (group: Group): DataCategory => (group === 'legal_status' ? 'legal-status' : group);
const groupOfName = (name: string): Group | undefined => GROUPS.find((g) => name.startsWith(`${g}.`));

/** The client fields the consent covers. */
export const fieldsCovered = (categories: readonly DataCategory[]) => CLIENT_FIELDS.filter((f) => categories.includes(categoryOfGroup(f.group)));

/** The data categories of client fields that have a value in the form but that the consent does not cover. */
export function uncoveredInForm(form: FormFields, categories: readonly DataCategory[]): DataCategory[] {
  const found = new Set<DataCategory>();
  for (const name of form.names()) {
    const group = groupOfName(name);
    if (group && !categories.includes(categoryOfGroup(group)) && form.all(name).length > 0) found.add(categoryOfGroup(group));
  }
  return [...found];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const lines = (text: string) => text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');

/**
 * The details: the reason, the day an answer is needed, and the client data, only of the
 * categories the consent covers. A value in a field the consent does not cover (or in a field the
 * form does not have) is refused, never dropped quietly: the caseworker must see that it was not
 * sent.
 */
export function checkDetails(form: FormFields, t: Messages, consent: ConsentAnswers, now: Date): Checked<Details> {
  const wrong = new Mistakes();
  const known = new Set(CLIENT_FIELDS.map((f) => f.name));
  for (const name of form.names()) {
    const group = groupOfName(name);
    if (!group || form.all(name).length === 0) continue;
    const spec = CLIENT_FIELDS.find((f) => f.name === name);
    if (!known.has(name) || !spec) wrong.at(undefined, t.nrUnknownField);
    else if (!consent.categories.includes(categoryOfGroup(group))) wrong.at(undefined, format(t.nrNotCovered, { field: t[spec.label] }));
  }
  const client: Record<string, Record<string, unknown>> = {};
  for (const spec of fieldsCovered(consent.categories)) {
    const label = t[spec.label];
    const text = form.text(spec.name);
    let value: unknown;
    switch (spec.kind) {
      case 'text':
      case 'long-text':
        if (text.length > spec.max) wrong.at(clientFieldId(spec), format(t.nrTooLong, { field: label, max: spec.max }));
        value = text || undefined;
        break;
      case 'email':
        if (text && (!EMAIL.test(text) || text.length > spec.max)) wrong.at(clientFieldId(spec), format(t.nrEmailInvalid, { field: label }));
        value = text || undefined;
        break;
      case 'past-day':
        if (text && !isDay(text)) wrong.at(clientFieldId(spec), format(t.nrDateInvalid, { field: label }));
        else if (text && text >= today(now)) wrong.at(clientFieldId(spec), format(t.nrDateNotPast, { field: label }));
        value = text || undefined;
        break;
      case 'country':
        if (text && !countryCodes().includes(text)) wrong.at(clientFieldId(spec), format(t.nrNotInList, { field: label }));
        value = text || undefined;
        break;
      case 'language':
        if (text && !SPOKEN_LANGUAGES.includes(text)) wrong.at(clientFieldId(spec), format(t.nrNotInList, { field: label }));
        value = text || undefined;
        break;
      case 'languages': {
        const chosen = [...new Set(form.all(spec.name))];
        if (!chosen.every((l) => SPOKEN_LANGUAGES.includes(l))) wrong.at(clientFieldId(spec), format(t.nrNotInList, { field: label }));
        value = chosen.length ? chosen : undefined;
        break;
      }
      case 'legal-status':
        if (text && !CLIENT_LEGAL_STATUSES.includes(text as ClientLegalStatus)) wrong.at(clientFieldId(spec), format(t.nrNotInList, { field: label }));
        value = text || undefined;
        break;
      case 'count':
        if (text && !/^\d{1,2}$/.test(text)) wrong.at(clientFieldId(spec), format(t.nrNumberInvalid, { field: label, min: 0, max: spec.max }));
        else if (text && Number(text) > spec.max) wrong.at(clientFieldId(spec), format(t.nrNumberInvalid, { field: label, min: 0, max: spec.max }));
        value = text ? Number(text) : undefined;
        break;
      case 'ages': {
        const ages = text.split(/[,;\s]+/).filter((a) => a !== '');
        if (ages.length > spec.max || !ages.every((a) => /^\d{1,2}$/.test(a) && Number(a) <= 25)) wrong.at(clientFieldId(spec), format(t.nrNumberInvalid, { field: label, min: 0, max: 25 }));
        value = ages.length ? ages.map(Number) : undefined;
        break;
      }
      case 'lines': {
        const list = lines(text);
        if (list.length > spec.max || list.some((l) => l.length > 200)) wrong.at(clientFieldId(spec), format(t.nrTooLong, { field: label, max: 200 }));
        value = list.length ? list : undefined;
        break;
      }
    }
    if (value !== undefined) (client[spec.group] ??= {})[spec.key] = value;
  }
  for (const spec of CLIENT_FIELDS) {
    if (spec.required && client[spec.group] && client[spec.group]![spec.key] === undefined) wrong.at(clientFieldId(spec), format(t.fieldRequired, { field: t[spec.label] }));
  }
  const reason = form.text('reason');
  if (!reason) wrong.at(FIELD_IDS.reason, format(t.fieldRequired, { field: t.nrReasonLabel }));
  else if (reason.length > 4000) wrong.at(FIELD_IDS.reason, format(t.nrTooLong, { field: t.nrReasonLabel, max: 4000 }));
  const replyBy = form.optional('reply_by');
  if (replyBy && !isDay(replyBy)) wrong.at(FIELD_IDS.reply_by, format(t.nrDateInvalid, { field: t.nrReplyByLabel }));
  else if (replyBy && replyBy <= today(now)) wrong.at(FIELD_IDS.reply_by, format(t.nrDateNotFuture, { field: t.nrReplyByLabel }));
  if (wrong.list.length) return { ok: false, errors: wrong.list };
  return ok({ reason, replyBy, client: client as ClientData });
}

/** The request the referral service is given. */
export function referralRequestOf(needs: Needs, choice: Choice, consent: ConsentAnswers, details: Details, now: Date, draft: boolean): CreateReferralRequest {
  return {
    ...(draft ? { draft: true } : {}),
    to: choice.to,
    service_id: choice.serviceId,
    ...offerRequestOf(needs, consent, details, now),
  };
}

/** The offer after an answered inquiry (its needs and urgency are the inquiry's; no service was chosen). */
export function offerRequestOf(needs: Needs, consent: ConsentAnswers, details: Details, now: Date): OfferContent {
  return {
    needs: needs.needs,
    urgency: needs.urgency,
    ...(details.replyBy ? { reply_by: endOfDay(details.replyBy) } : {}),
    reason: details.reason,
    client: details.client,
    consent: {
      categories: consent.categories,
      purposes: consent.purposes,
      method: consent.method,
      language: consent.language,
      obtained_at: now.toISOString(),
      valid_until: endOfDay(consent.validUntil),
      onward_referral: { allowed: consent.onward },
    },
  };
}

// --- Carrying the answers -----------------------------------------------------------------

/** Carried by every step: the answered inquiry the flow makes the referral for (if it does), and the form's submission id (sent once only). */
export const FLOW_FIELDS = ['inquiry', 'submission'] as const;

const CARRIED: readonly string[] = [...FLOW_FIELDS, ...NEEDS_FIELDS, ...CHOICE_FIELDS, ...CONSENT_FIELDS, ...DETAIL_FIELDS];

/**
 * Hidden fields for the answers of the other steps (all but `except`, which the page's form
 * shows), and the client data only of the categories `covered` (undefined: none carried).
 */
export function Carry(props: { form: FormFields; except: readonly string[]; covered?: readonly DataCategory[] | undefined }) {
  const names = [...CARRIED, ...(props.covered ? fieldsCovered(props.covered).map((f) => f.name) : [])].filter((n) => !props.except.includes(n));
  return (
    <>
      {names.flatMap((name) => props.form.all(name).map((value) => <input type="hidden" name={name} value={value} />))}
    </>
  );
}
