// The new-referral flow: needs, matching services, consent, the form, review and send.
import { area } from './languages.js';

export const newReferral = area(
  {
    newReferralTitle: 'New referral',
  },
  {
    de: {
      newReferralTitle: 'Neue Vermittlung',
    },
    el: {
      newReferralTitle: 'Νέα παραπομπή',
    },
    it: {
      newReferralTitle: 'Nuovo invio',
    },
    ro: {
      newReferralTitle: 'Trimitere nouă',
    },
    bg: {
      newReferralTitle: 'Ново насочване',
    },
  },
);
