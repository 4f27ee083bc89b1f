// Browsing the partners' services: the filters of the list, read from its address (a GET form, so
// a filtered list can be bookmarked and the back button works), and applied to every service of
// the trusted peers' current directories. A value the list does not offer is ignored, as in the
// other lists; an age that is not one is said beside its field.
import type { DirectoryService } from '../../../node/directory/services.js';
import { taxonomy } from '../../../node/directory/taxonomy.js';
import { directoryText, LEGAL_STATUSES, type LegalStatus } from '../services/parts.js';
import type { Language } from '../../i18n/catalogue.js';

/** A service of a partner's directory, with the organisation that lists it. */
export interface PeerService {
  peer: { id: string; name: string; country: string };
  service: DirectoryService;
}

export interface BrowseFilters {
  /** A taxonomy category: the services of it and of its narrower kinds. */
  need: string | undefined;
  /** Where the service is, or a country it also takes women from. */
  country: string | undefined;
  /** A language it works in (a regional variant counts). */
  language: string | undefined;
  /** The organisation (its node id). */
  peer: string | undefined;
  /** Her residence status: services that serve it, or do not say. */
  status: LegalStatus | undefined;
  /** Her age: services whose age range has it. */
  age: number | undefined;
  /** She comes with her children: not the services that say children cannot come. */
  children: boolean;
  womenOnly: boolean;
  /** Only those a referral can be sent to now. */
  taking: boolean;
  /** Words in the service's name, in any of its languages. */
  text: string;
  /** The page of the list, from 1. */
  page: number;
}

/** What the filters offer to choose from: the values the services held have. */
export interface FilterChoices {
  countries: string[];
  languages: string[];
  peers: Array<{ id: string; name: string }>;
}

export const PAGE_SIZE = 50;
const MAX_TEXT = 200;

/** Whether a referral can be sent to the service now: published and taking referrals (its organisation must be a trusted peer, which every one listed is). */
export const takesReferralsNow = (service: Pick<DirectoryService, 'status' | 'accepting_referrals'>): boolean => service.status !== 'paused' && service.accepting_referrals;

const primary = (tag: string) => tag.split('-')[0]!;

export function filterChoices(entries: readonly PeerService[]): FilterChoices {
  const countries = new Set<string>();
  const languages = new Set<string>();
  const peers = new Map<string, string>();
  for (const { peer, service } of entries) {
    countries.add(service.location.country);
    for (const area of service.service_areas ?? []) countries.add(area.country);
    for (const language of service.languages) languages.add(language);
    peers.set(peer.id, peer.name);
  }
  return { countries: [...countries], languages: [...languages], peers: [...peers].map(([id, name]) => ({ id, name })) };
}

/** The filters an address asks for, each kept only if the list offers it; and whether the age typed is not one. */
export function filtersFrom(query: Readonly<Record<string, string>>, choices: FilterChoices): { filters: BrowseFilters; ageInvalid: boolean } {
  const among = (value: string | undefined, offered: readonly string[]) => (value && offered.includes(value) ? value : undefined);
  const ageText = (query.age ?? '').trim();
  const age = /^\d{1,3}$/.test(ageText) && Number(ageText) <= 120 ? Number(ageText) : undefined;
  const page = /^\d{1,6}$/.test(query.page ?? '') ? Math.max(1, Number(query.page)) : 1;
  return {
    filters: {
      need: among(query.need, taxonomy().categories.map((c) => c.code)),
      country: among(query.country, choices.countries),
      language: among(query.language, choices.languages),
      peer: among(query.peer, choices.peers.map((p) => p.id)),
      status: among(query.status, LEGAL_STATUSES) as LegalStatus | undefined,
      age,
      children: query.children === 'yes',
      womenOnly: query.women_only === 'yes',
      taking: query.taking === 'yes',
      text: (query.q ?? '').trim().slice(0, MAX_TEXT),
      page,
    },
    ageInvalid: ageText !== '' && age === undefined,
  };
}

/** The address of the list with these filters, at `page`. */
export function browseHref(filters: BrowseFilters, page = 1): string {
  const query = new URLSearchParams();
  const set = (name: string, value: string | undefined) => value && query.set(name, value);
  set('need', filters.need);
  set('country', filters.country);
  set('language', filters.language);
  set('peer', filters.peer);
  set('status', filters.status);
  set('age', filters.age === undefined ? undefined : String(filters.age));
  set('children', filters.children ? 'yes' : undefined);
  set('women_only', filters.womenOnly ? 'yes' : undefined);
  set('taking', filters.taking ? 'yes' : undefined);
  set('q', filters.text);
  if (page > 1) query.set('page', String(page));
  const search = query.toString();
  return search ? `/ui/directory/services?${search}` : '/ui/directory/services';
}

/** The page of a partner's service (the peer's node id is an address: it goes in the query, as on the peers' pages). */
export const servicePath = (peerId: string, serviceId: string): string => `/ui/directory/services/${encodeURIComponent(serviceId)}?peer=${encodeURIComponent(peerId)}`;

/** Whether any filter narrows the list. */
export const anyFilter = (f: BrowseFilters): boolean =>
  Boolean(f.need || f.country || f.language || f.peer || f.status || f.age !== undefined || f.children || f.womenOnly || f.taking || f.text);

let narrower: Map<string, string[]> | undefined;
/** A category and its narrower kinds. */
function kindsOf(code: string): string[] {
  narrower ??= new Map(taxonomy().categories.map((c) => [c.code, taxonomy().categories.filter((k) => k.parent === c.code).map((k) => k.code)]));
  return [code, ...(narrower.get(code) ?? [])];
}

function fits({ peer, service }: PeerService, f: BrowseFilters, text: string, language: Language): boolean {
  const { eligibility } = service;
  if (f.need && !kindsOf(f.need).some((code) => (service.categories as readonly string[]).includes(code))) return false;
  if (f.country && service.location.country !== f.country && !(service.service_areas ?? []).some((a) => a.country === f.country)) return false;
  if (f.language && !service.languages.some((l) => l === f.language || primary(l) === primary(f.language!))) return false;
  if (f.peer && peer.id !== f.peer) return false;
  if (f.status && eligibility?.legal_statuses && !eligibility.legal_statuses.includes(f.status)) return false;
  if (f.age !== undefined && ((eligibility?.minimum_age ?? 0) > f.age || (eligibility?.maximum_age ?? 120) < f.age)) return false;
  if (f.children && eligibility?.children_accepted === false) return false;
  if (f.womenOnly && !eligibility?.women_only) return false;
  if (f.taking && !takesReferralsNow(service)) return false;
  if (text && !Object.values(service.name).some((name) => name.toLocaleLowerCase(language).includes(text))) return false;
  return true;
}

/**
 * The services that pass the filters, by organisation and then by name as the reader's language
 * sorts them: how many there are, and those of the page asked for (the last one if it asked for
 * one beyond).
 */
export function browseServices(entries: readonly PeerService[], filters: BrowseFilters, language: Language): { total: number; page: number; shown: PeerService[] } {
  const text = filters.text.toLocaleLowerCase(language);
  const name = (e: PeerService) => directoryText(e.service.name, language).text;
  const found = entries
    .filter((e) => fits(e, filters, text, language))
    .sort((x, y) => x.peer.name.localeCompare(y.peer.name, language) || name(x).localeCompare(name(y), language) || x.peer.id.localeCompare(y.peer.id) || x.service.id.localeCompare(y.service.id));
  const pages = Math.max(1, Math.ceil(found.length / PAGE_SIZE));
  const page = Math.min(filters.page, pages);
  return { total: found.length, page, shown: found.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE) };
}
