// The keyring: the keys that wrap the data keys, in a file outside the database, so that
// destroying one is real. A row deleted from PostgreSQL lingers as a dead tuple until VACUUM, and
// in the write-ahead log, its archives and its replicas for as long as they are kept; a key
// removed from this file is gone (the file is replaced by a new one, and the old one is
// overwritten with zeros before it is let go). Each key belongs to a period (a calendar month): a
// data key is wrapped by the current key of the month it was made in.
//
// The keys in the file are wrapped by the KEK: the file alone opens nothing. Every process of a
// node must see the same file (one data folder, or REFERRAL_NODE_KEYRING on a shared volume); the
// database records the keyring's id and a process with another keyring refuses to start.
//
// Writers are the database's writers: the file is changed only inside a database transaction,
// and those run one at a time across the processes (database.ts), so two processes never change it
// at once. A key added in a transaction that is then rolled back stays unused, which is harmless;
// keys are destroyed only by the shredding run (data-keys.ts), once no data key needs them.
// Readers notice a new file by its inode, modification time and size, and read it again; a key
// not found is looked for once more in the file as it is. Writers always read the file afresh.
import { closeSync, existsSync, fstatSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Kek } from '../crypto/kek.js';
import { AEAD_KEY_BYTES, randomBytes } from '../crypto/aead.js';
import { b64u } from '../crypto/encoding.js';

const FORMAT = 'referral-node keyring';

export class KeyringError extends Error {}

export interface KeyringKey {
  id: string;
  /** The calendar month (YYYY-MM) whose data keys it wraps. */
  period: string;
  createdAt: string;
  key: Uint8Array;
}

export interface Keyring {
  readonly path: string;
  /** The keyring's random id, recorded in the database whose data keys it wraps. */
  id(): string;
  /** Every key held now, oldest first. */
  keys(): Promise<KeyringKey[]>;
  /** The key with this id; undefined when it was destroyed or never existed. */
  find(id: string): Promise<KeyringKey | undefined>;
  /**
   * The newest key of `period` as the file held it a moment ago (its stamp is looked at every
   * LATEST_STAMP_MS at most), if it has one; anywhere (it writes nothing). A guess for preparing
   * a data key outside a transaction: current() has the last word.
   */
  latest(period: string): Promise<KeyringKey | undefined>;
  /**
   * The newest key of `period`; a new one, written to the file, when the period has none. Only
   * inside a write transaction. With `transaction` (any object standing for the one asking), the
   * file is read once for it: writers run one at a time across the processes, so while it holds
   * the write lock only it can change the file (through this keyring, which then reads it again).
   */
  current(period: string, now: Date, transaction?: object): Promise<KeyringKey>;
  /** A new key for `period`, written to the file: from now on the period's current key. Only inside a write transaction. */
  add(period: string, now: Date): Promise<KeyringKey>;
  /** Removes these keys from the file for good. Only inside a write transaction. */
  destroy(ids: readonly string[]): Promise<void>;
}

/** A key as the file holds it. */
export interface StoredKey {
  id: string;
  period: string;
  created_at: string;
  /** The key, wrapped by the KEK (purpose `keyring-key:<keyring id>:<key id>`). */
  wrapped: string;
}

export interface KeyringFile {
  format: typeof FORMAT;
  version: 1;
  keyring_id: string;
  keys: StoredKey[];
}

export const periodOf = (at: Date): string => at.toISOString().slice(0, 7);

/** Creates an empty keyring at `path` (mode 0600); never overwrites a file. */
export async function createKeyringFile(path: string): Promise<void> {
  const file: KeyringFile = { format: FORMAT, version: 1, keyring_id: b64u.encode(await randomBytes(16)), keys: [] };
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, serialiseKeyring(file));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  syncFolder(path);
}

export const keyringExists = (path: string): boolean => existsSync(path);

/** How long latest() goes on with the file as last read before it looks at the file's stamp again. */
const LATEST_STAMP_MS = 250;

export function openKeyring(path: string, kek: Kek): Keyring {
  let loaded: { file: KeyringFile; stamp: string } = { file: readKeyringFile(path), stamp: stampOf(path) };
  const unwrapped = new Map<string, Uint8Array>();
  const keyringId = loaded.file.keyring_id;
  const purpose = (keyId: string) => `keyring-key:${keyringId}:${keyId}`;

  /** The file as it is now: read again when another process (or this one) replaced it, or always when `force`. */
  const fresh = (force = false): KeyringFile => {
    const stamp = stampOf(path);
    if (force || stamp !== loaded.stamp) {
      const file = readKeyringFile(path);
      if (file.keyring_id !== keyringId) throw new KeyringError(`${path} was replaced by another keyring while the node ran; restore the one it started with.`);
      loaded = { file, stamp };
      // Keys destroyed meanwhile leave this process's memory too.
      const held = new Set(file.keys.map((k) => k.id));
      for (const [id, key] of unwrapped) {
        if (!held.has(id)) {
          key.fill(0);
          unwrapped.delete(id);
        }
      }
    }
    return loaded.file;
  };

  /** The file, its stamp looked at unless that was done less than `ms` ago. */
  let stampedAt = -Infinity;
  const freshWithin = (ms: number): KeyringFile => {
    const now = performance.now();
    if (now - stampedAt < ms) return loaded.file;
    stampedAt = now;
    return fresh();
  };

  const materialise = async (stored: StoredKey): Promise<KeyringKey> => {
    let key = unwrapped.get(stored.id);
    if (!key) {
      key = await kek.unwrap(stored.wrapped, purpose(stored.id));
      unwrapped.set(stored.id, key);
    }
    return { id: stored.id, period: stored.period, createdAt: stored.created_at, key };
  };

  /** The file as read for a write transaction (current()), and how many writes this keyring had made then. */
  const readFor = new WeakMap<object, { file: KeyringFile; writes: number }>();
  let writes = 0;
  const write = (file: KeyringFile) => {
    replaceFile(path, serialiseKeyring(file));
    writes += 1;
    loaded = { file, stamp: stampOf(path) };
  };
  const freshFor = (transaction: object | undefined): KeyringFile => {
    if (!transaction) return fresh(true);
    const read = readFor.get(transaction);
    if (read && read.writes === writes) return read.file;
    const file = fresh(true);
    readFor.set(transaction, { file, writes });
    return file;
  };

  const add = async (period: string, now: Date): Promise<KeyringKey> => {
    const file = fresh(true);
    const key = await randomBytes(AEAD_KEY_BYTES);
    const id = `${period}.${b64u.encode(await randomBytes(9))}`;
    const stored: StoredKey = { id, period, created_at: now.toISOString(), wrapped: await kek.wrap(key, purpose(id)) };
    write({ ...file, keys: [...file.keys, stored] });
    unwrapped.set(id, key);
    return { id, period, createdAt: stored.created_at, key };
  };

  return {
    path,
    id: () => keyringId,
    async keys() {
      return Promise.all(fresh(true).keys.map(materialise));
    },
    async find(id) {
      const stored = fresh().keys.find((k) => k.id === id) ?? fresh(true).keys.find((k) => k.id === id);
      return stored ? materialise(stored) : undefined;
    },
    async latest(period) {
      // A choice keep() checks in its transaction: the file's stamp is looked at now and then only.
      const stored = freshWithin(LATEST_STAMP_MS).keys.filter((k) => k.period === period).at(-1);
      return stored ? materialise(stored) : undefined;
    },
    async current(period, now, transaction) {
      // Read afresh, once per write transaction: what it returns wraps data keys, and a stamp
      // (inode, mtime, size) can look unchanged across a replacement (a reused inode, a coarse
      // mtime, NFS's attribute cache), which would wrap under a key just destroyed. latest() may
      // use the stamp: keep() checks its choice against this.
      const stored = freshFor(transaction).keys.filter((k) => k.period === period).at(-1);
      return stored ? materialise(stored) : add(period, now);
    },
    add,
    async destroy(ids) {
      if (ids.length === 0) return;
      const doomed = new Set(ids);
      const file = fresh(true);
      write({ ...file, keys: file.keys.filter((k) => !doomed.has(k.id)) });
      for (const id of ids) {
        unwrapped.get(id)?.fill(0);
        unwrapped.delete(id);
      }
    },
  };
}

export const serialiseKeyring = (file: KeyringFile): string => `${JSON.stringify(file, null, 1)}\n`;

function stampOf(path: string): string {
  try {
    const stat = statSync(path, { bigint: true });
    return `${stat.ino}:${stat.mtimeNs}:${stat.size}`;
  } catch {
    throw new KeyringError(`The keyring ${path} is gone: restore it from the backup taken with the database (without it no personal data can be read).`);
  }
}

/** The file at `path`, checked; read again when a writer's replacement was caught half-way. */
export function readKeyringFile(path: string): KeyringFile {
  if (!existsSync(path)) {
    throw new KeyringError(`No keyring at ${path}: restore it from the backup taken with the database, or point REFERRAL_NODE_KEYRING at it.`);
  }
  // A reader may catch the moment a writer overwrites the previous file; the next read has the new one.
  for (let attempt = 0; ; attempt += 1) {
    try {
      return parseKeyringFile(readFileSync(path, 'utf8'), path);
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

function parseKeyringFile(text: string, path: string): KeyringFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new KeyringError(`${path} is not a keyring (not JSON): restore it from the backup taken with the database.`);
  }
  const file = parsed as Partial<KeyringFile>;
  const wellFormed =
    typeof parsed === 'object' &&
    parsed !== null &&
    file.format === FORMAT &&
    file.version === 1 &&
    typeof file.keyring_id === 'string' &&
    Array.isArray(file.keys) &&
    file.keys.every(
      (k: Partial<StoredKey>) =>
        typeof k === 'object' &&
        k !== null &&
        typeof k.id === 'string' && typeof k.period === 'string' && /^\d{4}-\d{2}$/.test(k.period) && typeof k.created_at === 'string' && typeof k.wrapped === 'string',
    );
  if (!wellFormed) throw new KeyringError(`${path} is not a keyring this node can read: restore it from the backup taken with the database.`);
  const { format, version, keyring_id, keys } = file as KeyringFile;
  // Only what the node reads: nothing else in the file is kept, written back or copied.
  return { format, version, keyring_id, keys: keys.map(({ id, period, created_at, wrapped }) => ({ id, period, created_at, wrapped })) };
}

/**
 * Replaces the file at `path` by one holding `content`: written and synced beside it, renamed over
 * it (a crash leaves the old file or the new one, whole), and then the old file, still open, is
 * overwritten with zeros and synced, so that what it held does not stay behind in its blocks.
 * (A file system that copies on write, or an SSD's wear levelling, may still keep old blocks: see
 * docs/decisions.md, "Erasure".)
 */
function replaceFile(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.${Date.now()}.new`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const previous = existsSync(path) ? openSync(path, 'r+') : undefined;
  try {
    renameSync(temporary, path);
    syncFolder(path);
    if (previous !== undefined) {
      const size = fstatSync(previous).size;
      if (size > 0) writeSync(previous, Buffer.alloc(size), 0, size, 0);
      fsyncSync(previous);
    }
  } finally {
    if (previous !== undefined) closeSync(previous);
  }
}

export function syncFolder(path: string): void {
  const fd = openSync(dirname(path), 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
