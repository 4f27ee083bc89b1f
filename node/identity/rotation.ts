// Encryption-key rotation. A new X25519 key becomes the one published and sealed to; the old one
// is retired (still held, so envelopes sealed to it before peers refreshed our identity document
// still open) and destroyed after a grace period: its private half is deleted, its public half
// kept. A sender whose envelope arrives after that is told `unknown-recipient-key`, fetches our
// document again and seals the envelope anew (delivery/reseal.ts): nothing is lost.
import type { NodeContext } from '../context.js';
import type { Database } from '../db/database.js';
import type { Kek } from '../crypto/kek.js';
import { appendAuditEvent } from '../audit-log/append.js';
import type { AuditActor } from '../audit-log/events.js';
import { startPeriodic, type Periodic } from '../periodic.js';
import { generateEncryptionKey } from './keys.js';
import { loadSelfIdentity, purpose } from './store.js';

const DAY_MS = 24 * 60 * 60_000;

export interface KeyPolicy {
  /** Days an encryption key is the current one before a new one replaces it. */
  rotationDays: number;
  /** Days a retired encryption key is still held before its private half is destroyed. */
  retiredDays: number;
}

export async function rotateEncryptionKey(database: Database, kek: Kek, now: Date, actor: AuditActor): Promise<{ kid: string; previous: string }> {
  const fresh = await generateEncryptionKey();
  const at = now.toISOString();
  return database.transaction(async (tx) => {
    const current = await tx.selectFrom('node_keys').select('kid').where('use', '=', 'enc').where('status', '=', 'active').executeTakeFirstOrThrow();
    await tx.updateTable('node_keys').set({ status: 'retired', retired_at: at }).where('kid', '=', current.kid).execute();
    await tx
      .insertInto('node_keys')
      .values({
        kid: fresh.kid, use: 'enc', public_jwk: JSON.stringify(fresh.publicJwk), private_wrapped: await kek.wrap(fresh.privateKey, purpose(fresh.kid)),
        status: 'active', created_at: at, retired_at: null, destroyed_at: null,
      })
      .execute();
    await appendAuditEvent(tx, now, actor, { type: 'key.rotated', use: 'enc', kid: fresh.kid, previous_kid: current.kid });
    return { kid: fresh.kid, previous: current.kid };
  });
}

/** Destroys the private half of every encryption key retired longer ago than the grace period. */
export async function destroyRetiredKeys(database: Database, now: Date, retiredDays: number, actor: AuditActor): Promise<string[]> {
  const cutoff = new Date(now.getTime() - retiredDays * DAY_MS).toISOString();
  const due = await database.db
    .selectFrom('node_keys')
    .select('kid')
    .where('use', '=', 'enc')
    .where('status', '=', 'retired')
    .where('retired_at', '<=', cutoff)
    .execute();
  for (const { kid } of due) {
    await database.transaction(async (tx) => {
      await tx.updateTable('node_keys').set({ status: 'destroyed', private_wrapped: '', destroyed_at: now.toISOString() }).where('kid', '=', kid).execute();
      await appendAuditEvent(tx, now, actor, { type: 'key.destroyed', use: 'enc', kid });
    });
  }
  if (due.length > 0) await database.purgeErased();
  return due.map((d) => d.kid);
}

/** One round of the schedule: rotate when the current key is old enough, destroy what is due. */
export async function keyRound(ctx: NodeContext, policy: KeyPolicy): Promise<{ rotated?: string; destroyed: string[] }> {
  const now = ctx.clock.now();
  const system: AuditActor = { kind: 'system', id: 'key-schedule' };
  const current = await ctx.database.db.selectFrom('node_keys').select('created_at').where('use', '=', 'enc').where('status', '=', 'active').executeTakeFirstOrThrow();
  let rotated: string | undefined;
  if (Date.parse(current.created_at) <= now.getTime() - policy.rotationDays * DAY_MS) {
    rotated = (await rotateEncryptionKey(ctx.database, ctx.kek, now, system)).kid;
    ctx.logger.info({ kid: rotated }, 'encryption key rotated');
  }
  const destroyed = await destroyRetiredKeys(ctx.database, now, policy.retiredDays, system);
  if (destroyed.length > 0) ctx.logger.info({ keys: destroyed.length }, 'retired encryption keys destroyed');
  await reloadKeysIfChanged(ctx);
  return { ...(rotated ? { rotated } : {}), destroyed };
}

/**
 * The serving node picks up keys changed by the schedule or by `referral-node keys rotate` run
 * beside it: the keys it holds are loaded again when the database's differ.
 */
export async function reloadKeysIfChanged(ctx: NodeContext): Promise<boolean> {
  const rows = await ctx.database.db.selectFrom('node_keys').select(['kid', 'status']).where('use', '=', 'enc').where('status', '!=', 'destroyed').execute();
  const held = ctx.self.encryptionKeys;
  const active = rows.find((r) => r.status === 'active')?.kid;
  const same = rows.length === held.size && rows.every((r) => held.has(r.kid)) && active === ctx.self.encryptionKey.kid;
  if (same) return false;
  ctx.self = await loadSelfIdentity(ctx.database.db, ctx.kek);
  return true;
}

export function startKeySchedule(ctx: NodeContext, policy: KeyPolicy, everyMs = 60_000): Periodic {
  return startPeriodic(ctx.logger, 'key schedule', everyMs, () => keyRound(ctx, policy));
}
