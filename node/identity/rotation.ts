// Encryption-key rotation. A new X25519 key becomes the one published and sealed to; the old one
// is retired (still held, so envelopes sealed to it before peers refreshed our identity document
// still open) and destroyed after a grace period: its private half is deleted, its public half
// kept. A sender whose envelope arrives after that is told `unknown-recipient-key`, fetches our
// document again and seals the envelope anew (delivery/reseal.ts): nothing is lost.
import type { JWK } from 'jose';
import type { NodeContext } from '../context.js';
import type { Database, Tx } from '../db/database.js';
import type { DataKeys } from '../data-keys/data-keys.js';
import { completeErasures } from '../data-keys/shredding.js';
import { utf8 } from '../crypto/encoding.js';
import { appendAuditEvent } from '../audit-log/append.js';
import type { AuditActor } from '../audit-log/events.js';
import { startPeriodic, type Periodic } from '../periodic.js';
import { generateEncryptionKey, generateSigningKey, type EncryptionKey, type SigningKey } from './keys.js';
import { addActiveKey, destroyRetiredKey, endKey, loadSelfIdentity, retireEncryptionKey, sealPrivateKey } from './store.js';
import { recordKeyRevocation } from './revocations.js';
import { signContinuityStatement, type KeyContinuityStatement } from './continuity.js';
import { signOwnKeyRevocation } from './revocation.js';
import { unsentPayloads } from '../delivery/outbox.js';

const DAY_MS = 24 * 60 * 60_000;

export interface KeyPolicy {
  /** Days an encryption key is the current one before a new one replaces it. */
  rotationDays: number;
  /** Days a retired encryption key is still held before its private half is destroyed. */
  retiredDays: number;
}

export async function rotateEncryptionKey(database: Database, dataKeys: DataKeys, now: Date, actor: AuditActor): Promise<{ kid: string; previous: string }> {
  const fresh = await generateEncryptionKey();
  return database.transaction((tx) => rotateEncryptionKeyIn(tx, dataKeys, fresh, now, actor));
}

async function rotateEncryptionKeyIn(tx: Tx, dataKeys: DataKeys, fresh: EncryptionKey, now: Date, actor: AuditActor): Promise<{ kid: string; previous: string }> {
  const at = now.toISOString();
  const current = await tx.selectFrom('node_keys').select('kid').where('use', '=', 'enc').where('status', '=', 'active').executeTakeFirstOrThrow();
  await retireEncryptionKey(tx, current.kid, at);
  const privateWrapped = await sealPrivateKey(tx, dataKeys, fresh.kid, fresh.privateKey, now);
  await addActiveKey(tx, { kid: fresh.kid, use: 'enc', public_jwk: JSON.stringify(fresh.publicJwk), private_wrapped: privateWrapped, continuity: null }, at);
  await appendAuditEvent(tx, now, actor, { type: 'key.rotated', use: 'enc', kid: fresh.kid, previous_kid: current.kid });
  return { kid: fresh.kid, previous: current.kid };
}

/**
 * Replaces the signing key. The continuity statement, signed by the old key and the new one,
 * goes into the identity document, so peers that pinned the old key follow to the new one. The
 * old private half is destroyed at once: nothing is ever signed with it again, and its public
 * half stays (historical keys, the chain) so what it signed stays checkable.
 */
export async function rotateSigningKey(
  database: Database,
  dataKeys: DataKeys,
  self: { nodeId: string; signingKey: SigningKey },
  now: Date,
  actor: AuditActor,
): Promise<{ kid: string; previous: string }> {
  const { key: fresh, privateJwk } = await generateSigningKey();
  const statement = await signContinuityStatement(self.nodeId, self.signingKey, fresh, Math.floor(now.getTime() / 1000));
  const at = now.toISOString();
  return database.transaction(async (tx) => {
    const current = await replaceSigningKeyIn(tx, dataKeys, self.signingKey.kid, { key: fresh, privateJwk, continuity: JSON.stringify(statement) }, { status: 'destroyed', at });
    await appendAuditEvent(tx, now, actor, { type: 'key.rotated', use: 'sig', kid: fresh.kid, previous_kid: current.kid });
    await appendAuditEvent(tx, now, actor, { type: 'key.destroyed', use: 'sig', kid: current.kid });
    return { kid: fresh.kid, previous: current.kid };
  });
}

/**
 * Declares the signing key compromised: a revocation statement signed with it (kept, served in
 * the identity document, pushed to peers by the caller), a new signing key that no chain links to
 * the old one (a thief could sign a continuity statement too), and the old private half gone.
 * Every peer that acts on the statement revokes this node; working together again takes a new
 * invitation, which pins the new key. The encryption key is replaced as well: whoever took one
 * key is assumed to hold the other.
 */
export async function revokeSigningKey(
  database: Database,
  dataKeys: DataKeys,
  self: { nodeId: string; signingKey: SigningKey; continuity: KeyContinuityStatement[] },
  now: Date,
  actor: AuditActor,
): Promise<{ kid: string; revoked: string; statement: string }> {
  const { key: fresh, privateJwk } = await generateSigningKey();
  const freshEncryption = await generateEncryptionKey();
  // The last few steps of the chain: enough for a peer that missed a rotation or two, small enough to send.
  const statement = await signOwnKeyRevocation(self.nodeId, self.signingKey, Math.floor(now.getTime() / 1000), self.continuity.slice(-4));
  const at = now.toISOString();
  // Both keys in one transaction: a crash must not leave the stolen encryption key in use.
  const revoked = await database.transaction(async (tx) => {
    const current = await replaceSigningKeyIn(tx, dataKeys, self.signingKey.kid, { key: fresh, privateJwk, continuity: null }, { status: 'revoked', at });
    await recordKeyRevocation(tx, { kid: current.kid, node_id: self.nodeId, statement, signed_by: 'key', reason: 'key-compromise', revoked_at: at, received_at: at });
    await appendAuditEvent(tx, now, actor, { type: 'key.revoked', use: 'sig', kid: current.kid, reason: 'key-compromise', signing_kid: fresh.kid });
    await rotateEncryptionKeyIn(tx, dataKeys, freshEncryption, now, actor);
    return current.kid;
  });
  return { kid: fresh.kid, revoked, statement };
}

/**
 * The active signing key `expected` gives way to `fresh`: its private half is deleted (destroyed,
 * or revoked as compromised), its public half kept. Refused when another command changed the key
 * since `expected` was read.
 */
async function replaceSigningKeyIn(
  tx: Tx,
  dataKeys: DataKeys,
  expected: string,
  fresh: { key: SigningKey; privateJwk: JWK; continuity: string | null },
  old: { status: 'destroyed' | 'revoked'; at: string },
): Promise<{ kid: string }> {
  const current = await tx.selectFrom('node_keys').select('kid').where('use', '=', 'sig').where('status', '=', 'active').executeTakeFirstOrThrow();
  if (current.kid !== expected) throw new KeyError('The signing key was changed meanwhile (by another command); nothing was done. Run the command again.');
  await endKey(tx, current.kid, old.status, old.at);
  const privateWrapped = await sealPrivateKey(tx, dataKeys, fresh.key.kid, utf8.encode(JSON.stringify(fresh.privateJwk)), new Date(old.at));
  await addActiveKey(tx, { kid: fresh.key.kid, use: 'sig', public_jwk: JSON.stringify(fresh.key.publicJwk), private_wrapped: privateWrapped, continuity: fresh.continuity }, old.at);
  return current;
}

/** A key operation that cannot be done as asked; its message is a sentence for the administrator. */
export class KeyError extends Error {}

/** Destroys the private half of every encryption key retired longer ago than the grace period. */
export async function destroyRetiredKeys(database: Database, dataKeys: DataKeys, now: Date, retiredDays: number, actor: AuditActor): Promise<string[]> {
  const cutoff = new Date(now.getTime() - retiredDays * DAY_MS).toISOString();
  const retired = await database.db
    .selectFrom('node_keys')
    .select('kid')
    .where('use', '=', 'enc')
    .where('status', '=', 'retired')
    .where('retired_at', '<=', cutoff)
    .execute();
  // A message still in our outbox was sealed with our copy of its content key sealed to the key
  // we held then: that key stays until the message has left, or it could never be sealed again
  // should the peer rotate too. So does the key of a message the peer refused for good while a
  // person may still send it once more (`referral retry`): it is kept until the message is sent,
  // or erased with its referral.
  const needed = await sealingKeysOfUnsentEnvelopes(database, dataKeys);
  const due = retired.filter((k) => !needed.has(k.kid));
  for (const { kid } of due) {
    await database.transaction(async (tx) => {
      await destroyRetiredKey(tx, kid, now.toISOString());
      await appendAuditEvent(tx, now, actor, { type: 'key.destroyed', use: 'enc', kid });
    });
  }
  return due.map((d) => d.kid);
}

async function sealingKeysOfUnsentEnvelopes(database: Database, dataKeys: DataKeys): Promise<Set<string>> {
  const queued = await unsentPayloads(database.db, dataKeys);
  const kids = new Set<string>();
  for (const { payload } of queued) {
    try {
      const header = JSON.parse(Buffer.from((JSON.parse(payload) as { header: string }).header, 'base64url').toString('utf8')) as { sender_kid?: unknown };
      if (typeof header.sender_kid === 'string') kids.add(header.sender_kid);
    } catch {
      // An emptied payload (erased) needs no key.
    }
  }
  return kids;
}

/** One round of the schedule: rotate when the current key is old enough, destroy what is due. */
export async function keyRound(ctx: NodeContext, policy: KeyPolicy): Promise<{ rotated?: string; destroyed: string[] }> {
  const now = ctx.clock.now();
  const system: AuditActor = { kind: 'system', id: 'key-schedule' };
  const current = await ctx.database.db.selectFrom('node_keys').select('created_at').where('use', '=', 'enc').where('status', '=', 'active').executeTakeFirstOrThrow();
  let rotated: string | undefined;
  if (Date.parse(current.created_at) <= now.getTime() - policy.rotationDays * DAY_MS) {
    rotated = (await rotateEncryptionKey(ctx.database, ctx.dataKeys, now, system)).kid;
    ctx.logger.info({ kid: rotated }, 'encryption key rotated');
  }
  const destroyed = await destroyRetiredKeys(ctx.database, ctx.dataKeys, now, policy.retiredDays, system);
  if (destroyed.length > 0) {
    ctx.logger.info({ keys: destroyed.length }, 'retired encryption keys destroyed');
    // Their data keys went: the keyring keys that wrapped them go too, so that what the database's
    // files keep of the old rows cannot be opened.
    await completeErasures(ctx);
  }
  await reloadKeysIfChanged(ctx);
  return { ...(rotated ? { rotated } : {}), destroyed };
}

/**
 * The serving node picks up keys changed by the schedule or by `referral-node keys rotate|revoke`
 * run beside it: the keys it holds are loaded again when the database's differ.
 */
export async function reloadKeysIfChanged(ctx: NodeContext): Promise<boolean> {
  const rows = await ctx.database.db.selectFrom('node_keys').select(['kid', 'use', 'status']).where('status', 'in', ['active', 'retired']).execute();
  const enc = rows.filter((r) => r.use === 'enc');
  const held = ctx.self.encryptionKeys;
  const active = (use: 'enc' | 'sig') => rows.find((r) => r.use === use && r.status === 'active')?.kid;
  const same =
    enc.length === held.size && enc.every((r) => held.has(r.kid)) && active('enc') === ctx.self.encryptionKey.kid && active('sig') === ctx.self.signingKey.kid;
  if (same) return false;
  ctx.self = await loadSelfIdentity(ctx.database.db, ctx.dataKeys);
  return true;
}

export function startKeySchedule(ctx: NodeContext, policy: KeyPolicy, everyMs = 60_000): Periodic {
  return startPeriodic(ctx, 'key schedule', everyMs, () => keyRound(ctx, policy));
}
