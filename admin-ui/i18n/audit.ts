// The audit pages: the log, checkpoints and cosignatures, verification and export.
import { area } from './languages.js';

export const audit = area(
  {
    auditTitle: 'Audit',
  },
  {
    de: {
      auditTitle: 'Prüfung',
    },
    el: {
      auditTitle: 'Έλεγχος',
    },
    it: {
      auditTitle: 'Verifica',
    },
    ro: {
      auditTitle: 'Audit',
    },
    bg: {
      auditTitle: 'Одит',
    },
  },
);
