// `referral-node peer suspend|restore|revoke`: an administrator at the node's machine changes a
// peer's trust. The same operations as POST /api/v1/peers/{suspend,restore,revoke}.
import { Option, type Command } from 'commander';
import type { PeerAction, RevocationReason } from '../peers/service.js';
import { dataOption, withNode } from './data-folder.js';
import type { CliIo } from './output.js';

const WHAT: Record<PeerAction, string> = {
  suspend: 'Suspend a trusted peer for now: its messages are refused (it keeps and retries them), and yours to it wait.',
  restore: 'Trust a suspended peer again; what waited for it is delivered.',
  revoke: 'Revoke a peer for good: refused from now on, and every message still queued for it is cancelled.',
};

export function addPeerStateCommands(peer: Command, io: CliIo): void {
  for (const action of ['suspend', 'restore', 'revoke'] as const) {
    const command = peer.command(`${action} <id>`).description(WHAT[action]).addOption(dataOption());
    if (action === 'revoke') {
      command.addOption(new Option('--reason <reason>', 'why').choices(['key-compromise', 'no-longer-partner', 'other']).makeOptionMandatory());
    }
    command.action(async (id: string, options: { data?: string; reason?: RevocationReason }) => {
      await withNode(options, async ({ ctx, delivery }) => {
        const { changePeerState, dropRevokedPeersDirectories, normaliseNodeUrl } = await import('./node-functions.js');
        const changed = await changePeerState(ctx.database, normaliseNodeUrl(id), action, ctx.clock.now(), undefined, options.reason);
        if (action === 'revoke') await dropRevokedPeersDirectories(ctx.database.db);
        if (action === 'restore') await delivery.deliverDueEnvelopes();
        io.out(`${changed.name} (${changed.id}) is ${changed.state}.`);
      });
    });
  }
}
