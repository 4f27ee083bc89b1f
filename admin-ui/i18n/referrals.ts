// The referrals pages: inbox and outbox, a referral's page, its timeline and actions.
import { area } from './languages.js';

export const referrals = area(
  {
    referralsTitle: 'Referrals',
  },
  {
    de: {
      referralsTitle: 'Vermittlungen',
    },
    el: {
      referralsTitle: 'Παραπομπές',
    },
    it: {
      referralsTitle: 'Invii',
    },
    ro: {
      referralsTitle: 'Trimiteri',
    },
    bg: {
      referralsTitle: 'Насочвания',
    },
  },
);
