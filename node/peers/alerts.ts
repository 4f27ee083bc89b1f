// Alerts about peers: raised when a peer's refreshed identity document is not accepted
// (node/peers/refresh.ts), resolved by an administrator once they have looked into it. The
// local API and the web interface read and resolve them here, so both show the same alerts and
// leave the same audit entry.
import { appendAuditEvent } from '../audit-log/append.js';
import type { AuditActor } from '../audit-log/events.js';
import type { Db } from '../db/database.js';
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
export async function resolvePeerAlert(db: Db, id: number, now: Date, actor: AuditActor): Promise<{ peerId: string; kind: PeerAlertKind } | undefined> {
  return db.transaction().execute(async (tx) => {
    const alert = await tx.selectFrom('peer_alerts').select(['peer_id', 'kind']).where('id', '=', id).where('resolved_at', 'is', null).executeTakeFirst();
    if (!alert) return undefined;
    await tx.updateTable('peer_alerts').set({ resolved_at: now.toISOString() }).where('id', '=', id).execute();
    await appendAuditEvent(tx, now, actor, { type: 'peer.alert-resolved', peer_id: alert.peer_id, kind: alert.kind });
    return { peerId: alert.peer_id, kind: alert.kind };
  });
}
