// Names the interface shows for codes, in the reader's language: languages and countries (from
// the runtime's Intl data), taxonomy categories (the taxonomy has labels in all six), and the
// texts a directory gives in several languages.
import { taxonomy } from '../../node/directory/taxonomy.js';
import { inOneLanguage } from '../../node/directory/services.js';
import { isConsentLanguage } from '../../node/consents/languages.js';
import type { Language } from './languages.js';

function displayName(type: 'language' | 'region', code: string, language: Language): string {
  try {
    return new Intl.DisplayNames(language, { type, fallback: 'code' }).of(code) ?? code;
  } catch {
    // A code that is not well formed is shown as it is.
    return code;
  }
}

/** A language's name (from its BCP 47 code) as the reader's language writes it. */
export const languageName = (code: string, language: Language): string => displayName('language', code, language);

/**
 * The name of the language a consent was given in. A code outside the network's list (a consent
 * stored before the list was fixed) is shown as it is: the runtime would make a "name" of any
 * well-formed tag (`Ana-Popescu-1990` reads "ana (1990_POPESCU)").
 */
export const consentLanguageName = (code: string, language: Language): string => (isConsentLanguage(code) ? languageName(code, language) : code);

/** Languages' names, in the order given, separated by commas. */
export const languageNames = (codes: readonly string[], language: Language): string => codes.map((code) => languageName(code, language)).join(', ');

/** A country's name (from its ISO 3166 code) as the reader's language writes it. */
export const countryName = (code: string, language: Language): string => displayName('region', code, language);

/** A taxonomy category's label in the reader's language; an unknown code as it is. */
export const categoryLabel = (code: string, language: Language): string => taxonomy().categories.find((c) => c.code === code)?.labels[language] ?? code;

/**
 * A text of the directory in the reader's language if it was written in it, else in one it was
 * (English first); `lang` names that language when it is not the reader's, to mark it.
 */
export function directoryText(text: Readonly<Record<string, string>> | undefined, language: Language): { text: string; lang: string | undefined } {
  if (!text) return { text: '', lang: undefined };
  if (text[language]) return { text: text[language], lang: undefined };
  const lang = text.en !== undefined ? 'en' : Object.keys(text)[0];
  return { text: inOneLanguage(text), lang };
}
