// `referral-node service ...`: the organisation's own services (its directory entries), from a
// terminal or a script. Each is the same operation as its local API endpoint, by the command line.
import type { Command } from 'commander';
import type { Service, ServiceInput } from '../directory/services.js';
import { taxonomy } from '../directory/taxonomy.js';
import { inOneLanguage } from '../directory/text.js';
import { CliError, printTable, type CliIo } from './output.js';
import { dataOption, withNode } from './data-folder.js';
import { checkAgainst, readJsonFile } from './referral-commands.js';

const COMMAND_LINE = { kind: 'system', id: 'command-line' } as const;

/** The service store, loaded when a command runs. */
const services = () => import('./node-functions.js');

/** The service's name in English if it has one, else in its first language. */
const nameOf = (service: Service) => inOneLanguage(service.name);

function describe(service: Service): string {
  const labels = new Map(taxonomy().categories.map((c) => [c.code, c.labels.en]));
  const place = [service.location.city, service.location.region, service.location.country].filter(Boolean).join(', ');
  const capacity = service.capacity ? `${service.capacity.available}${service.capacity.maximum !== undefined ? ` of ${service.capacity.maximum}` : ''} places free` : 'capacity not given';
  return [
    `${nameOf(service)} (${service.id})`,
    `  ${service.status}, ${service.accepting_referrals ? 'taking referrals' : 'not taking referrals now'}, ${capacity}`,
    `  categories: ${service.categories.map((c) => labels.get(c) ?? c).join('; ')}`,
    `  in ${place}; ${service.modes.join(', ')}; languages: ${service.languages.join(', ')}`,
  ].join('\n');
}

export function addServiceCommands(program: Command, io: CliIo): void {
  const service = program.command('service').description('This organisation\'s services, as its directory publishes them: add, list, show, edit, pause, resume, availability, delete.');
  const print = (json: boolean | undefined, value: Service) => io.out(json ? JSON.stringify(value, null, 2) : describe(value));

  service
    .command('add')
    .description('Describe a new service from a JSON file in the local API\'s ServiceInput form.')
    .addOption(dataOption())
    .requiredOption('--file <path>', 'the service as JSON (`-` for standard input)')
    .option('--json', 'print JSON')
    .action(async (options: { data?: string; file: string; json?: boolean }) => {
      const input = readJsonFile(options.file);
      checkAgainst('ServiceInput', input);
      const { createService } = await services();
      await withNode(options, async ({ ctx }) => print(options.json, await createService(ctx, COMMAND_LINE, input as ServiceInput)));
    });
  service
    .command('edit <id>')
    .description('Describe a service anew from a JSON file (what the file leaves out is removed).')
    .addOption(dataOption())
    .requiredOption('--file <path>', 'the service as JSON (`-` for standard input)')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { data?: string; file: string; json?: boolean }) => {
      const input = readJsonFile(options.file);
      checkAgainst('ServiceInput', input);
      const { replaceService } = await services();
      await withNode(options, async ({ ctx }) => print(options.json, await replaceService(ctx, COMMAND_LINE, id, input as ServiceInput)));
    });
  service
    .command('list')
    .description('Every service of this organisation, paused ones too.')
    .addOption(dataOption())
    .option('--json', 'print JSON')
    .action(async (options: { data?: string; json?: boolean }) => {
      await withNode(options, async ({ ctx }) => {
        const { listServices } = await services();
        const items = await listServices(ctx.database.db);
        if (options.json) return io.out(JSON.stringify(items, null, 2));
        if (items.length === 0) return io.out('No services yet: add one with `referral-node service add --file service.json`.');
        io.out(
          printTable(
            items.map((s) => ({
              id: s.id, name: nameOf(s), state: s.status, referrals: s.accepting_referrals ? 'taking' : 'not now',
              free: s.capacity ? String(s.capacity.available) : '', where: `${s.location.city ?? ''} ${s.location.country}`.trim(),
            })),
            ['id', 'name', 'state', 'referrals', 'free', 'where'],
          ),
        );
      });
    });
  service
    .command('show <id>')
    .description('One service.')
    .addOption(dataOption())
    .option('--json', 'print JSON')
    .action(async (id: string, options: { data?: string; json?: boolean }) => {
      const { getService } = await services();
      await withNode(options, async ({ ctx }) => print(options.json, await getService(ctx.database.db, id)));
    });
  service
    .command('pause <id>')
    .description('Pause a service: it stays listed, but is not offered in matching.')
    .addOption(dataOption())
    .action(async (id: string, options: { data?: string }) => {
      const { pauseService } = await services();
      await withNode(options, async ({ ctx }) => io.out(describe(await pauseService(ctx, COMMAND_LINE, id))));
    });
  service
    .command('resume <id>')
    .description('Offer a paused service again.')
    .addOption(dataOption())
    .action(async (id: string, options: { data?: string }) => {
      const { resumeService } = await services();
      await withNode(options, async ({ ctx }) => io.out(describe(await resumeService(ctx, COMMAND_LINE, id))));
    });
  service
    .command('availability <id>')
    .description('Say whether the service takes referrals now, and how many places are free.')
    .addOption(dataOption())
    .option('--accepting <yes|no>', 'whether it takes referrals now')
    .option('--available <places>', 'places free now')
    .action(async (id: string, options: { data?: string; accepting?: string; available?: string }) => {
      if (options.accepting === undefined && options.available === undefined) throw new CliError('Give --accepting yes|no, --available N, or both.');
      if (options.accepting !== undefined && options.accepting !== 'yes' && options.accepting !== 'no') throw new CliError('--accepting takes yes or no.');
      if (options.available !== undefined && !/^\d{1,6}$/.test(options.available)) throw new CliError('--available takes a whole number of places, 0 or more.');
      const { setAvailability } = await services();
      await withNode(options, async ({ ctx }) => {
        const availability = {
          ...(options.accepting !== undefined ? { accepting_referrals: options.accepting === 'yes' } : {}),
          ...(options.available !== undefined ? { available: Number(options.available) } : {}),
        };
        io.out(describe(await setAvailability(ctx, COMMAND_LINE, id, availability)));
      });
    });
  service
    .command('delete <id>')
    .description('Remove a service for good.')
    .addOption(dataOption())
    .action(async (id: string, options: { data?: string }) => {
      const { deleteService } = await services();
      await withNode(options, async ({ ctx }) => {
        await deleteService(ctx, COMMAND_LINE, id);
        io.out(`Service ${id} removed.`);
      });
    });
}
