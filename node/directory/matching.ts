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
import { nowSeconds } from '../context.js';
import type { DirectoryService } from './document.js';
import { listServices } from './services.js';
import { taxonomy } from './taxonomy.js';

export type MatchQuery = components['schemas']['MatchQuery'];
export type MatchResult = components['schemas']['MatchResult'];
export type MatchResponse = components['schemas']['MatchResponse'];
type Reason = MatchResult['reasons'][number];

interface Entry {
  service: DirectoryService;
  organization: MatchResult['organization'];
}

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
  const now = nowSeconds(ctx.clock);
  // What the index depends on, in one cheap aggregate: the trusted peers' current directories
  // (a directory kept anew raises its revision; a peer suspended or restored changes its
  // updated_at and the count) and the own services.
  const peers = await db
    .selectFrom('peer_directories')
    .innerJoin('peers', 'peers.id', 'peer_directories.peer_id')
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.sum<number>('peer_directories.revision').as('revisions'), eb.fn.max('peers.updated_at').as('changed')])
    .where('peers.state', '=', 'trusted')
    .where('peer_directories.exp', '>', now)
    .executeTakeFirstOrThrow();
  const own = await db.selectFrom('services').select((eb) => [eb.fn.max('updated_at').as('latest'), eb.fn.countAll<number>().as('count')]).executeTakeFirstOrThrow();
  const key = JSON.stringify([own.latest, own.count, ctx.self.nodeId, peers.count, peers.revisions, peers.changed]);
  const cached = indexes.get(ctx);
  if (cached?.key === key) return cached;

  const byCategory = new Map<string, Entry[]>();
  let services = 0;
  const add = (service: DirectoryService, organization: Entry['organization']) => {
    if (service.status === 'paused') return;
    services += 1;
    for (const code of service.categories) {
      const list = byCategory.get(code) ?? [];
      list.push({ service, organization });
      byCategory.set(code, list);
    }
  };
  for (const { created_at: _created, ...service } of await listServices(db)) {
    add(service, { node_id: ctx.self.nodeId, name: ctx.self.name, country: ctx.self.country, own: true });
  }
  const held = await db
    .selectFrom('peer_directories')
    .innerJoin('peers', 'peers.id', 'peer_directories.peer_id')
    .select(['peers.id', 'peers.name', 'peers.country', 'peer_directories.services'])
    .where('peers.state', '=', 'trusted')
    .where('peer_directories.exp', '>', now)
    .orderBy('peers.id')
    .execute();
  for (const peer of held) {
    for (const service of JSON.parse(peer.services ?? '[]') as DirectoryService[]) add(service, { node_id: peer.id, name: peer.name, country: peer.country, own: false });
  }
  const index = { key, byCategory, services, peers: held.length };
  indexes.set(ctx, index);
  return index;
}

/** For each category a need can be met by, how: the code itself, a narrower kind, or the broader one. */
function categoriesMeeting(needs: readonly string[]): Map<string, { need: string; how: 'exact' | 'narrower' | 'broader' }> {
  const categories = taxonomy().categories;
  const meeting = new Map<string, { need: string; how: 'exact' | 'narrower' | 'broader' }>();
  for (const need of needs) {
    meeting.set(need, { need, how: 'exact' });
    for (const c of categories) if (c.parent === need && !meeting.has(c.code)) meeting.set(c.code, { need, how: 'narrower' });
    const parent = categories.find((c) => c.code === need)?.parent;
    if (parent && !meeting.has(parent)) meeting.set(parent, { need, how: 'broader' });
  }
  return meeting;
}

const WEIGHT = { exact: 40, narrower: 35, broader: 20 } as const;

export async function matchServices(ctx: NodeContext, query: MatchQuery): Promise<MatchResponse> {
  const index = await currentIndex(ctx);
  const meeting = categoriesMeeting(query.needs);
  const labels = new Map(taxonomy().categories.map((c) => [c.code, c.labels.en]));
  // First every candidate's score alone (no words: there may be thousands), then the words for
  // those shown.
  const seen = new Set<Entry>();
  const scored: Array<{ entry: Entry; points: number }> = [];
  for (const code of meeting.keys()) {
    for (const entry of index.byCategory.get(code) ?? []) {
      if (seen.has(entry)) continue;
      seen.add(entry);
      const points = score(entry, query, meeting, labels, false);
      if (points !== undefined) scored.push({ entry, points: points.score });
    }
  }
  scored.sort((x, y) => y.points - x.points || compare(x.entry.organization.name, y.entry.organization.name) || compare(x.entry.service.id, y.entry.service.id));
  const results = scored.slice(0, query.limit ?? 20).map(({ entry }) => score(entry, query, meeting, labels, true)!);
  return { results, searched: { services: index.services, peers: index.peers }, total: scored.length };
}

const compare = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

/** The service's score for the query, with (`explain`) or without the words for each criterion. */
function score(entry: Entry, query: MatchQuery, meeting: ReturnType<typeof categoriesMeeting>, labels: Map<string, string>, explain: boolean): MatchResult | undefined {
  const { service, organization } = entry;
  // Elsewhere and only in person: out at once (most candidates of a query with a country).
  const online = service.modes.includes('online') || service.modes.includes('phone');
  const country = query.country;
  if (country && !online && service.location.country !== country && !service.service_areas?.some((a) => a.country === country)) return undefined;
  const reasons: Reason[] = [];
  const misfits: Reason[] = [];
  let points = 0;
  const fits = (criterion: Reason['criterion'], detail: () => string, weight: number) => {
    if (explain) reasons.push({ criterion, detail: detail() });
    points += weight;
  };
  const misfit = (criterion: Reason['criterion'], detail: () => string, weight: number) => {
    if (explain) misfits.push({ criterion, detail: detail() });
    points -= weight;
  };

  // Needs: every need met counts; a need this service does not meet is said.
  const met = new Set<string>();
  for (const code of service.categories) {
    const how = meeting.get(code);
    if (!how || met.has(how.need)) continue;
    met.add(how.need);
    fits(
      'need',
      () => (how.how === 'exact' ? labels.get(code)! : how.how === 'narrower' ? `${labels.get(code)} (a kind of ${labels.get(how.need)})` : `${labels.get(code)} (broader than ${labels.get(how.need)})`),
      WEIGHT[how.how],
    );
  }
  for (const need of query.needs) if (!met.has(need)) misfit('need', () => `does not offer ${labels.get(need)}`, 15);

  // Place: the service's location or one of its areas; elsewhere only when given online.
  if (query.country) {
    const areas = [service.location, ...(service.service_areas ?? [])];
    const inCountry = areas.filter((a) => a.country === query.country);
    if (inCountry.length === 0) {
      if (!online) return undefined;
      misfit('place', () => `in ${service.location.country}, not ${query.country}; given ${service.modes.filter((m) => m !== 'in-person').join(' or ')}`, 10);
    } else {
      fits('place', () => `in ${query.country}`, 20);
      if (query.region) {
        if (inCountry.some((a) => a.region === query.region)) fits('place', () => `in ${query.region}`, 5);
        else misfit('place', () => `not in ${query.region}${service.location.region ? ` (in ${service.location.region})` : ''}`, 5);
      }
      if (query.city) {
        if (service.location.city === query.city) fits('place', () => `in ${query.city}`, 5);
        else if (!online) misfit('place', () => `not in ${query.city}${service.location.city ? ` (in ${service.location.city})` : ''}`, 5);
      }
    }
  }

  // Languages: one in common is enough.
  const languages = query.languages;
  if (languages?.length) {
    const common = languages.filter((l) => service.languages.some((s) => s === l || s.split('-')[0] === l.split('-')[0]));
    if (common.length > 0) fits('language', () => `works in ${common.join(', ')}`, 15);
    else misfit('language', () => `works in ${service.languages.join(', ')}, not ${languages.join(', ')}`, 30);
  }

  // Eligibility: said when it counts either way; a rule she does not meet is a misfit.
  const eligibility = service.eligibility ?? {};
  if (eligibility.women_only) {
    if (query.gender === 'female') fits('eligibility', () => 'for women', 5);
    else if (query.gender) misfit('eligibility', () => 'for women only', 50);
  }
  if (query.age !== undefined) {
    if (eligibility.minimum_age !== undefined && query.age < eligibility.minimum_age) misfit('eligibility', () => `from age ${eligibility.minimum_age}`, 50);
    else if (eligibility.maximum_age !== undefined && query.age > eligibility.maximum_age) misfit('eligibility', () => `up to age ${eligibility.maximum_age}`, 50);
    else if (eligibility.minimum_age !== undefined || eligibility.maximum_age !== undefined) fits('eligibility', () => `age ${query.age} within its range`, 2);
  }
  const statuses = eligibility.legal_statuses;
  if (query.legal_status && statuses) {
    if (statuses.includes(query.legal_status)) fits('eligibility', () => `serves ${query.legal_status}`, 5);
    else misfit('eligibility', () => `serves ${statuses.join(', ')}, not ${query.legal_status}`, 50);
  }
  if (query.with_children) {
    if (eligibility.children_accepted === true) fits('children', () => 'children can come too', 5);
    else if (eligibility.children_accepted === false) misfit('children', () => 'children cannot come', 40);
  }

  // How it is given.
  const mode = query.mode;
  if (mode) {
    if (service.modes.includes(mode)) fits('mode', () => mode, 5);
    else misfit('mode', () => `given ${service.modes.join(', ')}, not ${mode}`, 10);
  }

  // Availability now.
  if (!service.accepting_referrals) misfit('availability', () => 'not taking referrals now', 30);
  const free = service.capacity?.available;
  if (free !== undefined) {
    if (free > 0) fits('availability', () => `${free} place${free === 1 ? '' : 's'} free`, 10);
    else misfit('availability', () => 'no place free now', 30);
  }

  return {
    service,
    organization,
    score: points,
    reasons,
    misfits,
    referable: !organization.own && service.accepting_referrals,
  };
}
