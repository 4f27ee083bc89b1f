// A service's form as what was entered (a draft, shown again as it was when something is wrong),
// read from a service or from a submitted form, and turned into the ServiceInput the local API
// takes: checked with the very validator the API uses (spec/local.yaml's ServiceInput), each
// refusal said as a translated sentence naming the field, never echoing what was typed.
import type { ErrorObject } from 'ajv';
import type { Service, ServiceInput } from '../../../node/directory/services.js';
import { validatorFor } from '../../../node/schema/validators.js';
import { format, LANGUAGES, type Messages } from '../../i18n/catalogue.js';
import type { FormFields } from '../../router.js';

export const MAX_AREAS = 50;
const LANGUAGE_TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

type Texts = Record<string, string>;

export interface ServiceDraft {
  /** The languages a text can be written in here: the network's six and any a service already has. */
  textLanguages: string[];
  name: Texts;
  description: Texts;
  eligibilityText: Texts;
  categories: string[];
  languages: string[];
  otherLanguages: string;
  modes: string[];
  country: string;
  region: string;
  city: string;
  areas: Array<{ country: string; region: string }>;
  womenOnly: boolean;
  minimumAge: string;
  maximumAge: string;
  legalStatuses: string[];
  children: '' | 'yes' | 'no';
  available: string;
  maximum: string;
  email: string;
  phone: string;
  url: string;
  /** Only when describing a new service: afterwards its state has forms of its own. */
  status: 'active' | 'paused';
  accepting: boolean;
}

export type FieldName =
  | 'name' | 'description' | 'categories' | 'languages' | 'modes' | 'country' | 'region' | 'city' | 'areas'
  | 'womenOnly' | 'minimumAge' | 'maximumAge' | 'legalStatuses' | 'children' | 'eligibilityText'
  | 'available' | 'maximum' | 'email' | 'phone' | 'url' | 'status' | 'accepting';

export interface FieldProblem {
  field: FieldName;
  sentence: string;
}

const withExtras = (texts: Array<Texts | undefined>): string[] => [
  ...LANGUAGES,
  ...new Set(texts.flatMap((t) => Object.keys(t ?? {})).filter((l) => !(LANGUAGES as readonly string[]).includes(l))),
];

export function emptyDraft(): ServiceDraft {
  return {
    textLanguages: [...LANGUAGES], name: {}, description: {}, eligibilityText: {}, categories: [], languages: [], otherLanguages: '', modes: [],
    country: '', region: '', city: '', areas: [], womenOnly: false, minimumAge: '', maximumAge: '', legalStatuses: [], children: '',
    available: '', maximum: '', email: '', phone: '', url: '', status: 'active', accepting: true,
  };
}

export function draftOf(service: Service): ServiceDraft {
  const { eligibility, capacity, contact, location } = service;
  const number = (n: number | undefined) => (n === undefined ? '' : String(n));
  return {
    textLanguages: withExtras([service.name, service.description, eligibility?.eligibility_description]),
    name: { ...service.name },
    description: { ...service.description },
    eligibilityText: { ...eligibility?.eligibility_description },
    categories: [...service.categories],
    languages: [...service.languages],
    otherLanguages: '',
    modes: [...service.modes],
    country: location.country,
    region: location.region ?? '',
    city: location.city ?? '',
    areas: (service.service_areas ?? []).map((a) => ({ country: a.country, region: a.region ?? '' })),
    womenOnly: eligibility?.women_only === true,
    minimumAge: number(eligibility?.minimum_age),
    maximumAge: number(eligibility?.maximum_age),
    legalStatuses: [...(eligibility?.legal_statuses ?? [])],
    children: eligibility?.children_accepted === undefined ? '' : eligibility.children_accepted ? 'yes' : 'no',
    available: number(capacity?.available),
    maximum: number(capacity?.maximum),
    email: contact?.email ?? '',
    phone: contact?.phone ?? '',
    url: contact?.url ?? '',
    status: service.status,
    accepting: service.accepting_referrals,
  };
}

export function draftFromForm(form: FormFields): ServiceDraft {
  const extras = form.all('text_language').filter((l) => LANGUAGE_TAG.test(l) && !(LANGUAGES as readonly string[]).includes(l));
  const textLanguages = [...LANGUAGES, ...new Set(extras)];
  const texts = (field: string): Texts => Object.fromEntries(textLanguages.map((l) => [l, form.text(`${field}_${l}`)]).filter(([, v]) => v !== ''));
  const areas: ServiceDraft['areas'] = [];
  for (let i = 0; i < MAX_AREAS; i++) {
    const area = { country: form.text(`area_${i}_country`), region: form.text(`area_${i}_region`) };
    if (area.country || area.region) areas.push(area);
  }
  const children = form.text('children');
  return {
    textLanguages,
    name: texts('name'),
    description: texts('description'),
    eligibilityText: texts('eligibility_text'),
    categories: form.all('categories'),
    languages: form.all('languages'),
    otherLanguages: form.text('other_languages'),
    modes: form.all('modes'),
    country: form.text('country'),
    region: form.text('region'),
    city: form.text('city'),
    areas,
    womenOnly: form.text('women_only') === 'yes',
    minimumAge: form.text('minimum_age'),
    maximumAge: form.text('maximum_age'),
    legalStatuses: form.all('legal_statuses'),
    children: children === 'yes' || children === 'no' ? children : '',
    available: form.text('available'),
    maximum: form.text('maximum'),
    email: form.text('email'),
    phone: form.text('phone'),
    url: form.text('url'),
    status: form.text('status') === 'paused' ? 'paused' : 'active',
    accepting: form.text('accepting') === 'yes',
  };
}

/** A whole number as a number; anything else as typed, for the validator to refuse. */
const integer = (raw: string): number | string | undefined => (raw === '' ? undefined : /^\d{1,9}$/.test(raw) ? Number(raw) : raw);

const otherLanguageCodes = (raw: string): string[] => raw.split(/[\s,;]+/).map((code) => code.toLowerCase()).filter((code) => code !== '');

/** The draft as the local API's ServiceInput (not yet checked). */
function candidateOf(draft: ServiceDraft, creating: boolean): Record<string, unknown> {
  const defined = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ''));
  const eligibility = defined({
    ...(draft.womenOnly ? { women_only: true } : {}),
    minimum_age: integer(draft.minimumAge),
    maximum_age: integer(draft.maximumAge),
    ...(draft.legalStatuses.length > 0 ? { legal_statuses: draft.legalStatuses } : {}),
    ...(draft.children ? { children_accepted: draft.children === 'yes' } : {}),
    ...(Object.keys(draft.eligibilityText).length > 0 ? { eligibility_description: draft.eligibilityText } : {}),
  });
  const capacity = defined({ available: integer(draft.available), maximum: integer(draft.maximum) });
  const contact = defined({ email: draft.email, phone: draft.phone, url: draft.url });
  return {
    name: draft.name,
    description: draft.description,
    categories: draft.categories,
    languages: [...new Set([...draft.languages, ...otherLanguageCodes(draft.otherLanguages)])],
    modes: draft.modes,
    location: defined({ country: draft.country, region: draft.region, city: draft.city }),
    ...(draft.areas.length > 0 ? { service_areas: draft.areas.map((a) => defined({ country: a.country, region: a.region })) } : {}),
    ...(Object.keys(eligibility).length > 0 ? { eligibility } : {}),
    ...(Object.keys(capacity).length > 0 ? { capacity } : {}),
    ...(Object.keys(contact).length > 0 ? { contact } : {}),
    ...(creating ? { status: draft.status, accepting_referrals: draft.accepting } : {}),
  };
}

/** Which field of the form a validator's error is about. */
function fieldOf(error: ErrorObject): FieldName | undefined {
  const segments = error.instancePath.split('/').filter((s) => s !== '');
  const missing = error.keyword === 'required' ? String((error.params as { missingProperty?: string }).missingProperty ?? '') : undefined;
  const path = missing ? [...segments, missing] : segments;
  const [top, second] = path;
  const byTop: Record<string, FieldName> = { name: 'name', description: 'description', categories: 'categories', languages: 'languages', modes: 'modes', service_areas: 'areas', status: 'status', accepting_referrals: 'accepting' };
  if (top && byTop[top]) return byTop[top];
  if (top === 'location') return second === 'region' ? 'region' : second === 'city' ? 'city' : 'country';
  if (top === 'capacity') return second === 'maximum' ? 'maximum' : 'available';
  if (top === 'contact') return second === 'phone' ? 'phone' : second === 'url' ? 'url' : 'email';
  if (top === 'eligibility') {
    const byEligibility: Record<string, FieldName> = { women_only: 'womenOnly', minimum_age: 'minimumAge', maximum_age: 'maximumAge', legal_statuses: 'legalStatuses', children_accepted: 'children', eligibility_description: 'eligibilityText' };
    return (second && byEligibility[second]) || undefined;
  }
  return undefined;
}

export const fieldLabel = (t: Messages, field: FieldName): string =>
  ({
    name: t.svcFieldName, description: t.svcFieldDescription, categories: t.svcFieldCategories, languages: t.svcFieldLanguages, modes: t.svcFieldModes,
    country: t.svcFieldCountry, region: t.svcFieldRegion, city: t.svcFieldCity, areas: t.svcFieldAreas, womenOnly: t.svcFieldWomenOnly,
    minimumAge: t.svcFieldMinimumAge, maximumAge: t.svcFieldMaximumAge, legalStatuses: t.svcFieldLegalStatuses, children: t.svcFieldChildren,
    eligibilityText: t.svcFieldEligibilityText, available: t.svcFieldAvailable, maximum: t.svcFieldMaximum, email: t.svcFieldEmail,
    phone: t.svcFieldPhone, url: t.svcFieldUrl, status: t.svcFieldStatus, accepting: t.svcFieldAccepting,
  })[field];

const hintOf = (t: Messages, field: FieldName): string =>
  ({
    name: t.svcHintText, description: t.svcHintText, eligibilityText: t.svcHintText, categories: t.svcHintCategories, languages: t.svcHintLanguages,
    region: t.svcHintPlace, city: t.svcHintPlace, areas: t.svcHintAreas, minimumAge: t.svcHintAge, maximumAge: t.svcHintAge,
    available: t.svcHintPlaces, maximum: t.svcHintPlaces, email: t.svcHintEmail, phone: t.svcHintPhone, url: t.svcHintUrl,
  } as Partial<Record<FieldName, string>>)[field] ?? t.svcHintChoose;

/** Nothing entered where the schema needs something: "please fill in", rather than "please check". */
const isMissing = (error: ErrorObject) => ['required', 'minItems', 'minProperties'].includes(error.keyword);

/**
 * The draft as a ServiceInput, or what is wrong with it: first the schema, by the local API's own
 * validator, then what the schema cannot say (ages and places that contradict each other).
 */
export function serviceInputOf(t: Messages, draft: ServiceDraft, creating: boolean): { input: ServiceInput } | { problems: FieldProblem[] } {
  const candidate = candidateOf(draft, creating);
  const check = validatorFor('local', 'ServiceInput');
  const problems = new Map<FieldName, string>();
  if (!check(candidate)) {
    for (const error of check.errors ?? []) {
      const field = fieldOf(error);
      if (!field || problems.has(field)) continue;
      const label = fieldLabel(t, field);
      problems.set(field, isMissing(error) ? format(t.fieldRequired, { field: label }) : `${format(t.svcCheckField, { field: label })} ${hintOf(t, field)}`);
    }
    if (problems.size === 0) problems.set('name', t.problemInvalidRequest);
  } else {
    const input = candidate as ServiceInput;
    const { eligibility, capacity } = input;
    if (eligibility?.minimum_age !== undefined && eligibility.maximum_age !== undefined && eligibility.minimum_age > eligibility.maximum_age) {
      problems.set('minimumAge', t.svcAgesContradict);
    }
    if (capacity?.maximum !== undefined && capacity.available > capacity.maximum) problems.set('available', t.svcPlacesContradict);
    if (problems.size === 0) return { input };
  }
  return { problems: [...problems].sort(([a], [b]) => FIELD_ORDER.indexOf(a) - FIELD_ORDER.indexOf(b)).map(([field, sentence]) => ({ field, sentence })) };
}

/** The fields in the order the form shows them (problems are listed in this order too). */
export const FIELD_ORDER: readonly FieldName[] = [
  'name', 'description', 'categories', 'languages', 'modes', 'country', 'region', 'city', 'areas', 'womenOnly', 'minimumAge', 'maximumAge',
  'legalStatuses', 'children', 'eligibilityText', 'available', 'maximum', 'email', 'phone', 'url', 'status', 'accepting',
];
