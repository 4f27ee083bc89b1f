// `referral-node match`: services across this node's and its trusted peers' directories that fit a
// client's needs, best first, each with why it fits and what does not; and how to refer to it.
import { Option, type Command } from 'commander';
import type { MatchQuery, MatchResult } from '../directory/matching.js';
import { inOneLanguage } from '../directory/text.js';
import { CliError, plain, type CliIo } from './output.js';
import { dataOption, withNode } from './data-folder.js';
import { checkAgainst, readJsonFile } from './referral-commands.js';

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];

/** One result in words; what a peer wrote is printed without control characters. */
function describe(result: MatchResult, rank: number): string {
  const { service, organization } = result;
  const name = inOneLanguage(service.name);
  const place = [service.location.city, service.location.country].filter(Boolean).join(', ');
  return [
    `${rank}. ${name}: ${organization.name}${organization.own ? ' (this organisation)' : ''}, ${place} [score ${result.score}]`,
    `   fits: ${result.reasons.map((r) => r.detail).join('; ') || '-'}`,
    ...(result.misfits.length > 0 ? [`   does not fit: ${result.misfits.map((r) => r.detail).join('; ')}`] : []),
    ...(result.referable ? [`   refer: "to": "${organization.node_id}", "service_id": "${service.id}" in the referral (referral-node referral send --file FILE --user NAME)`] : []),
  ]
    .map(plain)
    .join('\n');
}

export function addMatchCommands(program: Command, io: CliIo): void {
  program
    .command('match')
    .description('Find services that fit a client, across this node\'s and its trusted peers\' directories: best first, with why each fits and what does not.')
    .addOption(dataOption())
    .option('--file <path>', 'the query as JSON (MatchQuery of the local API; `-` for standard input): what is said about her stays out of the shell history and the process list')
    .option('--need <codes>', 'a need (taxonomy code; `referral-node taxonomy` lists them); repeat or separate with commas', collect)
    .option('--country <code>', 'where (ISO 3166-1 alpha-2, e.g. AT)')
    .option('--region <name>', 'region within the country')
    .option('--city <name>', 'city')
    .option('--language <codes>', 'a language she speaks (e.g. ar); repeat or separate with commas', collect)
    .addOption(new Option('--gender <gender>', 'her gender, for services for women only').choices(['female', 'male', 'other']))
    .option('--age <years>', 'her age')
    .addOption(new Option('--legal-status <status>', 'her residence situation').choices(['eu-citizen', 'asylum-seeker', 'international-protection', 'residence-permit', 'undocumented']))
    .option('--with-children', 'she comes with her children')
    .addOption(new Option('--mode <mode>', 'how she can take part').choices(['in-person', 'online', 'phone']))
    .option('--limit <n>', 'how many results at most (1 to 100)', '10')
    .option('--json', 'print JSON')
    .action(async (options: {
      data?: string; file?: string; need?: string[]; country?: string; region?: string; city?: string; language?: string[]; gender?: MatchQuery['gender'];
      age?: string; legalStatus?: MatchQuery['legal_status']; withChildren?: boolean; mode?: MatchQuery['mode']; limit: string; json?: boolean;
    }) => {
      if (options.age !== undefined && !/^\d{1,3}$/.test(options.age)) throw new CliError('--age takes a whole number of years.');
      if (!/^\d{1,3}$/.test(options.limit)) throw new CliError('--limit takes a number from 1 to 100.');
      if (!options.file && !options.need) throw new CliError('Give the needs with --need (or the whole query with --file).');
      const query: MatchQuery = options.file ? (readJsonFile(options.file) as MatchQuery) : {
        needs: [...new Set(options.need)] as MatchQuery['needs'],
        ...(options.country ? { country: options.country.toUpperCase() } : {}),
        ...(options.region ? { region: options.region } : {}),
        ...(options.city ? { city: options.city } : {}),
        ...(options.language ? { languages: [...new Set(options.language)] } : {}),
        ...(options.gender ? { gender: options.gender } : {}),
        ...(options.age !== undefined ? { age: Number(options.age) } : {}),
        ...(options.legalStatus ? { legal_status: options.legalStatus } : {}),
        ...(options.withChildren ? { with_children: true } : {}),
        ...(options.mode ? { mode: options.mode } : {}),
        limit: Number(options.limit),
      };
      checkAgainst('MatchQuery', query);
      await withNode(options, async ({ ctx }) => {
        const { matchServices } = await import('./node-functions.js');
        const found = await matchServices(ctx, query);
        if (options.json) return io.out(JSON.stringify(found, null, 2));
        io.out(`Searched ${found.searched.services} services, this organisation's and ${found.searched.peers} peer${found.searched.peers === 1 ? '\'s' : 's\''}; ${found.total} fit${found.total === 1 ? 's' : ''} a need.`);
        if (found.results.length === 0) return io.out('Nothing offers these needs here; `referral-node directory status` shows whether the peers\' directories are current.');
        io.out(found.results.map((r, i) => describe(r, i + 1)).join('\n'));
      });
    });
}
