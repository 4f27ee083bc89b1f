// The node's own identity in the database: settings and keys. Each private key is sealed under a
// data key of its own ('node-key:<kid>', data-keys/), so that destroying a key (rotation, a
// revocation) destroys it for real, on PostgreSQL too: its data key goes, and the keyring key that
// wrapped it is replaced and destroyed.
import type { JWK } from 'jose';
import type { Database, Db, Tx } from '../db/database.js';
import type { Kek } from '../crypto/kek.js';
import { x25519PublicKeyOf } from '../crypto/aead.js';
import { utf8 } from '../crypto/encoding.js';
import { DataKeyError, destroyDataKeys, sealedFromText, sealedText, type DataKeys } from '../data-keys/data-keys.js';
import {
  encryptionKeyFrom,
  generateEncryptionKey,
  generateSigningKey,
  signingKeyFromPrivateJwk,
  type EncryptionKey,
  type OkpPublicJwk,
  type SigningKey,
} from './keys.js';

export interface NodeSettings {
  nodeId: string;
  name: string;
  country: string;
  languages: string[];
  contact?: string | undefined;
}

export interface SelfIdentity extends NodeSettings {
  signingKey: SigningKey;
  /** The key new envelopes to us are sealed to. */
  encryptionKey: EncryptionKey;
  /** Every encryption key we still hold, by kid (the current one and any not yet destroyed). */
  encryptionKeys: ReadonlyMap<string, EncryptionKey>;
  /** How the signing key came to be the current one: the continuity statements, oldest first. */
  continuity: KeyContinuityStatement[];
  /** This node's own key revocation statements, newest first (served in the identity document). */
  keyRevocations: string[];
}

import { appendAuditEvent } from '../audit-log/append.js';
import type { KeyContinuityStatement } from './continuity.js';

/** The purpose a private key was wrapped for by the KEK, before private keys had data keys. */
const legacyPurpose = (kid: string) => `node-key:${kid}`;
const dataKeyName = (kid: string) => `node-key:${kid}`;
const privateKeyData = (kid: string) => utf8.encode(`node-key:${kid}`);

/** A private key (the signing key's JWK as JSON, or the X25519 key's bytes), sealed for `node_keys.private_wrapped`. */
export async function sealPrivateKey(tx: Tx, dataKeys: DataKeys, kid: string, secret: Uint8Array, now: Date): Promise<string> {
  return sealedText(await dataKeys.seal(tx, dataKeyName(kid), secret, privateKeyData(kid), now));
}

async function openPrivateKey(db: Db, dataKeys: DataKeys, kid: string, stored: string): Promise<Uint8Array> {
  const secret = await dataKeys.open(db, dataKeyName(kid), sealedFromText(stored), privateKeyData(kid));
  if (!secret) throw new DataKeyError(`The private key ${kid} has no data key: the database was altered.`);
  return secret;
}

/** How much of its key history the identity document carries (spec: IdentityClaims). */
export const MAX_CONTINUITY_SERVED = 16;
export const MAX_KEY_REVOCATIONS_SERVED = 4;

export async function createNodeIdentity(database: Database, dataKeys: DataKeys, settings: NodeSettings, now: Date): Promise<void> {
  const { key: signingKey, privateJwk } = await generateSigningKey();
  const encryptionKey = await generateEncryptionKey();
  const createdAt = now.toISOString();
  await database.transaction(async (tx) => {
    await tx
      .insertInto('node_settings')
      .values({
        id: 1,
        node_id: settings.nodeId,
        name: settings.name,
        country: settings.country,
        languages: JSON.stringify(settings.languages),
        contact: settings.contact ?? null,
        created_at: createdAt,
      })
      .execute();
    await tx
      .insertInto('node_keys')
      .values([
        {
          kid: signingKey.kid,
          use: 'sig',
          public_jwk: JSON.stringify(signingKey.publicJwk),
          private_wrapped: await sealPrivateKey(tx, dataKeys, signingKey.kid, utf8.encode(JSON.stringify(privateJwk)), now),
          status: 'active',
          created_at: createdAt,
        },
        {
          kid: encryptionKey.kid,
          use: 'enc',
          public_jwk: JSON.stringify(encryptionKey.publicJwk),
          private_wrapped: await sealPrivateKey(tx, dataKeys, encryptionKey.kid, encryptionKey.privateKey, now),
          status: 'active',
          created_at: createdAt,
        },
      ])
      .execute();
    await appendAuditEvent(tx, now, { kind: 'system', id: 'init' }, {
      type: 'node.initialised', node_id: settings.nodeId, signing_kid: signingKey.kid, encryption_kid: encryptionKey.kid,
    });
  });
}

export async function isInitialised(db: Db): Promise<boolean> {
  return (await db.selectFrom('node_settings').select('id').executeTakeFirst()) !== undefined;
}

export async function loadSelfIdentity(db: Db, dataKeys: DataKeys): Promise<SelfIdentity> {
  const settings = await db.selectFrom('node_settings').selectAll().where('id', '=', 1).executeTakeFirst();
  if (!settings) throw new Error('This data folder holds no node yet: run `referral-node init` first.');
  const rows = await db.selectFrom('node_keys').selectAll().orderBy('created_at', 'desc').execute();
  let signingKey: SigningKey | undefined;
  const encryptionKeys = new Map<string, EncryptionKey>();
  let current: EncryptionKey | undefined;
  for (const row of rows) {
    if (row.status === 'destroyed' || row.status === 'revoked') continue;
    const secret = await openPrivateKey(db, dataKeys, row.kid, row.private_wrapped);
    if (row.use === 'sig' && row.status === 'active') {
      signingKey = await signingKeyFromPrivateJwk(JSON.parse(new TextDecoder().decode(secret)) as JWK);
      if (signingKey.kid !== row.kid) throw new Error(`The stored signing key ${row.kid} does not match its private key: the database was altered.`);
    } else if (row.use === 'enc') {
      // The public half is derived from the private one, never taken from the (unprotected) column:
      // someone who can write the database must not be able to swap in a key of their own.
      const key = await encryptionKeyFrom(await x25519PublicKeyOf(secret), secret);
      if (key.kid !== row.kid || (JSON.parse(row.public_jwk) as OkpPublicJwk).x !== key.publicJwk.x) {
        throw new Error(`The stored encryption key ${row.kid} does not match its private key: the database was altered.`);
      }
      encryptionKeys.set(key.kid, key);
      if (row.status === 'active' && !current) current = key;
    }
  }
  if (!signingKey || !current) throw new Error('The node has no active signing or encryption key.');
  const continuity = continuityChain(rows, signingKey.kid);
  const revocations = await db
    .selectFrom('key_revocations')
    .select('statement')
    .where('node_id', '=', settings.node_id)
    .orderBy('revoked_at', 'desc')
    .limit(MAX_KEY_REVOCATIONS_SERVED)
    .execute();
  return {
    nodeId: settings.node_id,
    name: settings.name,
    country: settings.country,
    languages: JSON.parse(settings.languages) as string[],
    contact: settings.contact ?? undefined,
    signingKey,
    encryptionKey: current,
    encryptionKeys,
    continuity,
    keyRevocations: revocations.map((r) => r.statement),
  };
}

/**
 * The statements that lead to the signing key `kid`, oldest first: each key's statement names the
 * key before it; a key without one (the first, or the first after a revocation) ends the walk, and
 * so does the 16th statement: the document stays small, and a peer that slept through sixteen
 * rotations (years, at one a year) is asked to trust the node anew.
 */
function continuityChain(rows: ReadonlyArray<{ kid: string; use: string; continuity: string | null }>, kid: string): KeyContinuityStatement[] {
  const byKid = new Map(rows.filter((r) => r.use === 'sig').map((r) => [r.kid, r]));
  const chain: KeyContinuityStatement[] = [];
  for (let row = byKid.get(kid); row?.continuity && chain.length < MAX_CONTINUITY_SERVED; ) {
    const statement = JSON.parse(row.continuity) as KeyContinuityStatement;
    chain.unshift(statement);
    const previous = (JSON.parse(Buffer.from(statement.payload, 'base64url').toString('utf8')) as { previous: { kid: string } }).previous.kid;
    row = chain.length < rows.length ? byKid.get(previous) : undefined;
  }
  return chain;
}

/** A key made to be the active one: its public half, its private half sealed (sealPrivateKey). */
export interface NewNodeKey {
  kid: string;
  use: 'sig' | 'enc';
  public_jwk: string;
  private_wrapped: string;
  /** For a signing key after the first: the continuity statement (JSON) that introduces it. */
  continuity: string | null;
}

export async function addActiveKey(tx: Tx, key: NewNodeKey, at: string): Promise<void> {
  await tx
    .insertInto('node_keys')
    .values({ ...key, status: 'active', created_at: at, retired_at: null, destroyed_at: null, revoked_at: null })
    .execute();
}

/** The encryption key `kid` stops being the one sealed to; it is still held to open what was. */
export async function retireEncryptionKey(tx: Tx, kid: string, at: string): Promise<void> {
  await tx.updateTable('node_keys').set({ status: 'retired', retired_at: at }).where('kid', '=', kid).execute();
}

/** The private half of the key `kid` is deleted, its public half kept: destroyed, or revoked as compromised. */
export async function endKey(tx: Tx, kid: string, status: 'destroyed' | 'revoked', at: string): Promise<void> {
  await destroyDataKeys(tx, [dataKeyName(kid)], new Date(at));
  await tx
    .updateTable('node_keys')
    .set({ status, private_wrapped: '', retired_at: at, destroyed_at: at, ...(status === 'revoked' ? { revoked_at: at } : {}) })
    .where('kid', '=', kid)
    .execute();
}

/** A retired encryption key's private half is deleted once its grace period is over. */
export async function destroyRetiredKey(tx: Tx, kid: string, at: string): Promise<void> {
  await destroyDataKeys(tx, [dataKeyName(kid)], new Date(at));
  await tx.updateTable('node_keys').set({ status: 'destroyed', private_wrapped: '', destroyed_at: at }).where('kid', '=', kid).execute();
}

export interface NodeKeyStatus {
  kid: string;
  use: 'sig' | 'enc';
  status: 'active' | 'retired' | 'destroyed' | 'revoked';
  created_at: string;
  retired_at: string | null;
  destroyed_at: string | null;
}

/** Every key this node has had, signing keys first, newest first within each use. */
export async function listNodeKeys(db: Db): Promise<NodeKeyStatus[]> {
  return db.selectFrom('node_keys').select(['kid', 'use', 'status', 'created_at', 'retired_at', 'destroyed_at']).orderBy('use').orderBy('created_at', 'desc').execute();
}

/**
 * Private keys stored before they had data keys were wrapped by the KEK: each is sealed under a
 * data key of its own. Run when the node opens, before its identity is loaded.
 */
export async function adoptLegacyPrivateKeys(database: Database, kek: Kek, dataKeys: DataKeys, now: Date): Promise<number> {
  return database.transaction(async (tx) => {
    const rows = await tx.selectFrom('node_keys').select(['kid', 'private_wrapped']).where('private_wrapped', '!=', '').execute();
    let adopted = 0;
    for (const row of rows) {
      if (await dataKeys.has(tx, dataKeyName(row.kid))) continue;
      const secret = await kek.unwrap(row.private_wrapped, legacyPurpose(row.kid));
      await tx.updateTable('node_keys').set({ private_wrapped: await sealPrivateKey(tx, dataKeys, row.kid, secret, now) }).where('kid', '=', row.kid).execute();
      adopted += 1;
    }
    return adopted;
  });
}
