// The six languages of the network, and the shape of one area's messages in all of them.
export const LANGUAGES = ['en', 'de', 'el', 'it', 'ro', 'bg'] as const;
export type Language = (typeof LANGUAGES)[number];

export const isLanguage = (value: unknown): value is Language => typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);

/** The names of the languages, each in itself, for the switcher. */
export const LANGUAGE_NAMES: Readonly<Record<Language, string>> = { en: 'English', de: 'Deutsch', el: 'Ελληνικά', it: 'Italiano', ro: 'Română', bg: 'Български' };

/** One area's texts in every language: exactly English's keys (an extra or a missing key fails the type check). */
export type Translations<E> = { readonly [L in Exclude<Language, 'en'>]: { readonly [K in keyof E]: string } };

/** An area of the interface's messages: English, and the same keys in the five other languages. */
export function area<const E extends Record<string, string>>(en: E, others: Translations<E>): { readonly [L in Language]: { readonly [K in keyof E]: string } } {
  return { en, ...others };
}
