// The languages a client can be informed in when she gives consent: a fixed list, because the tag
// travels to peers and into the append-only audit log in the clear (`consent.recorded`), where a
// free-form tag such as `Ana-Popescu-1990` (well formed by BCP 47's grammar) would carry a name
// for ever. The list is the network's: the EU's official languages, which its caseworkers speak,
// and those common among the women it supports (from West Africa, the Horn of Africa, the Middle
// East, Central and South Asia, Eastern Europe and the Balkans, Roma communities). spec/federation.yaml's
// ConsentLanguage holds the same list (tests/consent/consent-language.test.ts compares them);
// adding a language is a protocol change: peers that do not know it refuse the consent.
export const CONSENT_LANGUAGES = [
  // EU official languages.
  'bg', 'cs', 'da', 'de', 'el', 'en', 'es', 'et', 'fi', 'fr', 'ga', 'hr', 'hu', 'it', 'lt', 'lv', 'mt', 'nl', 'pl', 'pt', 'ro', 'sk', 'sl', 'sv',
  // Amharic, Arabic, Edo (Bini), Bengali, Persian, Hausa, Igbo, Kurdish, Macedonian, Punjabi,
  // Nigerian Pidgin, Dari, Pashto, Romani, Russian, Somali, Albanian, Serbian, Swahili, Tigrinya,
  // Tagalog, Turkish, Ukrainian, Urdu, Vietnamese, Yoruba, Chinese.
  'am', 'ar', 'bin', 'bn', 'fa', 'ha', 'ig', 'ku', 'mk', 'pa', 'pcm', 'prs', 'ps', 'rom', 'ru', 'so', 'sq', 'sr', 'sw', 'ti', 'tl', 'tr', 'uk', 'ur', 'vi', 'yo', 'zh',
] as const;

export type ConsentLanguage = (typeof CONSENT_LANGUAGES)[number];

export const isConsentLanguage = (value: unknown): value is ConsentLanguage => typeof value === 'string' && (CONSENT_LANGUAGES as readonly string[]).includes(value);
