// `referral-node keys ...`: the node's own keys. A running node picks up a rotation made here
// within a minute (it reloads its keys when the database's differ).
import type { Command } from 'commander';
import { readableFingerprint } from '../identity/keys.js';
import { rotateEncryptionKey } from '../identity/rotation.js';
import { printTable } from './output.js';
import { dataOption, withNode, type CliIo } from './program.js';

export function addKeyCommands(program: Command, io: CliIo): void {
  const keys = program.command('keys').description('This node\'s keys: status and rotation.');
  keys
    .command('status')
    .description('Every key of this node: use, state, when it was made, retired and destroyed.')
    .addOption(dataOption())
    .option('--json', 'print JSON')
    .action(async (options: { data?: string; json?: boolean }) => {
      await withNode(options, async ({ ctx }) => {
        const rows = await ctx.database.db
          .selectFrom('node_keys')
          .select(['kid', 'use', 'status', 'created_at', 'retired_at', 'destroyed_at'])
          .orderBy('use')
          .orderBy('created_at', 'desc')
          .execute();
        if (options.json) return io.out(JSON.stringify(rows, null, 2));
        io.out(
          printTable(
            rows.map((r) => ({
              use: r.use === 'sig' ? 'signing' : 'encryption',
              state: r.status,
              fingerprint: readableFingerprint(r.kid),
              created: r.created_at,
              retired: r.retired_at ?? '',
              destroyed: r.destroyed_at ?? '',
            })),
            ['use', 'state', 'fingerprint', 'created', 'retired', 'destroyed'],
          ),
        );
      });
    });
  keys
    .command('rotate')
    .description('Make a new encryption key the published one now (signing keys are not rotated yet); the old one is kept for REFERRAL_NODE_RETIRED_KEY_DAYS, then destroyed.')
    .addOption(dataOption())
    .action(async (options: { data?: string }) => {
      await withNode(options, async ({ ctx }) => {
        const rotated = await rotateEncryptionKey(ctx.database, ctx.kek, ctx.clock.now(), { kind: 'system', id: 'command-line' });
        io.out(`New encryption key ${readableFingerprint(rotated.kid)} is published; ${readableFingerprint(rotated.previous)} is retired.`);
      });
    });
}
