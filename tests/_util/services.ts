// A service as the demo's Austrian organisation would describe it, for tests of the directory.
import type { Json } from './test-node.js';

/** A vocational training in Vienna, as the demo's Austrian organisation would describe it. */
export function trainingService(overrides: Json = {}): Json {
  return {
    name: { en: 'Vocational training in retail and care', de: 'Berufsausbildung im Handel und in der Pflege' },
    description: { en: 'Twelve-month training with a recognised certificate, German lessons included.' },
    categories: ['vocational-training', 'language-courses'],
    languages: ['de', 'en', 'ar'],
    modes: ['in-person'],
    location: { country: 'AT', region: 'Wien', city: 'Wien' },
    service_areas: [{ country: 'AT', region: 'Niederösterreich' }],
    eligibility: { women_only: true, minimum_age: 18, legal_statuses: ['asylum-seeker', 'international-protection'], children_accepted: true },
    capacity: { available: 3, maximum: 12 },
    contact: { email: 'training@brueckenhaus.example', phone: '+43 1 555 0100' },
    ...overrides,
  };
}
