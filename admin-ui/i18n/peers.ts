// The peers pages: adding a peer, invitations, trust, suspension and revocation, keys and alerts.
import { area } from './languages.js';

export const peers = area(
  {
    peersTitle: 'Peers',
  },
  {
    de: {
      peersTitle: 'Partner',
    },
    el: {
      peersTitle: 'Συνεργάτες',
    },
    it: {
      peersTitle: 'Partner',
    },
    ro: {
      peersTitle: 'Parteneri',
    },
    bg: {
      peersTitle: 'Партньори',
    },
  },
);
