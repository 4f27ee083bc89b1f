// The interface's message catalogues: every language has exactly the English keys, none empty,
// and the same `{name}` values in each text.
import { describe, expect, it } from 'vitest';
import { AREAS, catalogues, format, LANGUAGES } from '../../admin-ui/i18n/catalogue.js';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the message catalogues', () => {
  it.each(LANGUAGES)('%s has every key of English, no other, and none empty', (language) => {
    const catalogue = catalogues[language] as Record<string, string>;
    const english = catalogues.en as Record<string, string>;
    expect(Object.keys(catalogue).sort()).toEqual(Object.keys(english).sort());
    for (const [key, text] of Object.entries(catalogue)) {
      expect(text.trim(), `${language}.${key}`).not.toBe('');
      expect(placeholders(text), `${language}.${key}`).toEqual(placeholders(english[key]!));
    }
  });

  it('fills in named values', () => {
    expect(format(catalogues.el.signedInAs, { name: 'maria' })).toBe('Συνδεδεμένος/η ως maria');
  });
});

describe('the areas of the catalogue', () => {
  it('puts no key in two areas', () => {
    const keys = Object.values(AREAS).flatMap((a) => Object.keys(a.en));
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
    expect(Object.keys(catalogues.en)).toHaveLength(keys.length);
  });
});
