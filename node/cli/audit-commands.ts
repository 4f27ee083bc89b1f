// `referral-node audit ...`: the audit log away from the node, for auditors.
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { exportAuditBundle } from '../audit-log/bundle.js';
import { CliError } from './output.js';
import { dataOption, withNode, type CliIo } from './program.js';

/** Progress is reported for exports of more entries than this. */
const QUIET_BELOW = 10_000;

export function addAuditCommands(program: Command, io: CliIo): void {
  const audit = program.command('audit').description('The verifiable audit log: export it for auditors.');
  audit
    .command('export')
    .description(
      'Write the audit bundle (JSON): every log entry, every signed checkpoint with its cosignatures, this node\'s identity document and its witnesses\'. It holds no personal data.',
    )
    .addOption(dataOption())
    .option('--out <file>', 'write the bundle to this file (default: standard output)')
    .action(async (options: { data?: string; out?: string }) => {
      const bundle = await withNode(options, ({ ctx }) =>
        exportAuditBundle(ctx, {
          onProgress: (done, total) => {
            if (total >= QUIET_BELOW) process.stderr.write(`exported ${done} of ${total} entries\n`);
          },
        }),
      );
      const json = `${JSON.stringify(bundle)}\n`;
      if (!options.out) return io.out(json.trimEnd());
      try {
        writeFileSync(options.out, json, { mode: 0o600 });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        throw new CliError(`Cannot write ${options.out} (${code}): choose a file in a folder you may write to.`);
      }
      io.out(`Wrote ${options.out}: ${bundle.entries.length} entries, ${bundle.checkpoints.length} checkpoints, ${bundle.witnesses.length} witnesses.`);
    });
}
