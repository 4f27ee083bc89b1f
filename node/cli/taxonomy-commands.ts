// `referral-node taxonomy`: the shared service taxonomy, its codes and their labels in one of the
// network's languages. Needs no node: it is the same for everyone.
import type { Command } from 'commander';
import type { LabelLanguage } from '../directory/taxonomy.js';
import { CliError, printTable, type CliIo } from './output.js';

export function addTaxonomyCommands(program: Command, io: CliIo): void {
  program
    .command('taxonomy')
    .description('The service categories every node uses (in directories, referral needs and matching), with their labels.')
    .option('--lang <code>', 'the language of the labels: en, de, el, it, ro or bg', 'en')
    .option('--json', 'print the whole taxonomy as JSON (every label)')
    .action(async (options: { lang: string; json?: boolean }) => {
      const { taxonomy } = await import('../directory/taxonomy.js');
      const data = taxonomy();
      if (options.json) return io.out(JSON.stringify(data, null, 2));
      if (!(data.languages as string[]).includes(options.lang)) throw new CliError(`--lang takes one of ${data.languages.join(', ')}.`);
      const lang = options.lang as LabelLanguage;
      io.out(
        printTable(
          data.categories.map((c) => ({ code: c.parent ? `  ${c.code}` : c.code, label: c.labels[lang] })),
          ['code', 'label'],
        ),
      );
      io.out(`Taxonomy version ${data.version}; an indented code is a narrower kind of the one above it.`);
    });
}
