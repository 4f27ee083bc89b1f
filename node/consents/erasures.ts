// The erasures this node asked of others and their signed statements: the only writer of the
// `erasures` table. An erasure is owed once per organisation and referral, and confirmed once,
// each with its audit entry.
import type { components as Local } from '../../spec/generated/local.js';
import type { Db, Tx } from '../db/database.js';
import { appendAuditEvent } from '../audit-log/append.js';
import type { AuditActor } from '../audit-log/events.js';
import type { ErasureReason } from './erasure.js';
import { statementDigest } from './statement.js';

/** Records an erasure owed by `nodeId` for the referral (once) and its audit entry. */
export async function recordErasureOwed(
  tx: Tx,
  referralId: string,
  e: { nodeId: string; onwardReferralId?: string; reason: ErasureReason; now: Date; actor: AuditActor; envelopeId?: string; relayedBy?: string },
): Promise<void> {
  const known = await tx.selectFrom('erasures').select('node_id').where('referral_id', '=', referralId).where('node_id', '=', e.nodeId).executeTakeFirst();
  if (known) return;
  await tx
    .insertInto('erasures')
    .values({
      referral_id: referralId, node_id: e.nodeId, node_referral_id: e.onwardReferralId ?? null, reason: e.reason, requested_at: e.now.toISOString(),
      statement: null, statement_verified: null, relayed_by: e.relayedBy ?? null, confirmed_at: null,
    })
    .execute();
  await appendAuditEvent(tx, e.now, e.actor, {
    type: 'erasure.requested', referral_id: referralId, node_id: e.nodeId, reason: e.reason, ...(e.envelopeId ? { envelope_id: e.envelopeId } : {}),
  });
}

export async function confirmErasure(
  tx: Tx,
  referralId: string,
  c: { nodeId: string; reason: ErasureReason; statement: string; verified: boolean; now: Date; actor: AuditActor; relayedBy?: string },
): Promise<void> {
  const at = c.now.toISOString();
  const known = await tx.selectFrom('erasures').select('confirmed_at').where('referral_id', '=', referralId).where('node_id', '=', c.nodeId).executeTakeFirst();
  if (known?.confirmed_at) return;
  if (known) {
    await tx
      .updateTable('erasures')
      .set({ statement: c.statement, statement_verified: c.verified ? 1 : 0, confirmed_at: at, ...(c.relayedBy ? { relayed_by: c.relayedBy } : {}) })
      .where('referral_id', '=', referralId)
      .where('node_id', '=', c.nodeId)
      .execute();
  } else {
    // Unasked: the eraser's retention period ended.
    await tx
      .insertInto('erasures')
      .values({
        referral_id: referralId, node_id: c.nodeId, node_referral_id: null, reason: c.reason, requested_at: at, statement: c.statement,
        statement_verified: c.verified ? 1 : 0, relayed_by: c.relayedBy ?? null, confirmed_at: at,
      })
      .execute();
  }
  await appendAuditEvent(tx, c.now, c.actor, {
    type: 'erasure.confirmed', referral_id: referralId, node_id: c.nodeId, reason: c.reason, statement_digest: statementDigest(c.statement),
    ...(c.relayedBy ? { relayed_by: c.relayedBy } : {}),
  });
}

export type Erasure = Local['schemas']['Erasure'];

export async function erasuresOf(db: Db, referralIds: readonly string[]): Promise<Map<string, Erasure[]>> {
  const byReferral = new Map<string, Erasure[]>();
  if (referralIds.length === 0) return byReferral;
  const rows = await db.selectFrom('erasures').selectAll().where('referral_id', 'in', referralIds).orderBy('requested_at').execute();
  for (const row of rows) {
    const erasure: Erasure = {
      referral_id: row.referral_id,
      node_id: row.node_id,
      ...(row.node_referral_id ? { onward_referral_id: row.node_referral_id } : {}),
      reason: row.reason,
      status: row.confirmed_at ? 'confirmed' : 'outstanding',
      requested_at: row.requested_at,
      ...(row.confirmed_at ? { confirmed_at: row.confirmed_at } : {}),
      ...(row.statement ? { statement: row.statement } : {}),
      ...(row.statement_verified !== null ? { statement_verified: row.statement_verified === 1 } : {}),
      ...(row.relayed_by ? { relayed_by: row.relayed_by } : {}),
    };
    byReferral.set(row.referral_id, [...(byReferral.get(row.referral_id) ?? []), erasure]);
  }
  return byReferral;
}

/** The onward referral an erasure owed by `nodeId` was asked for, if one was named. */
export async function owedOnwardReferralId(tx: Tx, referralId: string, nodeId: string): Promise<string | undefined> {
  const owed = await tx.selectFrom('erasures').select('node_referral_id').where('referral_id', '=', referralId).where('node_id', '=', nodeId).executeTakeFirst();
  return owed?.node_referral_id ?? undefined;
}

/** Every signed erasure statement received, in the order they were confirmed (for the audit bundle). */
export async function erasureStatements(db: Db): Promise<Array<{ statement: string; node_id: string }>> {
  const rows = await db.selectFrom('erasures').select(['statement', 'node_id']).where('statement', 'is not', null).orderBy('confirmed_at').execute();
  return rows.map((r) => ({ statement: r.statement!, node_id: r.node_id }));
}

/** An erasure requested of an organisation (`nodeId`) that has not yet sent its signed statement. */
export interface UnconfirmedErasure {
  referralId: string;
  nodeId: string;
  reason: Erasure['reason'];
  requestedAt: string;
}

/** The oldest `limit` erasures still waiting for the other organisation's statement. */
export async function unconfirmedErasures(db: Db, limit: number, requested?: { from: Date; to: Date }): Promise<UnconfirmedErasure[]> {
  let query = db.selectFrom('erasures').select(['referral_id', 'node_id', 'reason', 'requested_at']).where('confirmed_at', 'is', null);
  // Only those asked for within the window: the many a peer never confirms do not crowd out the recent.
  if (requested) query = query.where('requested_at', '>=', requested.from.toISOString()).where('requested_at', '<=', requested.to.toISOString());
  const rows = await query.orderBy('requested_at').limit(limit).execute();
  return rows.map((r) => ({ referralId: r.referral_id, nodeId: r.node_id, reason: r.reason, requestedAt: r.requested_at }));
}

/** How many erasures requested of other organisations still wait for their signed statement (for /metrics). */
export async function unconfirmedErasureCount(db: Db): Promise<number> {
  const row = await db
    .selectFrom('erasures')
    .select((eb) => eb.fn.countAll<number | string | bigint>().as('count'))
    .where('confirmed_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
