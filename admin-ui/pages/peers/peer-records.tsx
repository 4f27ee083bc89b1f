// What the peers pages show that the peers service does not return: a peer's keys (pinned, earlier
// ones of its continuity chain, replaced and revoked ones), its last contact and delivery problems,
// its alerts, and this node's own keys. Names of organisations, URLs, fingerprints, states and
// times only: nothing here is personal data.
import type { NodeContext } from '../../../node/context.js';
import type { Db } from '../../../node/db/database.js';
import type { PeersTable } from '../../../node/db/schema.js';
import { historicalKeys } from '../../../node/identity/historical-keys.js';
import { readableFingerprint } from '../../../node/identity/keys.js';
import { peerSigningKeys } from '../../../node/peers/peer-keys.js';

export type PeerState = PeersTable['state'];

export interface PeerAlert {
  id: number;
  peerId: string;
  peerName: string;
  kind: 'signing-key-changed' | 'invalid-identity-document';
  /** The node's own sentence, in English (URLs and fingerprints, no personal data). */
  detail: string;
  detectedAt: string;
  resolvedAt: string | undefined;
}

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

export interface OwnKey {
  use: 'signing' | 'encryption';
  fingerprint: string;
  status: 'current' | 'retired' | 'destroyed' | 'revoked';
  createdAt?: string | undefined;
  retiredAt?: string | undefined;
  destroyedAt?: string | undefined;
}

export interface OwnKeys {
  nodeId: string;
  name: string;
  signingFingerprint: string;
  encryptionFingerprint: string;
  /** How many times the signing key was rotated (continuity statements served). */
  signingRotations: number;
  keys: OwnKey[];
}

const latest = (...times: Array<string | null | undefined>): string | undefined =>
  times.filter((t): t is string => !!t).sort().at(-1);

export async function peerAlerts(db: Db, options: { peerId?: string; openOnly?: boolean } = {}): Promise<PeerAlert[]> {
  let query = db
    .selectFrom('peer_alerts')
    .leftJoin('peers', 'peers.id', 'peer_alerts.peer_id')
    .select(['peer_alerts.id', 'peer_alerts.peer_id', 'peer_alerts.kind', 'peer_alerts.detail', 'peer_alerts.detected_at', 'peer_alerts.resolved_at', 'peers.name'])
    .orderBy('peer_alerts.id', 'desc');
  if (options.peerId) query = query.where('peer_alerts.peer_id', '=', options.peerId);
  if (options.openOnly) query = query.where('peer_alerts.resolved_at', 'is', null);
  const rows = await query.execute();
  return rows.map((r) => ({
    id: r.id,
    peerId: r.peer_id,
    peerName: r.name ?? r.peer_id,
    kind: r.kind,
    detail: r.detail,
    detectedAt: r.detected_at,
    resolvedAt: r.resolved_at ?? undefined,
  }));
}

async function contactOf(db: Db, peerId?: string) {
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
  return rows.map((row) => {
    const c = contact.get(row.id);
    return {
      id: row.id,
      name: row.name,
      country: row.country,
      state: row.state,
      fingerprint: readableFingerprint(row.signing_kid),
      lastContact: latest(c?.lastReceived, c?.lastDelivered),
      failed: c?.failed ?? 0,
      retrying: c?.retrying ?? 0,
      openAlerts: alerts.get(row.id) ?? 0,
    };
  });
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
    id: row.id,
    name: row.name,
    country: row.country,
    state: row.state,
    fingerprint: readableFingerprint(row.signing_kid),
    languages: JSON.parse(row.languages) as string[],
    contact: row.contact ?? undefined,
    revocationReason: row.revocation_reason ?? undefined,
    addedAt: row.added_at,
    trustedAt: row.trusted_at ?? undefined,
    identityCheckedAt: row.identity_checked_at ?? undefined,
    lastReceived: c?.lastReceived,
    lastDelivered: c?.lastDelivered,
    lastContact: latest(c?.lastReceived, c?.lastDelivered),
    failed: c?.failed ?? 0,
    retrying: c?.retrying ?? 0,
    openAlerts: alerts.filter((a) => !a.resolvedAt).length,
    keys: [...keys.values()],
    alerts,
  };
}

const iso = (seconds: number | undefined) => (seconds === undefined ? undefined : new Date(seconds * 1000).toISOString());

/** This node's keys: the current ones from its loaded identity, and every earlier one (public halves only). */
export async function ownKeys(ctx: NodeContext): Promise<OwnKeys> {
  const { self } = ctx;
  const earlier = await historicalKeys(ctx);
  return {
    nodeId: self.nodeId,
    name: self.name,
    signingFingerprint: readableFingerprint(self.signingKey.kid),
    encryptionFingerprint: readableFingerprint(self.encryptionKey.kid),
    signingRotations: self.continuity.length,
    keys: [
      { use: 'signing', fingerprint: readableFingerprint(self.signingKey.kid), status: 'current' },
      { use: 'encryption', fingerprint: readableFingerprint(self.encryptionKey.kid), status: 'current' },
      ...earlier
        .slice()
        .reverse()
        .map((k): OwnKey => ({
          use: k.crv === 'Ed25519' ? 'signing' : 'encryption',
          fingerprint: readableFingerprint(k.kid),
          status: k.revoked_at ? 'revoked' : k.destroyed_at ? 'destroyed' : 'retired',
          createdAt: iso(k.iat),
          retiredAt: iso(k.retired_at),
          destroyedAt: iso(k.destroyed_at),
        })),
    ],
  };
}
