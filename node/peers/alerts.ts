// Alerts about peers: raised when a peer's refreshed identity document is not accepted
// (node/peers/refresh.ts), resolved by an administrator once they have looked into it. The
// local API and the web interface read and resolve them here, so both show the same alerts and
// leave the same audit entry.
import { appendAuditEvent } from '../audit-log/append.js';
import type { AuditActor } from '../audit-log/events.js';
import type { Database, Db, Tx } from '../db/database.js';
import type { PeerAlertsTable } from '../db/schema.js';

export type PeerAlertKind = PeerAlertsTable['kind'];

export interface PeerAlert {
  id: number;
  peerId: string;
  peerName: string;
  kind: PeerAlertKind;
  /** The node's own sentence, in English (URLs and fingerprints, no personal data). */
  detail: string;
  /** The document that was not accepted, kept as evidence (the peer's own signed text). */
  evidence: string | undefined;
  detectedAt: string;
  resolvedAt: string | undefined;
}

/** Alerts, newest first: all, or one peer's, or only those no one has resolved yet. */
export async function peerAlerts(db: Db, options: { peerId?: string; openOnly?: boolean } = {}): Promise<PeerAlert[]> {
  let query = db
    .selectFrom('peer_alerts')
    .leftJoin('peers', 'peers.id', 'peer_alerts.peer_id')
    .select(['peer_alerts.id', 'peer_alerts.peer_id', 'peer_alerts.kind', 'peer_alerts.detail', 'peer_alerts.evidence', 'peer_alerts.detected_at', 'peer_alerts.resolved_at', 'peers.name'])
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
    evidence: r.evidence ?? undefined,
    detectedAt: r.detected_at,
    resolvedAt: r.resolved_at ?? undefined,
  }));
}

/**
 * Marks the open alert `id` resolved by `actor`, with its audit entry, in one transaction. The
 * alert's peer and kind, or undefined when there is no open alert with this id (nothing changes).
 */
export async function resolvePeerAlert(database: Database, id: number, now: Date, actor: AuditActor): Promise<{ peerId: string; kind: PeerAlertKind } | undefined> {
  return database.transaction(async (tx) => {
    const alert = await tx.selectFrom('peer_alerts').select(['peer_id', 'kind']).where('id', '=', id).where('resolved_at', 'is', null).executeTakeFirst();
    if (!alert) return undefined;
    await tx.updateTable('peer_alerts').set({ resolved_at: now.toISOString() }).where('id', '=', id).execute();
    await appendAuditEvent(tx, now, actor, { type: 'peer.alert-resolved', peer_id: alert.peer_id, kind: alert.kind });
    return { peerId: alert.peer_id, kind: alert.kind };
  });
}

/** An alert as raised: what was not accepted, and the digest that tells the same evidence seen again. */
export interface NewPeerAlert {
  peerId: string;
  kind: PeerAlertKind;
  detail: string;
  evidence: string | undefined;
  evidenceDigest: string;
}

/**
 * Raises `alert` inside the caller's transaction, unless the same evidence of the same kind was
 * raised for the peer before (the same document seen again is the same alert): whether it is new.
 */
export async function raisePeerAlert(tx: Tx, alert: NewPeerAlert, now: Date): Promise<boolean> {
  const known = await tx
    .selectFrom('peer_alerts')
    .select('id')
    .where('peer_id', '=', alert.peerId)
    .where('kind', '=', alert.kind)
    .where('evidence_digest', '=', alert.evidenceDigest)
    .executeTakeFirst();
  if (known) return false;
  await tx
    .insertInto('peer_alerts')
    .values({
      peer_id: alert.peerId, kind: alert.kind, detail: alert.detail, evidence: alert.evidence ?? null, evidence_digest: alert.evidenceDigest,
      detected_at: now.toISOString(), resolved_at: null,
    })
    .execute();
  return true;
}

/**
 * A trusted peer went beyond one of its quotas (referrals/quotas.ts): an alert for this node's
 * administrators, at most one a day per peer and quota however many messages were refused.
 */
export async function raiseQuotaAlert(database: Database, peerId: string, quota: string, detail: string, now: Date): Promise<boolean> {
  const day = now.toISOString().slice(0, 10);
  return database.transaction(async (tx) => {
    const raised = await raisePeerAlert(tx, { peerId, kind: 'quota-exceeded', detail, evidence: undefined, evidenceDigest: `quota-exceeded:${quota}:${day}` }, now);
    if (raised) await appendAuditEvent(tx, now, { kind: 'system', id: 'peer-quotas' }, { type: 'peer.alert', peer_id: peerId, kind: 'quota-exceeded' });
    return raised;
  });
}
