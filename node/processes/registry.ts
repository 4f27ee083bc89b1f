// The processes serving one node's data, as they know each other: several `serve` processes may
// share a PostgreSQL database (`--role web|worker|all`), and a CLI command may run beside them.
// A process that delivers or runs periodic jobs registers itself and says every HEARTBEAT_MS that
// it is alive; one silent for LIVE_MS is taken for dead, so what it held (envelope leases, jobs)
// can be taken over at once instead of waiting for leases to run out. Liveness uses the wall
// clock of each process, which the protocol already asks to be synchronised.
import type { Db } from '../db/database.js';

export type ProcessRole = 'web' | 'worker' | 'all';

/** How often a registered process says it is alive. */
export const HEARTBEAT_MS = 2_000;
/** Silent this long, a process is taken for dead: three heartbeats missed. */
export const LIVE_MS = 3 * HEARTBEAT_MS;

export async function registerProcess(db: Db, id: string, role: ProcessRole, now: Date): Promise<void> {
  const at = now.toISOString();
  await db
    .insertInto('node_processes')
    .values({ id, role, started_at: at, seen_at: at })
    .onConflict((oc) => oc.column('id').doUpdateSet({ seen_at: at }))
    .execute();
}

/** Says the process is alive. */
export async function heartbeat(db: Db, id: string, now: Date): Promise<void> {
  await db.updateTable('node_processes').set({ seen_at: now.toISOString() }).where('id', '=', id).execute();
}

/** A process stopping cleanly: nothing of it lingers, and the jobs it ran are free at once. */
export async function unregisterProcess(db: Db, id: string): Promise<void> {
  await db.deleteFrom('job_leases').where('owner', '=', id).execute();
  await db.deleteFrom('node_processes').where('id', '=', id).execute();
}

/** The registered processes silent for longer than LIVE_MS. */
export async function deadProcesses(db: Db, now: Date): Promise<string[]> {
  const rows = await db.selectFrom('node_processes').select('id').where('seen_at', '<', new Date(now.getTime() - LIVE_MS).toISOString()).execute();
  return rows.map((r) => r.id);
}

/** Forgets dead processes once what they held has been released. */
export async function forgetProcesses(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom('job_leases').where('owner', 'in', ids).execute();
  await db.deleteFrom('node_processes').where('id', 'in', ids).execute();
}

/**
 * Claims periodic job `name` for process `owner`: true when no other live process runs it. The
 * first process to claim a job keeps it until it stops or falls silent; the others skip their
 * ticks of it meanwhile, so the job runs once across the processes.
 */
export async function claimJob(db: Db, name: string, owner: string, now: Date): Promise<boolean> {
  const live = db.selectFrom('node_processes').select('id').where('seen_at', '>=', new Date(now.getTime() - LIVE_MS).toISOString());
  const result = await db
    .insertInto('job_leases')
    .values({ name, owner, claimed_at: now.toISOString() })
    .onConflict((oc) =>
      oc
        .column('name')
        .doUpdateSet({ owner, claimed_at: now.toISOString() })
        .where((eb) => eb.or([eb('job_leases.owner', '=', owner), eb('job_leases.owner', 'not in', live)])),
    )
    .executeTakeFirst();
  return result.numInsertedOrUpdatedRows === 1n;
}
