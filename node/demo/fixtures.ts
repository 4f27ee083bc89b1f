// Sample data for `npm run demo`: five local nodes, one per country of the context documents, and
// the referrals sent between them (their services are in services.ts).
//
// Everything here is FICTIONAL. The organisations do not exist, the people are invented, phone
// numbers use the 555 range that is never assigned to real subscribers, and e-mail addresses are
// only at example.org / example.net (RFC 2606). The situations are drawn from the needs and
// barriers the TOLERANT network describes (language, recognition of qualifications, residence,
// safe housing, childcare, trauma recovery), written in a trauma-informed way: caseworkers describe
// what the woman wants and what is asked of the receiving organisation, not what happened to her.

import type { ConsentLanguage } from '../consents/languages.js';

export type TaxonomyCode =
  | 'employment' | 'vocational-training' | 'language-courses' | 'formal-education' | 'qualification-recognition'
  | 'legal-aid' | 'legal-aid-asylum' | 'legal-aid-residence' | 'legal-aid-labour-rights' | 'legal-aid-justice'
  | 'accommodation' | 'emergency-shelter' | 'safe-housing'
  | 'healthcare' | 'sexual-reproductive-health' | 'psychological-support'
  | 'childcare' | 'financial-support' | 'case-management' | 'documents-civil-registration'
  | 'return-reintegration' | 'online-support';

export interface DemoOrganisation {
  key: 'gr' | 'at' | 'it' | 'ro' | 'bg';
  name: string;
  city: string;
  country: 'GR' | 'AT' | 'IT' | 'RO' | 'BG';
  languages: string[];
  contact: string;
  /** The demo caseworker's display name and work contact (what partners are told when she is responsible). */
  caseworker: { name: string; workContact: string };
}

export const demoOrganisations: readonly DemoOrganisation[] = [
  {
    key: 'gr',
    name: "Ariadne Women's Centre",
    city: 'Athens',
    country: 'GR',
    languages: ['el', 'en', 'ar', 'fa', 'fr'],
    contact: 'referrals@ariadne.example.org',
    caseworker: { name: 'Eleni Papadaki', workContact: '+30 210 555 0142' },
  },
  {
    key: 'at',
    name: 'Brückenhaus Frauenberatung',
    city: 'Vienna',
    country: 'AT',
    languages: ['de', 'en', 'ro', 'bg', 'es'],
    contact: 'vermittlung@brueckenhaus.example.org',
    caseworker: { name: 'Katharina Wagner', workContact: '+43 1 555 0107' },
  },
  {
    key: 'it',
    name: 'Rete Girasole per le Donne',
    city: 'Rome',
    country: 'IT',
    languages: ['it', 'en', 'fr', 'pcm', 'es'],
    contact: 'segnalazioni@girasole.example.org',
    caseworker: { name: 'Giulia Romano', workContact: '+39 06 555 0133' },
  },
  {
    key: 'ro',
    name: 'Asociația Speranța pentru Femei',
    city: 'Bucharest',
    country: 'RO',
    languages: ['ro', 'en', 'hu'],
    contact: 'trimiteri@speranta.example.org',
    caseworker: { name: 'Andreea Ionescu', workContact: '+40 21 555 0177' },
  },
  {
    key: 'bg',
    name: 'Фондация „Мост“',
    city: 'Sofia',
    country: 'BG',
    languages: ['bg', 'en', 'ru', 'tr'],
    contact: 'napravlenia@most.example.org',
    caseworker: { name: 'Мария Георгиева', workContact: '+359 2 555 0188' },
  },
];

type ConsentCategory = 'identity' | 'contact' | 'situation' | 'legal-status' | 'health' | 'children' | 'documents';

export interface DemoReferral {
  from: 'gr' | 'at' | 'it';
  to: 'gr' | 'at' | 'it';
  needs: TaxonomyCode[];
  urgency: 'routine' | 'urgent' | 'emergency';
  replyInDays?: number;
  reason: string;
  client: {
    identity?: { givenName: string; familyName?: string; dateOfBirth?: string; nationality?: string };
    contact?: { phone?: string; email?: string; preferredLanguage?: string; safeToContact?: string };
    situation?: { summary: string; languagesSpoken?: string[]; householdNote?: string };
    legalStatus?: {
      status: 'asylum-seeker' | 'refugee' | 'subsidiary-protection' | 'residence-permit' | 'eu-citizen' | 'undocumented' | 'other';
      note?: string;
    };
    health?: { note: string };
    children?: { count: number; ages?: number[]; note?: string };
    documents?: { held: string[]; missing?: string[] };
  };
  consent: {
    categories: ConsentCategory[];
    purposes: Array<'referral' | 'service-provision' | 'follow-up'>;
    method: 'written' | 'verbal' | 'verbal-with-interpreter';
    language: ConsentLanguage;
    validForDays: number;
  };
}

export const demoReferrals: readonly DemoReferral[] = [
  // Athens → Vienna: vocational training and a German course; asylum seeker with a young son.
  {
    from: 'gr',
    to: 'at',
    needs: ['vocational-training', 'language-courses', 'childcare'],
    urgency: 'routine',
    replyInDays: 14,
    reason:
      'Samira is moving to Vienna to join her brother, who holds a residence permit there, and her asylum file is being transferred under the family provisions. ' +
      'She has completed our tailoring workshop and would like an apprenticeship or vocational course in textiles or alterations. ' +
      'We ask whether you can enrol her in a German course from the start and help her find childcare so she can attend.',
    client: {
      identity: { givenName: 'Samira', familyName: 'Quillandi', dateOfBirth: '1994-03-17', nationality: 'SY' },
      contact: {
        phone: '+30 690 555 0183',
        email: 'samira.q@example.net',
        preferredLanguage: 'ar',
        safeToContact: 'Weekdays 10:00-13:00 by phone or WhatsApp; she prefers a woman caseworker; do not leave voicemail.',
      },
      situation: {
        summary:
          'Motivated and organised; finished a 4-month tailoring workshop with us and volunteers in our clothing exchange. Wants a stable job so she can rent a small flat for herself and her son.',
        languagesSpoken: ['ar', 'en'],
        householdNote: 'Will stay with her brother at first; lives with her son.',
      },
      legalStatus: { status: 'asylum-seeker', note: 'Application registered in Greece; transfer to Austria under the family-unity provisions is in progress.' },
      children: { count: 1, ages: [4], note: 'Needs a kindergarten place near the course location.' },
    },
    consent: {
      categories: ['identity', 'contact', 'situation', 'legal-status', 'children'],
      purposes: ['referral', 'service-provision', 'follow-up'],
      method: 'verbal-with-interpreter',
      language: 'ar',
      validForDays: 180,
    },
  },

  // Rome → Athens: legal aid on the renewal of her Greek residence permit.
  {
    from: 'it',
    to: 'gr',
    needs: ['legal-aid-residence', 'documents-civil-registration'],
    urgency: 'routine',
    replyInDays: 10,
    reason:
      'Blessing holds a Greek residence permit as a recognised victim of trafficking that expires in three months, and she has decided to return to Athens, where her support network is. ' +
      'The renewal has to be filed in Greece and she is missing a certified birth certificate. ' +
      'We ask for legal advice on the renewal and help to obtain the missing document; she would like a first appointment in English.',
    client: {
      identity: { givenName: 'Blessing', familyName: 'Okoromavi', dateOfBirth: '1991-11-02', nationality: 'NG' },
      contact: {
        phone: '+39 06 555 0128',
        preferredLanguage: 'en',
        safeToContact: 'Any day after 16:00; text first and she will call back.',
      },
      situation: {
        summary:
          'Has been in Rome for four months doing a care-work course; wants to continue her life in Athens, where she has a church community and previous work experience in a bakery.',
        languagesSpoken: ['en', 'pcm', 'el'],
      },
      legalStatus: { status: 'residence-permit', note: 'Greek permit on humanitarian grounds (victim of trafficking), valid until about three months from now.' },
      documents: { held: ['Greek residence permit', 'passport (expired)'], missing: ['certified birth certificate'] },
    },
    consent: {
      categories: ['identity', 'contact', 'situation', 'legal-status', 'documents'],
      purposes: ['referral', 'service-provision'],
      method: 'written',
      language: 'en',
      validForDays: 120,
    },
  },

  // Vienna → Rome: urgent safe housing and psychological support.
  {
    from: 'at',
    to: 'it',
    needs: ['safe-housing', 'psychological-support'],
    urgency: 'urgent',
    replyInDays: 2,
    reason:
      'For safety reasons Daria should no longer stay in Vienna, and she has asked to be supported in Rome, where she lived before and speaks Italian. ' +
      'We ask whether you can offer a place in safe housing within the next days and continue the trauma-focused counselling she started with us. ' +
      'She knows this referral is being made and wants to be part of every decision; we can arrange a video call with her before she travels.',
    client: {
      identity: { givenName: 'Daria' },
      contact: {
        phone: '+43 660 555 0193',
        preferredLanguage: 'it',
        safeToContact: 'Only through our caseworker until she has moved; do not contact her directly.',
      },
      situation: {
        summary:
          'Strong wish for independence; has worked in hospitality and wants to return to it once she feels settled. Needs a confidential address not known to anyone in Vienna.',
        languagesSpoken: ['ro', 'it', 'en'],
      },
      legalStatus: { status: 'eu-citizen', note: 'Romanian citizen; free to reside in Italy.' },
      health: { note: 'Weekly counselling for the past two months, which she finds helpful; sleep difficulties; no medication.' },
    },
    consent: {
      categories: ['identity', 'contact', 'situation', 'legal-status', 'health'],
      purposes: ['referral', 'service-provision', 'follow-up'],
      method: 'verbal',
      language: 'ro',
      validForDays: 90,
    },
  },

  // Athens → Rome: recognition of a nursing qualification and job placement.
  {
    from: 'gr',
    to: 'it',
    needs: ['qualification-recognition', 'employment', 'language-courses'],
    urgency: 'routine',
    replyInDays: 21,
    reason:
      'Ioana trained as a nurse in Bulgaria and worked in a hospital for six years; she is moving to Rome, where her aunt lives, and wants to work in nursing again. ' +
      'We ask for guidance on recognising her diploma in Italy and for a job-placement programme; meanwhile she would accept work as a care assistant. ' +
      'She has basic Italian and would like an intensive course to reach the level the recognition requires.',
    client: {
      identity: { givenName: 'Ioana', familyName: 'Velmirova', dateOfBirth: '1988-06-24', nationality: 'BG' },
      contact: {
        email: 'ioana.velmirova@example.net',
        phone: '+30 210 555 0147',
        preferredLanguage: 'bg',
        safeToContact: 'E-mail at any time; phone on weekdays.',
      },
      situation: {
        summary:
          'Completed our employability programme (CV, interview practice, digital skills). Confident, good at planning; wants to use her professional skills rather than start again from zero.',
        languagesSpoken: ['bg', 'en', 'it', 'el'],
      },
      legalStatus: { status: 'eu-citizen', note: 'Bulgarian citizen; recognition falls under the EU rules on professional qualifications.' },
      documents: {
        held: ['identity card', 'nursing diploma (original)', 'employment reference from hospital'],
        missing: ['certified Italian translation of the diploma', 'certificate of good standing'],
      },
    },
    consent: {
      categories: ['identity', 'contact', 'situation', 'legal-status', 'documents'],
      purposes: ['referral', 'service-provision', 'follow-up'],
      method: 'written',
      language: 'bg',
      validForDays: 180,
    },
  },

  // Rome → Vienna: data minimisation; only contact and situation are shared.
  {
    from: 'it',
    to: 'at',
    needs: ['case-management', 'online-support'],
    urgency: 'routine',
    replyInDays: 14,
    reason:
      'The client has moved to Vienna and would like a caseworker there; she prefers to tell her own story at the first meeting, so we share only how to reach her. ' +
      'We ask for a first appointment, online if possible, with an interpreter for French.',
    client: {
      contact: {
        phone: '+43 1 555 0172',
        preferredLanguage: 'fr',
        safeToContact: 'Tuesdays and Thursdays 14:00-17:00; if someone else answers, hang up without giving the organisation name.',
      },
      situation: {
        summary: 'Has been supported by us for a year and has chosen to continue her plans in Vienna; she will decide herself what she shares.',
        languagesSpoken: ['fr', 'it'],
      },
    },
    consent: {
      categories: ['contact', 'situation'],
      purposes: ['referral'],
      method: 'verbal-with-interpreter',
      language: 'fr',
      validForDays: 60,
    },
  },

  // Vienna → Athens: emergency shelter on arrival, with antenatal care.
  {
    from: 'at',
    to: 'gr',
    needs: ['emergency-shelter', 'sexual-reproductive-health', 'healthcare'],
    urgency: 'emergency',
    replyInDays: 1,
    reason:
      'Mahsa arrives in Athens the day after tomorrow to be near her mother and needs an emergency shelter place for the first weeks. ' +
      'She is pregnant and would like an antenatal check soon after arrival, with a woman doctor and a Farsi interpreter. ' +
      'Please confirm whether you have a place; we will accompany her to the airport and share her arrival time by phone.',
    client: {
      identity: { givenName: 'Mahsa', nationality: 'AF' },
      contact: {
        phone: '+43 660 555 0158',
        preferredLanguage: 'fa',
        safeToContact: 'Any time; she is expecting your call.',
      },
      situation: {
        summary: 'Calm and clear about her plans; wants to finish Greek lessons she began online and later train as a hairdresser.',
        languagesSpoken: ['fa', 'en'],
        householdNote: 'Her mother lives in Athens but cannot host her.',
      },
      health: { note: 'Pregnant, about 24 weeks; no known complications; last check-up four weeks ago.' },
    },
    consent: {
      categories: ['identity', 'contact', 'situation', 'health'],
      purposes: ['referral', 'service-provision'],
      method: 'verbal-with-interpreter',
      language: 'fa',
      validForDays: 90,
    },
  },
];

export function categoriesOf(client: DemoReferral['client']): DemoReferral['consent']['categories'] {
  const out: DemoReferral['consent']['categories'] = [];
  if (client.identity) out.push('identity');
  if (client.contact) out.push('contact');
  if (client.situation) out.push('situation');
  if (client.legalStatus) out.push('legal-status');
  if (client.health) out.push('health');
  if (client.children) out.push('children');
  if (client.documents) out.push('documents');
  return out;
}
