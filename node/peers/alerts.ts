// Alerts about peers: raised when a peer's refreshed identity document is not accepted
// (node/peers/refresh.ts), resolved by an administrator once they have looked into it. The
// local API and the web interface resolve them here, so both leave the same audit entry.
import { appendAuditEvent } from '../audit-log/append.js';
import type { AuditActor } from '../audit-log/events.js';
import type { Db } from '../db/database.js';
import type { PeerAlertsTable } from '../db/schema.js';

export type PeerAlertKind = PeerAlertsTable['kind'];

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
