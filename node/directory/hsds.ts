// The directory in Open Referral HSDS 3.0 form (organizations with their services, in the compiled
// shape of HSDS's API): this organisation's services and, with `peers`, the current directories of
// its trusted peers, for tools that read HSDS. Ids are derived from the organisation's node id
// and the service's id (kept as `refnet_service_id`), so an export repeated gives the same ids
// and no organisation's can collide with another's. Names and descriptions are given in
// English where the organisation wrote them in English, else in its first language: HSDS has one
// text per field.
import type { NodeContext } from '../context.js';
import { sha256, utf8 } from '../crypto/encoding.js';
import { inOneLanguage, listDirectoryServices, type DirectoryService } from './services.js';
import { currentPeerDirectories } from './sync.js';
import { taxonomy } from './taxonomy.js';

export const HSDS_VERSION = '3.0';

type LocalizedText = Record<string, string>;
type HsdsObject = Record<string, unknown>;

/** A stable UUID (version 8, name-based) for an object derived from `name`. */
function derivedId(name: string): string {
  const hex = Buffer.from(sha256(utf8.encode(name))).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16)}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

const text = (value: LocalizedText | undefined): string | undefined => (value ? inOneLanguage(value) : undefined);

function hsdsService(nodeId: string, service: DirectoryService): HsdsObject {
  const labels = new Map(taxonomy().categories.map((c) => [c.code, c.labels.en]));
  // Ids are the organisation's and the service's together: a peer cannot take over another's.
  const serviceId = derivedId(`${nodeId}:service:${service.id}`);
  const id = (kind: string) => derivedId(`${nodeId}:${service.id}:${kind}`);
  const { eligibility, capacity, contact, location } = service;
  return {
    id: serviceId,
    name: text(service.name),
    description: text(service.description),
    status: service.status === 'paused' ? 'temporarily closed' : 'active',
    ...(contact?.email ? { email: contact.email } : {}),
    ...(contact?.url ? { url: contact.url } : {}),
    ...(eligibility?.eligibility_description ? { eligibility_description: text(eligibility.eligibility_description) } : {}),
    ...(eligibility?.minimum_age !== undefined ? { minimum_age: eligibility.minimum_age } : {}),
    ...(eligibility?.maximum_age !== undefined ? { maximum_age: eligibility.maximum_age } : {}),
    languages: service.languages.map((code) => ({ id: id(`language:${code}`), service_id: serviceId, code })),
    service_areas: (service.service_areas ?? []).map((area, i) => {
      const name = [area.region, area.country].filter(Boolean).join(', ');
      return { id: id(`area:${i}`), service_id: serviceId, name, extent: name, extent_type: 'text' };
    }),
    phones: contact?.phone ? [{ id: id('phone'), service_id: serviceId, number: contact.phone }] : [],
    capacities: capacity
      ? [{ id: id('capacity'), service_id: serviceId, available: capacity.available, ...(capacity.maximum !== undefined ? { maximum: capacity.maximum } : {}), unit: { id: derivedId('unit:places'), name: 'places' }, updated: service.updated_at }]
      : [],
    attributes: service.categories.map((code) => {
      const term = derivedId(`taxonomy:${code}`);
      return {
        id: id(`category:${code}`), link_id: serviceId, link_entity: 'service', link_type: 'category', taxonomy_term_id: term,
        taxonomy_term: { id: term, code, name: labels.get(code) ?? code, taxonomy: 'refnet', version: String(taxonomy().version) },
      };
    }),
    // A place named by its city, region and country, never a street address (so no HSDS address).
    service_at_locations: [{
      id: id('service-at-location'), service_id: serviceId,
      location: {
        id: id('location'), location_type: service.modes.includes('in-person') ? 'physical' : 'virtual',
        name: [location.city, location.region, location.country].filter(Boolean).join(', '),
      },
    }],
    refnet_service_id: service.id,
  };
}

function hsdsOrganization(nodeId: string, name: string, services: DirectoryService[]): HsdsObject {
  return { id: derivedId(`organization:${nodeId}`), name, website: nodeId, services: services.map((service) => hsdsService(nodeId, service)) };
}

/** This organisation's services, and with `peers` the current directories of its trusted peers. */
export async function exportHsds(ctx: NodeContext, options: { peers?: boolean } = {}): Promise<{ hsds_version: string; organizations: HsdsObject[] }> {
  const own = await listDirectoryServices(ctx.database.db);
  const organizations = [hsdsOrganization(ctx.self.nodeId, ctx.self.name, own)];
  if (options.peers) {
    for (const peer of await currentPeerDirectories(ctx)) organizations.push(hsdsOrganization(peer.id, peer.name, peer.services));
  }
  return { hsds_version: HSDS_VERSION, organizations };
}
