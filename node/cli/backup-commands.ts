// `referral-node backup`: a copy of the node's database, taken while the node runs. The restore
// steps are in the README ("Backups and restore").
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { BackupError, backupSqlite, pgDumpCommand } from '../db/backup.js';
import { databaseTarget, hasNode } from '../node.js';
import { CliError, type CliIo } from './output.js';
import { configFrom, dataOption } from './data-folder.js';

export function addBackupCommands(program: Command, io: CliIo): void {
  program
    .command('backup')
    .description(
      'Copy the node\'s SQLite database to a new file (mode 0600), consistent even while `serve` runs. It does not copy the key-encryption key: keep that apart. On PostgreSQL, prints the pg_dump command to use instead.',
    )
    .addOption(dataOption())
    .requiredOption('--to <file>', 'the backup file to create (never overwritten)')
    .action(async (options: { data?: string; to: string }) => {
      const config = configFrom(options);
      const target = databaseTarget(config);
      if ('postgresUrl' in target) {
        throw new CliError(
          [
            'This node keeps its data in PostgreSQL: back it up with the database server\'s own tool, for example',
            `  ${pgDumpCommand(target.postgresUrl, options.to)}`,
            '(the password is left out: give it in PGPASSWORD or ~/.pgpass). Keep the key-encryption key apart from the dump.',
          ].join('\n'),
        );
      }
      if (!hasNode(config)) throw new CliError(`No node in ${config.dataDir}: there is nothing to back up.`);
      const to = resolve(options.to);
      try {
        const { pages } = await backupSqlite(target.sqlitePath, to);
        io.out(
          [
            `Backed up ${config.dataDir} to ${to} (${pages} pages).`,
            config.kekFromEnv
              ? 'The key-encryption key (REFERRAL_NODE_KEK) is not in the backup: without it the backup cannot be read, so keep its copy apart.'
              : `The key-encryption key (${config.kekFile}) is not in the backup: without it the backup cannot be read, so keep its copy apart.`,
          ].join('\n'),
        );
      } catch (error) {
        if (error instanceof BackupError) throw new CliError(error.message);
        throw error;
      }
    });
}
