// `referral-node backup`: a copy of the node's database, taken while the node runs, and beside it
// the copy of the keyring its data keys need (FILE.keyring). The restore steps are in the README
// ("Backups and restore").
import type { Command } from 'commander';
import { existsSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { NodeConfig } from '../config/config.js';
import { CliError, type CliIo } from './output.js';
import { configFrom, dataOption } from './data-folder.js';

export function addBackupCommands(program: Command, io: CliIo): void {
  program
    .command('backup')
    .description(
      'Copy the node\'s database to a new file (mode 0600), consistent even while `serve` runs, and its keyring to FILE.keyring: SQLite\'s online backup, or pg_dump on PostgreSQL. Keep the two copies together; the key-encryption key is in neither: keep it apart.',
    )
    .addOption(dataOption())
    .requiredOption('--to <file>', 'the backup file to create (never overwritten); the keyring copy is written beside it, with .keyring added')
    .option('--pg-dump <path>', 'PostgreSQL: the pg_dump program to run (by default found on PATH or in /usr/lib/postgresql)')
    .action(async (options: { data?: string; to: string; pgDump?: string }) => {
      const { backupPostgres, backupSqlite, databaseTarget, describeKekSource, dumpedTable, findPostgresTool, hasNode, kekSourceOf, keyringKeysNeededByCopyText, keyringKeysNeededBySqlite, pgDumpCommand, withoutPassword } =
        await import('./node-functions.js');
      const config = configFrom(options);
      const target = databaseTarget(config);
      const to = resolve(options.to);
      // A backup needs no KEK: a configuration that gives it ambiguously does not stop one.
      const kek = (() => {
        try {
          return describeKekSource(kekSourceOf(config));
        } catch {
          return undefined;
        }
      })();
      const keyringCopy = `${to}.keyring`;
      if (!('postgresUrl' in target) && !hasNode(config)) throw new CliError(`No node in ${config.dataDir}: there is nothing to back up.`);
      for (const file of [to, keyringCopy]) {
        if (existsSync(file)) throw new CliError(`${file} exists already: a backup never overwrites a file; choose a new name.`);
      }
      if ('postgresUrl' in target) {
        const url = target.postgresUrl;
        const pgDump = findPostgresTool('pg_dump', { explicit: options.pgDump });
        if (!pgDump) {
          throw new CliError(
            [
              options.pgDump === undefined
                ? 'pg_dump was not found (on PATH or in /usr/lib/postgresql), so nothing was backed up.'
                : `There is no pg_dump program at ${options.pgDump}, so nothing was backed up.`,
              'Install the PostgreSQL client tools, of the same major version as the database server or newer (Debian: apt-get install postgresql-client), or give pg_dump\'s path with --pg-dump.',
              'By hand, the database is backed up with',
              `  ${pgDumpCommand(url, to)}`,
              `(the password is left out: give it in PGPASSWORD or ~/.pgpass), and its keyring (${config.keyringFile}) must then be copied right after, and kept with the dump; \`referral-node backup\` also keeps the keys replaced while the dump ran, which a copy by hand misses.`,
            ].join('\n'),
          );
        }
        const pgRestore = findPostgresTool('pg_restore', { besides: pgDump });
        await paired(config, to, keyringCopy, () => backupPostgres(url, to, pgDump), async () =>
          pgRestore ? keyringKeysNeededByCopyText(await dumpedTable(pgRestore, to, 'data_keys')) : [],
        );
        io.out(
          [
            `Backed up the PostgreSQL database ${withoutPassword(url)} to ${to} (pg_dump's custom format; restore it with pg_restore), and its keyring to ${keyringCopy}.`,
            ...(pgRestore ? [] : ['(pg_restore was not found beside pg_dump, so the dump was not checked against the keyring copy.)']),
            ...keepTogether(kek),
          ].join('\n'),
        );
        return;
      }
      const { pages } = await paired(config, to, keyringCopy, () => backupSqlite(target.sqlitePath, to), () => keyringKeysNeededBySqlite(to));
      io.out([`Backed up ${config.dataDir} to ${to} (${pages} pages), and its keyring to ${keyringCopy}.`, ...keepTogether(kek)].join('\n'));
    });
}

/**
 * Copies the database into `to` with `copy`, between two reads of the keyring whose union goes to
 * `keyringCopy`; checks that the keyring copy holds every key the database copy `needs`. On any
 * failure, neither file is left behind.
 */
async function paired<T>(config: NodeConfig, to: string, keyringCopy: string, copy: () => Promise<T>, needs: () => Promise<Iterable<string>> | Iterable<string>): Promise<T> {
  const { BackupError, copyKeyringAround, KeyringBackupError } = await import('./node-functions.js');
  let copied = false;
  try {
    return await copyKeyringAround(
      config.keyringFile,
      keyringCopy,
      async () => {
        const result = await copy();
        copied = true;
        return result;
      },
      { needs },
    );
  } catch (error) {
    if (copied) rmSync(to, { force: true });
    if (error instanceof BackupError || error instanceof KeyringBackupError) throw new CliError(error.message);
    throw error;
  }
}

/** What the person who keeps the backups must know. */
function keepTogether(kek: string | undefined): string[] {
  return [
    'Keep the keyring copy with the database copy, and for as long as it, no longer: restoring the database without its keyring copy loses all the personal data in it, and an old keyring copy kept on keeps data erased since readable in old backups.',
    `The key-encryption key${kek ? ` (${kek})` : ''} is not in the backup: without it the backup cannot be read, so keep its copy apart.`,
  ];
}
