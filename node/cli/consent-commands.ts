// `referral-node consent ...`: recording, reading and withdrawing consent records, and attaching
// the scanned form, from a terminal or a script. Each is the same operation as its local API
// endpoint.
import { Option, type Command } from 'commander';
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Consent, ConsentInput, ConsentStatus } from '../consents/service.js';
import { normaliseNodeUrl } from '../peers/node-url.js';
import { CliError, printTable, type CliIo } from './output.js';
import { dataOption, withNode } from './data-folder.js';
import { actingUser, checkAgainst, readJsonFile } from './referral-commands.js';

const STATUSES: ConsentStatus[] = ['in-force', 'partly-withdrawn', 'withdrawn', 'expired'];
const MEDIA_TYPES: Record<string, string> = { '.pdf': 'application/pdf', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png' };

function describe(consent: Consent): string {
  const outstanding = consent.erasures.filter((e) => e.status === 'outstanding');
  return [
    `Consent ${consent.id} (${consent.status})`,
    `  categories: ${consent.categories.join(', ') || '(none)'}`,
    `  recipients: ${consent.recipients.join(', ')}${consent.withdrawn_for.length > 0 ? ` (withdrawn for ${consent.withdrawn_for.join(', ')})` : ''}`,
    `  purposes: ${consent.purposes.join(', ')}; ${consent.method} in ${consent.language}; valid until ${consent.valid_until}`,
    `  referrals: ${consent.referrals.length}; erasures confirmed: ${consent.erasures.length - outstanding.length}, outstanding: ${outstanding.length}`,
    ...outstanding.map((e) => `    waiting for ${e.node_id} to erase referral ${e.referral_id} (asked ${e.requested_at})`),
  ].join('\n');
}

export function addConsentCommands(program: Command, io: CliIo): void {
  const consent = program.command('consent').description('Consent records: record, list, show, withdraw, attach the signed form.');
  consent
    .command('record')
    .description('Record a consent from a JSON file in the local API\'s ConsentInput form.')
    .addOption(dataOption())
    .requiredOption('--file <path>', 'the consent as JSON (`-` for standard input)')
    .requiredOption('--user <name>', 'the user who obtained the consent')
    .option('--json', 'print JSON')
    .action(async (options: { data?: string; file: string; user: string; json?: boolean }) => {
      const input = readJsonFile(options.file);
      checkAgainst('ConsentInput', input);
      await withNode(options, async ({ ctx }) => {
        const { consentView, recordConsent } = await import('./node-functions.js');
        const userId = await actingUser(ctx.database.db, options.user);
        const row = await ctx.database.transaction((tx) => recordConsent(tx, input as ConsentInput, { userId }, ctx.clock.now()));
        const view = await consentView(ctx, row);
        io.out(options.json ? JSON.stringify(view, null, 2) : `Recorded consent ${view.id}; name it in referrals with "consent_id".`);
      });
    });
  consent
    .command('list')
    .description('Consent records, newest first (metadata only).')
    .addOption(dataOption())
    .addOption(new Option('--status <status>', 'only records in this status').choices(STATUSES))
    .option('--json', 'print JSON')
    .action(async (options: { data?: string; status?: ConsentStatus; json?: boolean }) => {
      await withNode(options, async (node) => {
        const { listConsents } = await import('./node-functions.js');
        const items: Consent[] = [];
        let cursor: string | undefined;
        do {
          const page = await listConsents(node.ctx, { limit: 200, status: options.status, cursor });
          items.push(...page.items);
          cursor = page.next_cursor;
        } while (cursor);
        if (options.json) return io.out(JSON.stringify(items, null, 2));
        if (items.length === 0) return io.out('No consent records.');
        io.out(
          printTable(
            items.map((c) => ({
              id: c.id, status: c.status, origin: c.origin, recipients: String(c.recipients.length), referrals: String(c.referrals.length),
              outstanding: String(c.erasures.filter((e) => e.status === 'outstanding').length), valid_until: c.valid_until,
            })),
            ['id', 'status', 'origin', 'recipients', 'referrals', 'outstanding', 'valid_until'],
          ),
        );
      });
    });
  consent
    .command('show <id>')
    .description('One consent record with its referrals and the erasures still outstanding.')
    .addOption(dataOption())
    .option('--json', 'print JSON')
    .action(async (id: string, options: { data?: string; json?: boolean }) => {
      await withNode(options, async ({ ctx }) => {
        const { getConsent } = await import('./node-functions.js');
        const found = await getConsent(ctx, id);
        if (!found) throw new CliError(`There is no consent record ${id} on this node; \`referral-node consent list\` shows them.`);
        io.out(options.json ? JSON.stringify(found, null, 2) : describe(found));
      });
    });
  consent
    .command('withdraw <id>')
    .description('Record that the client withdrew this consent (for all recipients, or those given) and ask each to erase her data.')
    .addOption(dataOption())
    .option('--recipient <node-id...>', 'withdraw only for these recipients')
    .requiredOption('--user <name>', 'the user recording the withdrawal')
    .option('--json', 'print JSON')
    .action(async (id: string, options: { data?: string; recipient?: string[]; user: string; json?: boolean }) => {
      const recipients = options.recipient?.map((r) => {
        try {
          return normaliseNodeUrl(r);
        } catch {
          throw new CliError(`${r} is not a node id (the organisation's https URL).`);
        }
      });
      await withNode(options, async ({ ctx, delivery }) => {
        const { getConsent, withdrawConsent } = await import('./node-functions.js');
        const userId = await actingUser(ctx.database.db, options.user);
        await withdrawConsent(ctx, { userId }, id, recipients ? { recipients } : {});
        await delivery.deliverDueEnvelopes();
        const after = (await getConsent(ctx, id))!;
        io.out(options.json ? JSON.stringify(after, null, 2) : `${describe(after)}\nThe running node delivers the withdrawals and collects the erasure receipts.`);
      });
    });
  consent
    .command('attach-form <id>')
    .description('Attach the scanned, signed consent form (PDF, JPEG or PNG, at most 10 MiB); it is stored encrypted.')
    .addOption(dataOption())
    .requiredOption('--file <path>', 'the scanned form')
    .requiredOption('--user <name>', 'the user attaching it')
    .action(async (id: string, options: { data?: string; file: string; user: string }) => {
      const mediaType = MEDIA_TYPES[extname(options.file).toLowerCase()];
      if (!mediaType) throw new CliError('The form must be a .pdf, .jpg, .jpeg or .png file.');
      let bytes: Buffer;
      try {
        bytes = readFileSync(options.file);
      } catch {
        throw new CliError(`${options.file} cannot be read.`);
      }
      const { attachConsentForm, MAX_FORM_BYTES } = await import('./node-functions.js');
      if (bytes.length > MAX_FORM_BYTES) throw new CliError('The form is larger than 10 MiB; scan it at a lower resolution.');
      await withNode(options, async ({ ctx }) => {
        const userId = await actingUser(ctx.database.db, options.user);
        await attachConsentForm(ctx, { userId }, id, mediaType, bytes);
        io.out(`Attached the form to consent ${id} (${bytes.length} bytes, stored encrypted).`);
      });
    });
}
