// Backups of a node's database. SQLite: an online backup through SQLite's backup API, consistent
// while `serve` writes (the copy is of one moment, pages written meanwhile are copied again).
// PostgreSQL: the database server's own tool, pg_dump; here only the command to run is said.
// Neither copies the key-encryption key: a backup alone opens nothing, and the KEK's own copy
// must be kept apart from it.
import SQLite from 'better-sqlite3';
import { chmodSync, existsSync, rmSync, writeFileSync } from 'node:fs';

export class BackupError extends Error {}

/** Copies the SQLite database at `source` to the new file `to` (mode 0600); refuses to overwrite. */
export async function backupSqlite(source: string, to: string): Promise<{ pages: number }> {
  if (!existsSync(source)) throw new BackupError(`There is no SQLite database at ${source}.`);
  try {
    // Created first, empty and private, so that the copy is never readable by others and an
    // existing file is never overwritten (not even one that appears meanwhile).
    writeFileSync(to, '', { flag: 'wx', mode: 0o600 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new BackupError(
      code === 'EEXIST' ? `${to} exists already: a backup never overwrites a file; choose a new name.` : `Cannot write ${to} (${code}): choose a file in a folder you may write to.`,
    );
  }
  const sqlite = new SQLite(source, { fileMustExist: true });
  try {
    sqlite.pragma('busy_timeout = 5000');
    const { totalPages } = await sqlite.backup(to);
    chmodSync(to, 0o600);
    const copy = new SQLite(to, { readonly: true, fileMustExist: true });
    try {
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new BackupError(`The copy in ${to} did not pass SQLite's check; it was removed. Try again.`);
    } finally {
      copy.close();
    }
    return { pages: totalPages };
  } catch (error) {
    rmSync(to, { force: true });
    throw error;
  } finally {
    sqlite.close();
  }
}

/** A PostgreSQL URL without its password (in the user part or as a parameter), safe to print. */
export function withoutPassword(url: string): string {
  const parsed = new URL(url);
  parsed.password = '';
  parsed.searchParams.delete('password');
  return parsed.toString();
}

/** The pg_dump command that backs up the node's PostgreSQL database into `to`. */
export function pgDumpCommand(url: string, to: string): string {
  return `pg_dump --format=custom --no-owner --file=${shellQuote(to)} ${shellQuote(withoutPassword(url))}`;
}

const shellQuote = (text: string): string => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`);
