// `referral-node keys ...`: the node's own keys. A running node picks up a rotation made here
// within a minute (it reloads its keys when the database's differ).
import type { Command } from 'commander';
import { CliError, printTable, type CliIo } from './output.js';
import { dataOption, withNode } from './data-folder.js';

export function addKeyCommands(program: Command, io: CliIo): void {
  const keys = program.command('keys').description('This node\'s keys: status and rotation.');
  keys
    .command('status')
    .description('Every key of this node: use, state, when it was made, retired and destroyed.')
    .addOption(dataOption())
    .option('--json', 'print JSON')
    .action(async (options: { data?: string; json?: boolean }) => {
      await withNode(options, async ({ ctx }) => {
        const { listNodeKeys, readableFingerprint } = await import('./node-functions.js');
        const rows = await listNodeKeys(ctx.database.db);
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
    .description(
      'Rotate a key now. Without an option: a new encryption key becomes the published one; the old one is kept for REFERRAL_NODE_RETIRED_KEY_DAYS, then destroyed. With --signing: a new signing key, announced to peers by a continuity statement signed by the old key and the new one; the old private half is destroyed at once.',
    )
    .addOption(dataOption())
    .option('--signing', 'rotate the signing key instead of the encryption key')
    .option('--all', 'rotate both keys')
    .action(async (options: { data?: string; signing?: boolean; all?: boolean }) => {
      await withNode(options, async ({ ctx }) => {
        const { completeErasures, readableFingerprint, rotateEncryptionKey, rotateSigningKey } = await import('./node-functions.js');
        const actor = { kind: 'system', id: 'command-line' } as const;
        if (!options.signing || options.all) {
          const rotated = await rotateEncryptionKey(ctx.database, ctx.dataKeys, ctx.clock.now(), actor);
          io.out(`New encryption key ${readableFingerprint(rotated.kid)} is published; ${readableFingerprint(rotated.previous)} is retired.`);
        }
        if (options.signing || options.all) {
          const rotated = await rotateSigningKey(ctx.database, ctx.dataKeys, ctx.self, ctx.clock.now(), actor);
          // The old private half is destroyed for real: its data key's keyring key goes too.
          await completeErasures(ctx);
          io.out(
            `New signing key ${readableFingerprint(rotated.kid)}; ${readableFingerprint(rotated.previous)} was destroyed. Peers follow the change from the continuity statement in the identity document; the fingerprint they show for this node is now the new one.`,
          );
        }
      });
    });
  keys
    .command('revoke')
    .description(
      'Declare the signing key compromised: a revocation statement signed with it is sent to every peer, which revokes this node at once; a new signing key (and encryption key) replaces it. Peers trust this node again only through a new invitation.',
    )
    .addOption(dataOption())
    .option('--yes', 'confirm: every peer will revoke this node until it is invited again')
    .action(async (options: { data?: string; yes?: boolean }) => {
      if (!options.yes) {
        throw new CliError(
          'This tells every peer that this node\'s signing key was stolen: each revokes this node, and working together again takes a new invitation per peer. If that is what happened, run it again with --yes.',
        );
      }
      await withNode(options, async ({ ctx }) => {
        const { completeErasures, pushKeyRevocation, readableFingerprint, revokeSigningKey } = await import('./node-functions.js');
        const result = await revokeSigningKey(ctx.database, ctx.dataKeys, ctx.self, ctx.clock.now(), { kind: 'system', id: 'command-line' });
        // The old private halves are destroyed for real: their data keys' keyring keys go too.
        await completeErasures(ctx);
        io.out(`Signing key ${readableFingerprint(result.revoked)} is revoked as compromised. New signing key: ${readableFingerprint(result.kid)} (a new encryption key too).`);
        printPushOutcomes(await pushKeyRevocation(ctx, result.statement));
        io.out(
          [
            'A peer not reached acts on the statement when it next fetches this node\'s identity document (within a day); `referral-node keys push-revocation` tries them again now.',
            'To work with a peer again: `referral-node peer invite`, and give the code to its administrator over a channel you trust.',
          ].join('\n'),
        );
      });
    });
  keys
    .command('push-revocation')
    .description('Send the latest revocation statement of this node again to every peer it trusts (for those `keys revoke` did not reach).')
    .addOption(dataOption())
    .action(async (options: { data?: string }) => {
      await withNode(options, async ({ ctx }) => {
        const statement = ctx.self.keyRevocations[0];
        if (!statement) throw new CliError('This node never revoked a key; there is nothing to send.');
        const { pushKeyRevocation } = await import('./node-functions.js');
        const outcomes = await pushKeyRevocation(ctx, statement);
        if (outcomes.size === 0) io.out('No trusted peer to send it to.');
        printPushOutcomes(outcomes);
      });
    });

  function printPushOutcomes(outcomes: ReadonlyMap<string, string>): void {
    if (outcomes.size > 0) io.out(printTable([...outcomes].map(([peer, outcome]) => ({ peer, outcome })), ['peer', 'outcome']));
  }
}
