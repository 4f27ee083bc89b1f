// The interface's message catalogues, one per language of the network: a small typed catalogue
// rather than a library, since the interface needs plain strings with a named value or two.
// The texts live in areas (sign-in and frame in en.ts and its siblings, each part of the
// interface in a file of its own); a language's catalogue is all areas merged. English is the
// reference: every other language must have exactly its keys (the type checker fails on a missing
// or extra key; tests/ui/i18n.test.ts on an empty one, a key in two areas or a `{value}` missing).
import { bg } from './bg.js';
import { de } from './de.js';
import { el } from './el.js';
import { en } from './en.js';
import { it } from './it.js';
import { ro } from './ro.js';
import { LANGUAGES, type Language } from './languages.js';
import { common } from './common.js';
import { referrals } from './referrals.js';
import { newReferral } from './new-referral.js';
import { peers } from './peers.js';
import { services } from './services.js';
import { audit } from './audit.js';
import { consents } from './consents.js';
import { accounts } from './accounts.js';
import { tokens } from './tokens.js';
import { secondFactor } from './second-factor.js';
import { notifications } from './notifications.js';

export { LANGUAGES, LANGUAGE_NAMES, isLanguage, type Language } from './languages.js';

/** Every area, each with its texts in every language (the test checks no key is in two). */
export const AREAS = { base: { en, de, el, it, ro, bg }, common, referrals, newReferral, peers, services, audit, consents, accounts, tokens, secondFactor, notifications } as const;

type Areas = typeof AREAS;
type Merged = { [A in keyof Areas]: Areas[A]['en'] }[keyof Areas];
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
export type Messages = { readonly [K in keyof UnionToIntersection<Merged>]: string };

const merged = (language: Language): Messages =>
  Object.assign({}, ...Object.values(AREAS).map((a: Readonly<Record<Language, Readonly<Record<string, string>>>>) => a[language])) as Messages;

export const catalogues: Readonly<Record<Language, Messages>> = Object.fromEntries(LANGUAGES.map((l) => [l, merged(l)])) as Record<Language, Messages>;

/** A message with its `{name}` values filled in. */
export function format(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (whole, key: string) => (values[key] === undefined ? whole : String(values[key])));
}

/** Dates as the language writes them, in the node's time zone. */
export function formatDate(iso: string, language: Language): string {
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** A day (no time) as the language writes it. */
export function formatDay(iso: string, language: Language): string {
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium' }).format(new Date(iso));
}

/** A number as the language writes it. */
export function formatNumber(value: number, language: Language): string {
  return new Intl.NumberFormat(language).format(value);
}

