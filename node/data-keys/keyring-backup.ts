// The keyring's copy that goes with a copy of the database (`referral-node backup`). The database
// copy is useless without the keyring keys its data keys name, and a key may be added (a shredding
// run's replacement, a new month's key) or removed (the key it replaced) while the database is
// copied. So the keyring is read just before the copy starts and again just after it ends, and
// the copy written beside the database copy holds both reads' keys: one added meanwhile is in the
// second read, one removed meanwhile in the first. Keys are only ever added or removed, so a
// database copy of any moment in between finds every key it needs, unless a key was both added
// and removed while it ran; a caller that can list the keys its copy needs (`needs`) has that
// checked, and the backup fails rather than keep a copy that cannot be read.
//
// No KEK is needed: the keys are copied as the file holds them, wrapped by the KEK.
import { closeSync, existsSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { KeyringError, readKeyringFile, serialiseKeyring, syncFolder, type KeyringFile } from './keyring.js';

export class KeyringBackupError extends Error {}

export interface KeyringCopyOptions<T> {
  /** The ids of the keyring keys the copy `during` made needs (its data keys' wrapping keys). */
  needs?: (result: T) => Promise<Iterable<string>> | Iterable<string>;
}

/**
 * Runs `during` (the copy of the database) between two reads of the keyring at `keyringPath`, and
 * writes their union to the new file `to` (mode 0600; never overwrites a file, and is claimed
 * before anything else is done). On any failure, `to` is removed; what `during` made is the
 * caller's to remove.
 */
export async function copyKeyringAround<T>(keyringPath: string, to: string, during: () => Promise<T>, options: KeyringCopyOptions<T> = {}): Promise<T> {
  const fd = claim(to);
  let written = false;
  try {
    const before = readKeyring(keyringPath);
    const result = await during();
    const after = readKeyring(keyringPath);
    const union = keyringUnion(before, after, keyringPath);
    if (options.needs) {
      const held = new Set(union.keys.map((k) => k.id));
      const missing = new Set([...(await options.needs(result))].filter((id) => !held.has(id)));
      if (missing.size > 0) {
        throw new KeyringBackupError(
          `The database copy needs ${missing.size === 1 ? 'a keyring key' : `${missing.size} keyring keys`} that ${keyringPath} held neither before nor after it (keys were replaced more than once while it was made, as erasures do): nothing was kept. Run the backup again.`,
        );
      }
    }
    writeSync(fd, serialiseKeyring(union));
    fsyncSync(fd);
    written = true;
    return result;
  } finally {
    closeSync(fd);
    if (written) syncFolder(to);
    else rmSync(to, { force: true });
  }
}

/**
 * The keys of both reads of one keyring: those of `before` in their order, then those added
 * since. The order matters: a month's current key is its last one in the file.
 */
function keyringUnion(before: KeyringFile, after: KeyringFile, path: string): KeyringFile {
  if (before.keyring_id !== after.keyring_id) {
    throw new KeyringBackupError(
      `${path} was replaced by another keyring while the database was copied, so no keyring copy goes with it: nothing was kept. Find out what replaced it, then run the backup again.`,
    );
  }
  const earlier = new Map(before.keys.map((k) => [k.id, k]));
  for (const key of after.keys) {
    const seen = earlier.get(key.id);
    if (seen && (seen.wrapped !== key.wrapped || seen.period !== key.period)) {
      throw new KeyringBackupError(`The key ${key.id} of ${path} changed while the database was copied, which the node never does: nothing was kept. Find out what changed it.`);
    }
  }
  return { ...before, keys: [...before.keys, ...after.keys.filter((k) => !earlier.has(k.id))] };
}

/** The ids of the keyring keys that the data keys of the SQLite database `file` are wrapped by. */
export function keyringKeysNeededBySqlite(file: string): string[] {
  const sqlite = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    const table = sqlite.prepare("select name from sqlite_master where type = 'table' and name = 'data_keys'").get();
    if (!table) return [];
    return (sqlite.prepare('select distinct keyring_key_id as id from data_keys').all() as Array<{ id: string }>).map((r) => r.id);
  } finally {
    sqlite.close();
  }
}

/**
 * The ids of the keyring keys named in the data of the `data_keys` table as pg_restore writes it
 * (`pg_restore --data-only --table=data_keys --file=-`): a COPY statement and its rows.
 */
export function keyringKeysNeededByCopyText(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => /^COPY\s+(?:"?\w+"?\.)?"?data_keys"?\s*\(/.test(line));
  if (start < 0) return [];
  const columns = /\(([^)]*)\)/.exec(lines[start]!)![1]!.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
  const column = columns.indexOf('keyring_key_id');
  if (column < 0) throw new KeyringBackupError('The dump\'s data_keys table has no keyring_key_id column: it was not made by this version of the node.');
  const ids = new Set<string>();
  for (const line of lines.slice(start + 1)) {
    if (line === '\\.') break;
    const value = line.split('\t')[column];
    if (value !== undefined && value !== '\\N') ids.add(value);
  }
  return [...ids];
}

function claim(to: string): number {
  try {
    return openSync(to, 'wx', 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new KeyringBackupError(
      code === 'EEXIST' ? `${to} exists already: a backup never overwrites a file; choose a new name.` : `Cannot write ${to} (${code}): choose a file in a folder you may write to.`,
    );
  }
}

/** The keyring file as it is now, checked as the node reads it (keyring.ts). */
function readKeyring(path: string): KeyringFile {
  if (!existsSync(path)) {
    throw new KeyringBackupError(
      `No keyring at ${path}: without it the database copy could not be read, so nothing was copied. Start the node once (it makes its keyring when its database needs none yet), or restore the keyring backed up with the database, or point REFERRAL_NODE_KEYRING at it.`,
    );
  }
  try {
    return readKeyringFile(path);
  } catch (error) {
    if (error instanceof KeyringError) throw new KeyringBackupError(`${error.message} Nothing was copied.`);
    throw error;
  }
}
