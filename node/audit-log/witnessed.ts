// What this node witnessed of its trusted peers' logs (node/audit-log/witness.ts keeps it): for
// each peer the latest checkpoint it cosigned, and every contradiction it flagged with the
// evidence. Read by the local API (GET /api/v1/audit/witness) and the checkpoints page alike.
import type { components } from '../../spec/generated/local.js';
import type { Db } from '../db/database.js';

export type WitnessedLogs = components['schemas']['AuditWitness'];

/** Per peer, the checkpoint last cosigned (by peer id); the inconsistencies newest first. */
export async function witnessedLogs(db: Db): Promise<WitnessedLogs> {
  const [logs, flagged] = await Promise.all([
    db.selectFrom('witnessed_checkpoints').selectAll().orderBy('peer_id').execute(),
    db.selectFrom('witness_inconsistencies').selectAll().orderBy('id', 'desc').execute(),
  ]);
  return {
    logs: logs.map((row) => ({
      peer_id: row.peer_id,
      checkpoint: { size: row.size, root_hash: row.root_hash, note: row.note },
      cosigned_at: row.cosigned_at,
    })),
    inconsistencies: flagged.map((row) => ({
      id: row.id,
      peer_id: row.peer_id,
      kind: row.kind,
      detected_at: row.detected_at,
      held: { size: row.held_size, root_hash: row.held_root_hash, note: row.held_note },
      submitted: { size: row.submitted_size, root_hash: row.submitted_root_hash, note: row.submitted_note },
      proof: row.proof.split('\n').filter(Boolean),
    })),
  };
}
