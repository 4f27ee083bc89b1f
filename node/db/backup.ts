// Backups of a node's database. SQLite: an online backup through SQLite's backup API, consistent
// while `serve` writes (the copy is of one moment, pages written meanwhile are copied again).
// PostgreSQL: the database server's own tool, pg_dump, run here with the password in its
// environment only. Neither copies the key-encryption key: a backup alone opens nothing, and the
// KEK's own copy must be kept apart from it. The keyring copy that must go with each database copy
// is made around these by the caller (node/data-keys/keyring-backup.ts).
import SQLite from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { accessSync, chmodSync, closeSync, constants, existsSync, openSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';

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

/** The password a PostgreSQL URL holds (a `password` parameter wins over the user part, as in libpq), if any. */
export function passwordOf(url: string): string | undefined {
  const parsed = new URL(url);
  const parameter = parsed.searchParams.get('password');
  if (parameter !== null) return parameter;
  return parsed.password ? decodeURIComponent(parsed.password) : undefined;
}

/** pg_dump's arguments for a backup of the database at `url` into `to`: never the password. */
export const pgDumpArgs = (url: string, to: string): string[] => ['--format=custom', '--no-owner', `--file=${to}`, withoutPassword(url)];

/** The pg_dump command that backs up the node's PostgreSQL database into `to`. */
export function pgDumpCommand(url: string, to: string): string {
  return ['pg_dump', ...pgDumpArgs(url, to)].map(shellQuote).join(' ');
}

const shellQuote = (text: string): string => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`);

const isProgram = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/**
 * Where the PostgreSQL client program `tool` is: `explicit` when given (undefined if no program is
 * there), else beside `besides` (pg_restore next to the pg_dump used), else on PATH, else in
 * Debian's /usr/lib/postgresql/<version>/bin, the newest version first.
 */
export function findPostgresTool(tool: 'pg_dump' | 'pg_restore', options: { explicit?: string | undefined; besides?: string | undefined } = {}): string | undefined {
  if (options.explicit !== undefined) return isProgram(options.explicit) ? options.explicit : undefined;
  const candidates: string[] = [];
  if (options.besides) candidates.push(join(dirname(options.besides), tool));
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir) candidates.push(join(dir, tool));
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const version of versions) candidates.push(join(root, version, 'bin', tool));
  }
  return candidates.find(isProgram);
}

/** What a PostgreSQL client program wrote and how it ended. */
interface ToolRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `program` with `password`, if any, in PGPASSWORD only; stdout kept when `keepStdout`. */
function runTool(program: string, args: string[], password: string | undefined, keepStdout: boolean): Promise<ToolRun> {
  const env = password === undefined ? process.env : { ...process.env, PGPASSWORD: password };
  return new Promise((resolveRun, reject) => {
    const child = spawn(program, args, { env, stdio: ['ignore', keepStdout ? 'pipe' : 'ignore', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.once('error', reject);
    child.once('close', (status) => {
      // pg_dump never writes the password, but what it writes is shown to people: none can pass.
      const hide = (text: string) => (password ? text.split(password).join('***') : text);
      resolveRun({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: hide(Buffer.concat(err).toString('utf8')).trim() });
    });
  });
}

/**
 * Backs up the PostgreSQL database at `url` into the new file `to` (mode 0600; never overwrites)
 * with the program `pgDump`, as `pgDumpCommand` says, the password given in its environment only.
 * On failure `to` is removed.
 */
export async function backupPostgres(url: string, to: string, pgDump: string): Promise<void> {
  // Claimed first, empty and private: pg_dump itself would overwrite a file, and create it readable by others.
  let fd: number;
  try {
    fd = openSync(to, 'wx', 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new BackupError(
      code === 'EEXIST' ? `${to} exists already: a backup never overwrites a file; choose a new name.` : `Cannot write ${to} (${code}): choose a file in a folder you may write to.`,
    );
  }
  closeSync(fd);
  try {
    let run: ToolRun;
    try {
      run = await runTool(pgDump, pgDumpArgs(url, to), passwordOf(url), false);
    } catch (error) {
      throw new BackupError(`Cannot run ${pgDump} (${(error as NodeJS.ErrnoException).code ?? 'error'}): install the PostgreSQL client tools, or give pg_dump's path with --pg-dump.`);
    }
    if (run.status !== 0) {
      throw new BackupError(`pg_dump could not back up the database (exit status ${run.status ?? 'none: it was stopped'}); nothing was kept. It said:\n${run.stderr || '(nothing)'}`);
    }
    chmodSync(to, 0o600);
  } catch (error) {
    rmSync(to, { force: true });
    throw error;
  }
}

/**
 * The rows of `table` in the dump `file`, as pg_restore writes them (a COPY statement and its
 * rows, tab-separated): to check the dump against what must go with it.
 */
export async function dumpedTable(pgRestore: string, file: string, table: string): Promise<string> {
  let run: ToolRun;
  try {
    // Read from the file: no database is reached.
    run = await runTool(pgRestore, ['--data-only', `--table=${table}`, '--file=-', file], undefined, true);
  } catch (error) {
    throw new BackupError(`Cannot run ${pgRestore} (${(error as NodeJS.ErrnoException).code ?? 'error'}) to check the dump.`);
  }
  if (run.status !== 0) throw new BackupError(`pg_restore could not read the dump ${file} back (exit status ${run.status ?? 'none'}); nothing was kept. It said:\n${run.stderr || '(nothing)'}`);
  return run.stdout;
}
