// `referral-node peer invite | redeem | invitations | revoke-invitation`: on-boarding another
// organisation's node with a one-time code instead of comparing fingerprints by hand. Each is the
// same operation as its local API endpoint.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { AuditActor } from '../audit-log/events.js';
import { DEFAULT_VALID_HOURS, MAX_VALID_HOURS } from '../peers/validity.js';
import { CliError, printTable, type CliIo } from './output.js';
import { dataOption, withNode } from './data-folder.js';

/** Invitations made and redeemed with the CLI on the node's machine, like peer add and trust. */
const COMMAND_LINE: AuditActor = { kind: 'system', id: 'command-line' };

function validHours(value: string): number {
  const hours = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(hours) || hours < 1 || hours > MAX_VALID_HOURS) throw new CliError(`--valid-hours takes a whole number of hours from 1 to ${MAX_VALID_HOURS}.`);
  return hours;
}

export function addInvitationCommands(peer: Command, io: CliIo): void {
  peer
    .command('invite')
    .description('Make a one-time invitation for another organisation\'s node and print its code (shown once).')
    .addOption(dataOption())
    .option('--valid-hours <hours>', `how long the code can be redeemed (1 to ${MAX_VALID_HOURS})`, String(DEFAULT_VALID_HOURS))
    .option('--json', 'print JSON')
    .action(async (options: { data?: string; validHours: string; json?: boolean }) => {
      const hours = validHours(options.validHours);
      await withNode(options, async ({ ctx }) => {
        const { createInvitation } = await import('./node-functions.js');
        const created = await createInvitation(ctx, COMMAND_LINE, hours);
        if (options.json) return io.out(JSON.stringify(created, null, 2));
        io.out(
          [
            `Invitation ${created.id}, valid until ${created.expires_at}. The code (shown once):`,
            '',
            created.code,
            '',
            'Give it to the other organisation\'s administrator over a channel you trust: until it is used,',
            'whoever holds it can become a trusted peer. They run:',
            '  referral-node peer redeem CODE',
            'and both nodes then trust each other. It works once; `referral-node peer invitations` shows',
            `whether it was used, and \`referral-node peer revoke-invitation ${created.id}\` cancels it.`,
          ].join('\n'),
        );
      });
    });

  peer
    .command('redeem <code>')
    .description('Redeem another organisation\'s invitation code (`-` reads it from standard input); both nodes then trust each other.')
    .addOption(dataOption())
    .action(async (code: string, options: { data?: string }) => {
      const text = code === '-' ? readFileSync(0, 'utf8') : code;
      await withNode(options, async ({ ctx }) => {
        const { redeemInvitationCode } = await import('./node-functions.js');
        const trusted = await redeemInvitationCode(ctx, COMMAND_LINE, text);
        io.out(
          [
            `Trusted: ${trusted.name} (${trusted.country}), ${trusted.id}`,
            `Fingerprint: ${trusted.fingerprint} (checked by the nodes: it is the key the code names)`,
            `${trusted.name} trusts this node too; referrals can flow both ways.`,
          ].join('\n'),
        );
      });
    });

  peer
    .command('invitations')
    .description('List the invitations made here, without their secrets.')
    .addOption(dataOption())
    .option('--json', 'print JSON')
    .action(async (options: { data?: string; json?: boolean }) => {
      await withNode(options, async ({ ctx }) => {
        const { listInvitations } = await import('./node-functions.js');
        const items = await listInvitations(ctx);
        if (options.json) return io.out(JSON.stringify(items, null, 2));
        if (items.length === 0) return io.out('No invitations yet: make one with `referral-node peer invite`.');
        io.out(
          printTable(
            items.map((i) => ({ id: i.id, status: i.status, created_at: i.created_at, expires_at: i.expires_at, used_by: i.used_by ?? '', fingerprint: i.used_fingerprint ?? '' })),
            ['id', 'status', 'created_at', 'expires_at', 'used_by', 'fingerprint'],
          ),
        );
      });
    });

  peer
    .command('revoke-invitation <id>')
    .description('Revoke an invitation that was not used, so its code is refused.')
    .addOption(dataOption())
    .action(async (id: string, options: { data?: string }) => {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) throw new CliError(`${id} is not an invitation id; \`referral-node peer invitations\` lists them.`);
      await withNode(options, async ({ ctx }) => {
        const { revokeInvitation } = await import('./node-functions.js');
        const revoked = await revokeInvitation(ctx, COMMAND_LINE, id);
        io.out(`Invitation ${revoked.id} is revoked: its code is refused from now on.`);
      });
    });
}
