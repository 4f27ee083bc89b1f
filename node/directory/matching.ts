// Matching: which services, across this node's own and its trusted peers' current directories,
// fit a client's needs, and why. A service is a candidate when one of its categories meets a need
// (the same code, a narrower kind of it, or the broader category it belongs to); every other
// criterion (place, languages, eligibility, children, how it is given, availability) either
// counts for it (`reasons`) or against it (`misfits`): nothing is hidden from the caseworker, who
// decides, but what fits best comes first. Only services the caseworker cannot send anyone to are
// left out: paused ones, those of peers not trusted, and services in another country when a
// country was asked (unless given online).
//
// The candidates come from an in-memory index of every directory held, built again only when a
// directory or an own service changed: a query touches the services of the needed categories only.
import type { components } from '../../spec/generated/local.js';
import type { NodeContext } from '../context.js';
import { listDirectoryServices, ownServiceVersions, type DirectoryService } from './services.js';
import { currentDirectoryRevisions, currentPeerDirectories } from './sync.js';
import { taxonomy } from './taxonomy.js';

export type MatchQuery = components['schemas']['MatchQuery'];
export type MatchResult = components['schemas']['MatchResult'];
export type MatchResponse = components['schemas']['MatchResponse'];
type Reason = MatchResult['reasons'][number];
export type MatchReasonCode = Reason['code'];

/** The criterion each kind of reason is under. */
const CRITERION: Readonly<Record<MatchReasonCode, Reason['criterion']>> = {
  'need-exact': 'need', 'need-narrower': 'need', 'need-broader': 'need', 'need-unmet': 'need',
  'place-country': 'place', 'place-elsewhere': 'place', 'place-region': 'place', 'place-not-region': 'place', 'place-city': 'place', 'place-not-city': 'place',
  'language-shared': 'language', 'language-none': 'language',
  women: 'eligibility', 'women-only': 'eligibility', 'age-within': 'eligibility', 'age-below-minimum': 'eligibility', 'age-above-maximum': 'eligibility',
  'status-served': 'eligibility', 'status-not-served': 'eligibility',
  'children-welcome': 'children', 'children-not-accepted': 'children',
  'mode-offered': 'mode', 'mode-not-offered': 'mode',
  'not-accepting': 'availability', 'places-free': 'availability', 'no-place-free': 'availability',
};

/** Every kind of reason the matcher gives. */
export const MATCH_REASON_CODES = Object.keys(CRITERION) as MatchReasonCode[];

/** A reason: its kind, its parts (lists as codes joined by commas) and the English sentence. */
const why = (code: MatchReasonCode, values: Record<string, string>, detail: string): Reason => ({ criterion: CRITERION[code], code, values, detail });

interface Entry {
  service: DirectoryService;
  organization: MatchResult['organization'];
  /** The last query that scored it. */
  pass: number;
}

let passes = 0;

interface Index {
  key: string;
  byCategory: Map<string, Entry[]>;
  services: number;
  peers: number;
}

const indexes = new WeakMap<NodeContext, Index>();

/** The index, built again when the directories held or the own services changed. */
async function currentIndex(ctx: NodeContext): Promise<Index> {
  const { db } = ctx.database;
  // What the index depends on, without reading any services: which trusted peers have a current
  // directory and its revision (raised only when its services changed), and the own services.
  const peers = (await currentDirectoryRevisions(ctx)).map((d) => `${d.id}:${d.revision}:${d.name}:${d.country}`).join(',');
  const own = (await ownServiceVersions(db)).map((s) => `${s.id}:${s.updated_at}:${s.status}`).join(',');
  const key = JSON.stringify([ctx.self.nodeId, ctx.self.name, own, peers]);
  const cached = indexes.get(ctx);
  if (cached?.key === key) return cached;

  const byCategory = new Map<string, Entry[]>();
  let services = 0;
  const add = (service: DirectoryService, organization: Entry['organization']) => {
    if (service.status === 'paused') return;
    services += 1;
    const entry = { service, organization, pass: 0 }; // one per service, in the list of each of its categories
    for (const code of service.categories) {
      const list = byCategory.get(code) ?? [];
      list.push(entry);
      byCategory.set(code, list);
    }
  };
  for (const service of await listDirectoryServices(db)) {
    add(service, { node_id: ctx.self.nodeId, name: ctx.self.name, country: ctx.self.country, own: true });
  }
  const held = await currentPeerDirectories(ctx);
  for (const peer of held) {
    for (const service of peer.services) add(service, { node_id: peer.id, name: peer.name, country: peer.country, own: false });
  }
  const index = { key, byCategory, services, peers: held.length };
  indexes.set(ctx, index);
  return index;
}

type How = 'exact' | 'narrower' | 'broader';

/** The categories whose services are candidates: each need's own, its narrower kinds and its broader one. */
function categoriesMeeting(needs: readonly string[]): Set<string> {
  const parents = parentsOf();
  const codes = new Set<string>();
  for (const need of needs) {
    codes.add(need);
    for (const [code, parent] of parents) if (parent === need) codes.add(code);
    const parent = parents.get(need);
    if (parent) codes.add(parent);
  }
  return codes;
}

/** How category `code` meets `need`, if it does. */
function howMeets(code: string, need: string, parents: ReadonlyMap<string, string>): How | undefined {
  if (code === need) return 'exact';
  if (parents.get(code) === need) return 'narrower';
  if (parents.get(need) === code) return 'broader';
  return undefined;
}

let parents: Map<string, string> | undefined;
const parentsOf = () => (parents ??= new Map(taxonomy().categories.filter((c) => c.parent).map((c) => [c.code, c.parent!])));
const RANK: Record<How, number> = { exact: 3, narrower: 2, broader: 1 };

const WEIGHT = { exact: 40, narrower: 35, broader: 20 } as const;

export async function matchServices(ctx: NodeContext, query: MatchQuery): Promise<MatchResponse> {
  const index = await currentIndex(ctx);
  const meeting = categoriesMeeting(query.needs);
  const labels = new Map(taxonomy().categories.map((c) => [c.code, c.labels.en]));
  // First every candidate's score alone (no words: there may be thousands), then the words for
  // those shown.
  const pass = ++passes; // marks the entries this query has scored (one service, several categories)
  const scored: Array<{ entry: Entry; points: number }> = [];
  for (const code of meeting) {
    for (const entry of index.byCategory.get(code) ?? []) {
      if (entry.pass === pass) continue;
      entry.pass = pass;
      const points = score(entry, query, labels, false);
      if (points !== undefined) scored.push({ entry, points: points.score });
    }
  }
  scored.sort((x, y) => y.points - x.points || compare(x.entry.organization.name, y.entry.organization.name) || compare(x.entry.service.id, y.entry.service.id));
  const results = scored.slice(0, query.limit ?? 20).map(({ entry }) => score(entry, query, labels, true)!);
  return { results, searched: { services: index.services, peers: index.peers }, total: scored.length };
}

const compare = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

/**
 * The service's score for the query, with (`explain`) or without the words for each criterion.
 * Written to allocate nothing when not explaining (`say?.push(...)` does not even build its
 * argument then): a query may score thousands of candidates to show twenty.
 */
function score(entry: Entry, query: MatchQuery, labels: Map<string, string>, explain: boolean): MatchResult | undefined {
  const { service, organization } = entry;
  // Elsewhere and only in person: out at once (most candidates of a query with a country).
  const online = service.modes.includes('online') || service.modes.includes('phone');
  const { country, region, city } = query;
  const servesCountry = country !== undefined && servesPlace(service, country, undefined);
  if (country && !online && !servesCountry) return undefined;
  const reasons: Reason[] = [];
  const misfits: Reason[] = [];
  const say = explain ? reasons : undefined;
  const against = explain ? misfits : undefined;
  let points = 0;

  // Needs: each need counts by the best of the service's categories for it (the same code, a
  // narrower kind, the broader one); a need none of them meets is said.
  const parents = parentsOf();
  for (const need of query.needs) {
    let how: How | undefined;
    let by = '';
    for (const code of service.categories) {
      const candidate = howMeets(code, need, parents);
      if (candidate && (!how || RANK[candidate] > RANK[how])) {
        how = candidate;
        by = code;
      }
    }
    if (!how) {
      points -= 15;
      against?.push(why('need-unmet', { need }, `does not offer ${labels.get(need)}`));
      continue;
    }
    points += WEIGHT[how];
    say?.push(
      how === 'exact'
        ? why('need-exact', { category: by }, labels.get(by)!)
        : how === 'narrower'
          ? why('need-narrower', { category: by, need }, `${labels.get(by)} (a kind of ${labels.get(need)})`)
          : why('need-broader', { category: by, need }, `${labels.get(by)} (broader than ${labels.get(need)})`),
    );
  }

  // Place: the service's location or one of its areas; elsewhere only when given online.
  if (country) {
    if (!servesCountry) {
      points -= 10;
      if (against) {
        const modes = service.modes.filter((m) => m !== 'in-person');
        against.push(why('place-elsewhere', { country: service.location.country, asked: country, modes: modes.join(',') }, `in ${service.location.country}, not ${country}; given ${modes.join(' or ')}`));
      }
    } else {
      points += 20;
      say?.push(why('place-country', { country }, `in ${country}`));
      if (region) {
        if (servesPlace(service, country, region)) {
          points += 5;
          say?.push(why('place-region', { place: region }, `in ${region}`));
        } else {
          points -= 5;
          const actual = service.location.region;
          against?.push(why('place-not-region', { place: region, ...(actual ? { actual } : {}) }, `not in ${region}${actual ? ` (in ${actual})` : ''}`));
        }
      }
      if (city) {
        if (service.location.city === city) {
          points += 5;
          say?.push(why('place-city', { place: city }, `in ${city}`));
        } else if (!online) {
          points -= 5;
          const actual = service.location.city;
          against?.push(why('place-not-city', { place: city, ...(actual ? { actual } : {}) }, `not in ${city}${actual ? ` (in ${actual})` : ''}`));
        }
      }
    }
  }

  // Languages: one in common is enough.
  const languages = query.languages;
  if (languages?.length) {
    if (speaksAny(service.languages, languages)) {
      points += 15;
      if (say) {
        const shared = languages.filter((l) => speaksAny(service.languages, [l]));
        say.push(why('language-shared', { languages: shared.join(',') }, `works in ${shared.join(', ')}`));
      }
    } else {
      points -= 30;
      against?.push(why('language-none', { languages: service.languages.join(','), asked: languages.join(',') }, `works in ${service.languages.join(', ')}, not ${languages.join(', ')}`));
    }
  }

  // Eligibility: said when it counts either way; a rule she does not meet is a misfit.
  const eligibility = service.eligibility;
  if (eligibility) {
    if (eligibility.women_only) {
      if (query.gender === 'female') {
        points += 5;
        say?.push(why('women', {}, 'for women'));
      } else if (query.gender) {
        points -= 50;
        against?.push(why('women-only', {}, 'for women only'));
      }
    }
    const { age } = query;
    if (age !== undefined) {
      const { minimum_age: minimum, maximum_age: maximum } = eligibility;
      if (minimum !== undefined && age < minimum) {
        points -= 50;
        against?.push(why('age-below-minimum', { age: String(minimum) }, `from age ${minimum}`));
      } else if (maximum !== undefined && age > maximum) {
        points -= 50;
        against?.push(why('age-above-maximum', { age: String(maximum) }, `up to age ${maximum}`));
      } else if (minimum !== undefined || maximum !== undefined) {
        points += 2;
        say?.push(why('age-within', { age: String(age) }, `age ${age} within its range`));
      }
    }
    const statuses = eligibility.legal_statuses;
    if (query.legal_status && statuses) {
      if (statuses.includes(query.legal_status)) {
        points += 5;
        say?.push(why('status-served', { status: query.legal_status }, `serves ${query.legal_status}`));
      } else {
        points -= 50;
        against?.push(why('status-not-served', { statuses: statuses.join(','), status: query.legal_status }, `serves ${statuses.join(', ')}, not ${query.legal_status}`));
      }
    }
    if (query.with_children) {
      if (eligibility.children_accepted === true) {
        points += 5;
        say?.push(why('children-welcome', {}, 'children can come too'));
      } else if (eligibility.children_accepted === false) {
        points -= 40;
        against?.push(why('children-not-accepted', {}, 'children cannot come'));
      }
    }
  }

  // How it is given.
  const mode = query.mode;
  if (mode) {
    if (service.modes.includes(mode)) {
      points += 5;
      say?.push(why('mode-offered', { mode }, mode));
    } else {
      points -= 10;
      against?.push(why('mode-not-offered', { modes: service.modes.join(','), mode }, `given ${service.modes.join(', ')}, not ${mode}`));
    }
  }

  // Availability now.
  if (!service.accepting_referrals) {
    points -= 30;
    against?.push(why('not-accepting', {}, 'not taking referrals now'));
  }
  const free = service.capacity?.available;
  if (free !== undefined) {
    if (free > 0) {
      points += 10;
      say?.push(why('places-free', { count: String(free) }, `${free} place${free === 1 ? '' : 's'} free`));
    } else {
      points -= 30;
      against?.push(why('no-place-free', {}, 'no place free now'));
    }
  }

  return { service, organization, score: points, reasons, misfits, referable: !organization.own && service.accepting_referrals };
}

// Module-level helpers rather than closures inside score(): a closure made per candidate costs
// more than the test it does.

/** Whether the service is in (or takes people from) `country`, and `region` when given. */
function servesPlace(service: DirectoryService, country: string, region: string | undefined): boolean {
  const { location, service_areas: areas } = service;
  if (location.country === country && (region === undefined || location.region === region)) return true;
  if (!areas) return false;
  for (const area of areas) if (area.country === country && (region === undefined || area.region === region)) return true;
  return false;
}

/** Whether one of `spoken` is among the service's languages (a regional variant counts). */
function speaksAny(serviceLanguages: readonly string[], spoken: readonly string[]): boolean {
  for (const language of spoken) {
    const base = primary(language);
    for (const offered of serviceLanguages) if (offered === language || primary(offered) === base) return true;
  }
  return false;
}

function primary(tag: string): string {
  const dash = tag.indexOf('-');
  return dash < 0 ? tag : tag.slice(0, dash);
}
