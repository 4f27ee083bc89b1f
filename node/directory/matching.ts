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
  const held = await db
    .selectFrom('peer_directories')
    .innerJoin('peers', 'peers.id', 'peer_directories.peer_id')
    .select(['peers.id', 'peers.name', 'peers.country', 'peer_directories.fetched_at', 'peer_directories.etag'])
    .where('peers.state', '=', 'trusted')
    .where('peer_directories.exp', '>', now)
    .orderBy('peers.id')
    .execute();
  const own = await db.selectFrom('services').select((eb) => [eb.fn.max('updated_at').as('latest'), eb.fn.countAll<number>().as('count')]).executeTakeFirstOrThrow();
  // A directory kept anew has another ETag (its content changed) or time: either rebuilds the index.
  const key = JSON.stringify([own.latest, own.count, ctx.self.nodeId, held.map((h) => [h.id, h.fetched_at, h.etag])]);
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
  if (held.length > 0) {
    const directories = await db.selectFrom('peer_directories').select(['peer_id', 'services']).where('peer_id', 'in', held.map((h) => h.id)).execute();
    const byPeer = new Map(directories.map((d) => [d.peer_id, d.services]));
    for (const peer of held) {
      for (const service of JSON.parse(byPeer.get(peer.id) ?? '[]') as DirectoryService[]) add(service, { node_id: peer.id, name: peer.name, country: peer.country, own: false });
    }
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
  const seen = new Set<Entry>();
  const results: MatchResult[] = [];
  for (const code of meeting.keys()) {
    for (const entry of index.byCategory.get(code) ?? []) {
      if (seen.has(entry)) continue;
      seen.add(entry);
      const scored = score(entry, query, meeting, labels);
      if (scored) results.push(scored);
    }
  }
  results.sort((x, y) => y.score - x.score || x.organization.name.localeCompare(y.organization.name) || x.service.id.localeCompare(y.service.id));
  return { results: results.slice(0, query.limit ?? 20), searched: { services: index.services, peers: index.peers }, total: results.length };
}

function score(entry: Entry, query: MatchQuery, meeting: ReturnType<typeof categoriesMeeting>, labels: Map<string, string>): MatchResult | undefined {
  const { service, organization } = entry;
  const reasons: Reason[] = [];
  const misfits: Reason[] = [];
  let points = 0;
  const fits = (criterion: Reason['criterion'], detail: string, weight: number) => {
    reasons.push({ criterion, detail });
    points += weight;
  };
  const misfit = (criterion: Reason['criterion'], detail: string, weight: number) => {
    misfits.push({ criterion, detail });
    points -= weight;
  };

  // Needs: every need met counts; a need this service does not meet is said.
  const met = new Set<string>();
  for (const code of service.categories) {
    const how = meeting.get(code);
    if (!how || met.has(how.need)) continue;
    met.add(how.need);
    const detail = how.how === 'exact' ? labels.get(code)! : how.how === 'narrower' ? `${labels.get(code)} (a kind of ${labels.get(how.need)})` : `${labels.get(code)} (broader than ${labels.get(how.need)})`;
    fits('need', detail, WEIGHT[how.how]);
  }
  for (const need of query.needs) if (!met.has(need)) misfit('need', `does not offer ${labels.get(need)}`, 15);

  // Place: the service's location or one of its areas; elsewhere only when given online.
  const online = service.modes.includes('online') || service.modes.includes('phone');
  if (query.country) {
    const areas = [service.location, ...(service.service_areas ?? [])];
    const inCountry = areas.filter((a) => a.country === query.country);
    if (inCountry.length === 0) {
      if (!online) return undefined;
      misfit('place', `in ${service.location.country}, not ${query.country}; given ${service.modes.filter((m) => m !== 'in-person').join(' or ')}`, 10);
    } else {
      fits('place', `in ${query.country}`, 20);
      if (query.region) {
        if (inCountry.some((a) => a.region === query.region)) fits('place', `in ${query.region}`, 5);
        else misfit('place', `not in ${query.region}${service.location.region ? ` (in ${service.location.region})` : ''}`, 5);
      }
      if (query.city) {
        if (service.location.city === query.city) fits('place', `in ${query.city}`, 5);
        else if (!online) misfit('place', `not in ${query.city}${service.location.city ? ` (in ${service.location.city})` : ''}`, 5);
      }
    }
  }

  // Languages: one in common is enough.
  if (query.languages?.length) {
    const common = query.languages.filter((l) => service.languages.some((s) => s === l || s.split('-')[0] === l.split('-')[0]));
    if (common.length > 0) fits('language', `works in ${common.join(', ')}`, 15);
    else misfit('language', `works in ${service.languages.join(', ')}, not ${query.languages.join(', ')}`, 30);
  }

  // Eligibility: said when it counts either way; a rule she does not meet is a misfit.
  const eligibility = service.eligibility ?? {};
  if (eligibility.women_only) {
    if (query.gender === 'female') fits('eligibility', 'for women', 5);
    else if (query.gender) misfit('eligibility', 'for women only', 50);
  }
  if (query.age !== undefined) {
    if (eligibility.minimum_age !== undefined && query.age < eligibility.minimum_age) misfit('eligibility', `from age ${eligibility.minimum_age}`, 50);
    else if (eligibility.maximum_age !== undefined && query.age > eligibility.maximum_age) misfit('eligibility', `up to age ${eligibility.maximum_age}`, 50);
    else if (eligibility.minimum_age !== undefined || eligibility.maximum_age !== undefined) fits('eligibility', `age ${query.age} within its range`, 2);
  }
  if (query.legal_status && eligibility.legal_statuses) {
    if (eligibility.legal_statuses.includes(query.legal_status)) fits('eligibility', `serves ${query.legal_status}`, 5);
    else misfit('eligibility', `serves ${eligibility.legal_statuses.join(', ')}, not ${query.legal_status}`, 50);
  }
  if (query.with_children) {
    if (eligibility.children_accepted === true) fits('children', 'children can come too', 5);
    else if (eligibility.children_accepted === false) misfit('children', 'children cannot come', 40);
  }

  // How it is given.
  if (query.mode) {
    if (service.modes.includes(query.mode)) fits('mode', query.mode, 5);
    else misfit('mode', `given ${service.modes.join(', ')}, not ${query.mode}`, 10);
  }

  // Availability now.
  if (!service.accepting_referrals) misfit('availability', 'not taking referrals now', 30);
  if (service.capacity) {
    if (service.capacity.available > 0) fits('availability', `${service.capacity.available} place${service.capacity.available === 1 ? '' : 's'} free`, 10);
    else misfit('availability', 'no place free now', 30);
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
