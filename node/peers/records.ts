// What the peers pages show of a peer besides what the peers service returns: its keys (pinned,
// earlier ones of its continuity chain, replaced and revoked ones), its last contact and delivery
// problems, and its alerts. Names of organisations, URLs, fingerprints, states and times only:
// nothing here is personal data.
import type { Selectable } from 'kysely';
import type { Db } from '../db/database.js';
import type { PeersTable } from '../db/schema.js';
import { readableFingerprint } from '../identity/keys.js';
import { peerAlerts, type PeerAlert } from './alerts.js';
import { peerSigningKeys } from './peer-keys.js';

export type PeerState = PeersTable['state'];

export interface PeerSummary {
  id: string;
  name: string;
  country: string;
  state: PeerState;
  fingerprint: string;
  /** The latest of: a message received from it, one delivered to it. */
  lastContact: string | undefined;
  /** Messages to it that failed for good, or wait for another attempt. */
  failed: number;
  retrying: number;
  openAlerts: number;
}

export interface PeerKey {
  fingerprint: string;
  status: 'pinned' | 'earlier' | 'replaced' | 'revoked';
  /** For a replaced key: when a document with a later key took its place; for a revoked one: when it stopped being trustworthy. */
  since?: string | undefined;
}

export interface PeerRecord extends PeerSummary {
  languages: string[];
  contact: string | undefined;
  revocationReason: string | undefined;
  addedAt: string;
  trustedAt: string | undefined;
  identityCheckedAt: string | undefined;
  lastReceived: string | undefined;
  lastDelivered: string | undefined;
  keys: PeerKey[];
  alerts: PeerAlert[];
}

const latest = (...times: Array<string | null | undefined>): string | undefined =>
  times.filter((t): t is string => !!t).sort().at(-1);

/** What the envelopes to and from a peer say of its contact and delivery problems. */
interface Contact {
  lastReceived: string | undefined;
  lastDelivered: string | undefined;
  failed: number;
  retrying: number;
}

async function contactOf(db: Db, peerId?: string): Promise<Map<string, Contact>> {
  let query = db
    .selectFrom('envelopes')
    .select((eb) => [
      'peer_id',
      eb.fn.max('received_at').as('last_received'),
      eb.fn.max('delivered_at').as('last_delivered'),
      eb.fn.sum<number>(eb.case().when('delivery_state', '=', 'failed').then(1).else(0).end()).as('failed'),
      eb.fn.sum<number>(eb.case().when(eb.and([eb('delivery_state', '=', 'queued'), eb('attempts', '>', 0)])).then(1).else(0).end()).as('retrying'),
    ])
    .groupBy('peer_id');
  if (peerId) query = query.where('peer_id', '=', peerId);
  const rows = await query.execute();
  return new Map(rows.map((r) => [r.peer_id, { lastReceived: r.last_received ?? undefined, lastDelivered: r.last_delivered ?? undefined, failed: Number(r.failed ?? 0), retrying: Number(r.retrying ?? 0) }]));
}

async function openAlertCounts(db: Db): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('peer_alerts')
    .select((eb) => ['peer_id', eb.fn.countAll<number>().as('n')])
    .where('resolved_at', 'is', null)
    .groupBy('peer_id')
    .execute();
  return new Map(rows.map((r) => [r.peer_id, Number(r.n)]));
}

export async function peerSummaries(db: Db): Promise<PeerSummary[]> {
  const [rows, contact, alerts] = await Promise.all([db.selectFrom('peers').selectAll().orderBy('name').execute(), contactOf(db), openAlertCounts(db)]);
  return rows.map((row) => summaryOf(row, contact.get(row.id), alerts.get(row.id) ?? 0));
}

function summaryOf(row: Selectable<PeersTable>, c: Contact | undefined, openAlerts: number): PeerSummary {
  return {
    id: row.id,
    name: row.name,
    country: row.country,
    state: row.state,
    fingerprint: readableFingerprint(row.signing_kid),
    lastContact: latest(c?.lastReceived, c?.lastDelivered),
    failed: c?.failed ?? 0,
    retrying: c?.retrying ?? 0,
    openAlerts,
  };
}

export async function peerRecord(db: Db, id: string): Promise<PeerRecord | undefined> {
  const row = await db.selectFrom('peers').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return undefined;
  const [contact, alerts, replaced, revoked] = await Promise.all([
    contactOf(db, id),
    peerAlerts(db, { peerId: id }),
    db.selectFrom('peer_identity_history').select(['signing_kid', 'replaced_at']).where('peer_id', '=', id).orderBy('replaced_at').execute(),
    db.selectFrom('key_revocations').select(['kid', 'revoked_at']).where('node_id', '=', id).orderBy('revoked_at').execute(),
  ]);
  const keys = new Map<string, PeerKey>();
  for (const kid of peerSigningKeys(row).keys()) {
    if (kid !== row.signing_kid) keys.set(kid, { fingerprint: readableFingerprint(kid), status: 'earlier' });
  }
  for (const r of replaced) keys.set(r.signing_kid, { fingerprint: readableFingerprint(r.signing_kid), status: 'replaced', since: r.replaced_at });
  for (const r of revoked) keys.set(r.kid, { fingerprint: readableFingerprint(r.kid), status: 'revoked', since: r.revoked_at });
  keys.delete(row.signing_kid);
  const c = contact.get(id);
  return {
    ...summaryOf(row, c, alerts.filter((a) => !a.resolvedAt).length),
    languages: JSON.parse(row.languages) as string[],
    contact: row.contact ?? undefined,
    revocationReason: row.revocation_reason ?? undefined,
    addedAt: row.added_at,
    trustedAt: row.trusted_at ?? undefined,
    identityCheckedAt: row.identity_checked_at ?? undefined,
    lastReceived: c?.lastReceived,
    lastDelivered: c?.lastDelivered,
    keys: [...keys.values()],
    alerts,
  };
}

/** What pages need to name an organisation. */
export interface PeerName {
  name: string;
  country: string;
}

/** The name and country of each of these peers that this node knows (an unknown id is left out). */
export async function peerNames(db: Db, ids: readonly string[]): Promise<Map<string, PeerName>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('peers').select(['id', 'name', 'country']).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, { name: r.name, country: r.country }]));
}
