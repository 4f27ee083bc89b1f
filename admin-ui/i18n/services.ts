// The pages of this organisation's own services and of the directory.
import { area } from './languages.js';

export const services = area(
  {
    servicesTitle: 'Our services',
  },
  {
    de: {
      servicesTitle: 'Unsere Angebote',
    },
    el: {
      servicesTitle: 'Οι υπηρεσίες μας',
    },
    it: {
      servicesTitle: 'I nostri servizi',
    },
    ro: {
      servicesTitle: 'Serviciile noastre',
    },
    bg: {
      servicesTitle: 'Нашите услуги',
    },
  },
);
