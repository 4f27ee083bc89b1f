// The interface's message catalogues, one per language of the network: a small typed catalogue
// rather than a library, since the interface needs plain strings with a named value or two.
// English is the reference: every other catalogue must have exactly its keys (`satisfies
// Messages` fails the type check on a missing key; tests/ui/i18n.test.ts on an extra or empty one).
import { bg } from './bg.js';
import { de } from './de.js';
import { el } from './el.js';
import { en } from './en.js';
import { it } from './it.js';
import { ro } from './ro.js';

export type Messages = { readonly [K in keyof typeof en]: string };
export const LANGUAGES = ['en', 'de', 'el', 'it', 'ro', 'bg'] as const;
export type Language = (typeof LANGUAGES)[number];

export const catalogues: Readonly<Record<Language, Messages>> = { en, de, el, it, ro, bg };

/** The names of the languages, each in itself, for the switcher. */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = { en: 'English', de: 'Deutsch', el: 'Ελληνικά', it: 'Italiano', ro: 'Română', bg: 'Български' };

export const isLanguage = (value: unknown): value is Language => typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);

/** A message with its `{name}` values filled in. */
export function format(text: string, values: Record<string, string>): string {
  return text.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

/** Dates as the language writes them, in the node's time zone. */
export function formatDate(iso: string, language: Language): string {
  return new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}
