// The consent pages: the records, one record, withdrawal.
import { area } from './languages.js';

export const consents = area(
  {
    consentsTitle: 'Consents',
  },
  {
    de: {
      consentsTitle: 'Einwilligungen',
    },
    el: {
      consentsTitle: 'Συναινέσεις',
    },
    it: {
      consentsTitle: 'Consensi',
    },
    ro: {
      consentsTitle: 'Consimțăminte',
    },
    bg: {
      consentsTitle: 'Съгласия',
    },
  },
);
