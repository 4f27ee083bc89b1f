// `referral-node directory ...`: the trusted peers' directories this node holds (how fresh each
// is), syncing them now, and the export in Open Referral HSDS form.
import type { Command } from 'commander';
import type { directoryStatus } from '../directory/sync.js';
import { printTable, type CliIo } from './output.js';
import { dataOption, withNode } from './data-folder.js';

export function addDirectoryCommands(program: Command, io: CliIo): void {
  const directory = program.command('directory').description('The directories of trusted peers: how fresh each is, sync now, export in HSDS form.');
  const table = (items: Awaited<ReturnType<typeof directoryStatus>>) =>
    items.length === 0
      ? 'No trusted peers yet.'
      : printTable(
          items.map((d) => ({ peer: d.peer_id, name: d.name, services: String(d.services), freshness: d.freshness, signed: d.signed_at ?? '', checked: d.checked_at ?? '', error: d.last_error ?? '' })),
          ['peer', 'name', 'services', 'freshness', 'signed', 'checked', 'error'],
        );

  directory
    .command('status')
    .description('Each trusted peer\'s directory as held here: services, when signed and last checked, and the last error.')
    .addOption(dataOption())
    .option('--json', 'print JSON')
    .action(async (options: { data?: string; json?: boolean }) => {
      await withNode(options, async ({ ctx }) => {
        const { directoryStatus } = await import('./node-functions.js');
        const items = await directoryStatus(ctx);
        io.out(options.json ? JSON.stringify(items, null, 2) : table(items));
      });
    });
  directory
    .command('sync')
    .description('Fetch every trusted peer\'s directory now (a serving node does so hourly).')
    .addOption(dataOption())
    .action(async (options: { data?: string }) => {
      await withNode(options, async ({ ctx }) => {
        const { directoryStatus, syncPeerDirectories } = await import('./node-functions.js');
        await syncPeerDirectories(ctx, { force: true });
        io.out(table(await directoryStatus(ctx)));
      });
    });
  directory
    .command('export')
    .description('This organisation\'s services in Open Referral HSDS 3.0 JSON (with --peers, the trusted peers\' too).')
    .addOption(dataOption())
    .option('--peers', 'include the current directories of trusted peers')
    .action(async (options: { data?: string; peers?: boolean }) => {
      const { exportHsds } = await import('./node-functions.js');
      await withNode(options, async ({ ctx }) => io.out(JSON.stringify(await exportHsds(ctx, { peers: options.peers ?? false }), null, 2)));
    });
}
