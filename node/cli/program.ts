// The `referral-node` command. Building the program has no side effects and loads none of the
// node: each action imports what it runs when it runs, and opens the data folder then.
import { Command, Option } from 'commander';
import type { HttpAppBuilder } from '../http/app.js';
import type { ProcessRole } from '../processes/registry.js';
import type { KekSource } from '../config/kek-source.js';
import { MAX_API_TOKEN_DAYS } from '../config/config.js';
import { ROLES, type Role } from '../users/roles.js';
import { PROTOCOL_VERSIONS, SOFTWARE_VERSION } from '../version.js';
import { CliError, defaultIo, printTable, type CliIo } from './output.js';
import { configFrom, dataOption, warnOnStderr, withNode } from './data-folder.js';
import { addReferralCommands } from './referral-commands.js';
import { addPeerStateCommands } from './peer-state-commands.js';
import { addConsentCommands } from './consent-commands.js';
import { addKeyCommands } from './key-commands.js';
import { addTaxonomyCommands } from './taxonomy-commands.js';
import { addServiceCommands } from './service-commands.js';
import { addDirectoryCommands } from './directory-commands.js';
import { addMatchCommands } from './match-commands.js';
import { addAuditCommands } from './audit-commands.js';
import { addInvitationCommands } from './invitation-commands.js';
import { addTrustListCommands } from './trust-list-commands.js';
import { addBackupCommands } from './backup-commands.js';
import { addConformanceCommands } from './conformance-commands.js';

/** What init says of the key-encryption key it made or found. */
function kekSentence(source: KekSource, created: boolean, where: string): string {
  switch (source.kind) {
    case 'data-folder':
      return 'The key-encryption key is in kek.key in the data folder: back it up apart from the database.';
    case 'file':
      return `The key-encryption key ${created ? 'was written to' : 'is read from'} ${where}, outside the data folder: back it up apart from the database; a backup of the data folder alone decrypts nothing, and the node cannot start without the key.`;
    default:
      return `The key-encryption key comes from ${where}: the node cannot start without it.`;
  }
}

/**
 * `loadHttpApp` gives what `serve` serves, loaded only when it runs (server/main.ts: the node's APIs
 * with the web interface); without it, the node's own APIs.
 */
export function buildProgram(io: CliIo = defaultIo, loadHttpApp?: () => Promise<HttpAppBuilder>): Command {
  const program = new Command('referral-node')
    .description('A node of the referral network: end-to-end encrypted referrals between trusted organisations.')
    .showHelpAfterError()
    .exitOverride()
    .version(`referral-node ${SOFTWARE_VERSION} (protocol ${PROTOCOL_VERSIONS.join(', ')})`, '-V, --version', 'print the version of this program and of the protocol it speaks');

  program
    .command('init')
    .description('Create a node: data folder, database, keys, and a first administrator (password printed once).')
    .addOption(dataOption())
    .requiredOption('--url <url>', 'the public base URL peers reach this node at (its node id)')
    .requiredOption('--name <name>', 'the organisation\'s name')
    .requiredOption('--country <cc>', 'ISO 3166-1 alpha-2 country code, e.g. GR')
    .option('--languages <list>', 'comma-separated language codes the organisation works in', 'en')
    .option('--contact <contact>', 'a contact address for other organisations\' administrators')
    .option('--admin-user <name>', 'user name of the first administrator', 'admin')
    .option('--database-url <url>', 'keep the node\'s data in this PostgreSQL database (or DATABASE_URL; default: SQLite in the data folder)')
    .action(async (options: { data?: string; databaseUrl?: string; url: string; name: string; country: string; languages: string; contact?: string; adminUser: string }) => {
      const country = options.country.toUpperCase();
      if (!/^[A-Z]{2}$/.test(country)) throw new CliError('--country takes a two-letter ISO 3166-1 code, e.g. GR, AT, IT.');
      const languages = options.languages.split(',').map((l) => l.trim().toLowerCase()).filter(Boolean);
      if (languages.length === 0 || languages.some((l) => !/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/.test(l))) {
        throw new CliError('--languages takes language codes separated by commas, e.g. el,en.');
      }
      const { describeKekSource, initNode, normaliseNodeUrl } = await import('./node-functions.js');
      const nodeId = normaliseNodeUrl(options.url);
      const result = await initNode(
        configFrom(options),
        { nodeId, name: options.name, country, languages, contact: options.contact },
        { username: options.adminUser },
      );
      io.out(
        [
          `Node created: ${result.nodeId}`,
          `Fingerprint:  ${result.fingerprint}`,
          `Administrator: ${result.adminUsername}`,
          `Password:     ${result.adminPassword}   (shown once: store it now)`,
          kekSentence(result.kek.source, result.kek.created, describeKekSource(result.kek.source)),
        ].join('\n'),
      );
      result.warnings.forEach(warnOnStderr);
    });

  program
    .command('serve')
    .description('Run the node: federation API, local API, web interface and delivery worker (or, with --role, a part of them), until SIGTERM or SIGINT.')
    .addOption(dataOption())
    .option('--port <port>', 'TCP port (or REFERRAL_NODE_PORT; default 7100)')
    .option('--host <host>', 'address to listen on (or REFERRAL_NODE_HOST; default 127.0.0.1)')
    .addOption(
      new Option('--role <role>', 'web: serve HTTP only; worker: deliver and run the periodic jobs, no HTTP; all: both (several processes may share one PostgreSQL database)')
        .choices(['all', 'web', 'worker'])
        .default('all'),
    )
    .action(async (options: { data?: string; port?: string; host?: string; role: ProcessRole }) => {
      const config = configFrom(options);
      const { openNode, serveNode } = await import('../node.js');
      const node = await openNode(config, { httpApp: await loadHttpApp?.(), role: options.role });
      const serving = await serveNode(node, { port: config.port, host: config.host });
      if (serving.url) node.ctx.logger.info({ url: serving.url, node: node.ctx.self.nodeId, role: options.role }, 'node listening');
      else node.ctx.logger.info({ node: node.ctx.self.nodeId, role: options.role }, 'node working');
      await new Promise<void>((done) => {
        const stop = (signal: string) => {
          node.ctx.logger.info({ signal }, 'shutting down');
          void serving.shutdown().then(done);
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
    });

  const peer = program.command('peer').description('Other nodes: add, trust, list, suspend, restore, revoke.');
  addPeerStateCommands(peer, io);
  peer
    .command('add <url>')
    .description('Fetch a node\'s identity document, show its fingerprint, and store it as pending.')
    .addOption(dataOption())
    .action(async (url: string, options: { data?: string }) => {
      await withNode(options, async ({ ctx }) => {
        const { addPeer, COMMAND_LINE, fetchPeerIdentity } = await import('./node-functions.js');
        const { identity, jws } = await fetchPeerIdentity(ctx.fetch, ctx.clock, url, ctx.limits.clockSkewSeconds);
        const { peer: added, created } = await addPeer(ctx.database, identity, jws, ctx.clock.now(), COMMAND_LINE);
        io.out(
          [
            `${created ? 'Added' : 'Already known'}: ${added.name} (${added.country}), state ${added.state}`,
            `Id:          ${added.id}`,
            `Fingerprint: ${added.fingerprint}`,
            added.state === 'pending'
              ? `Compare the fingerprint with ${added.name}'s administrator (by phone, not e-mail), then run:\n  referral-node peer trust ${added.id}`
              : '',
          ].filter(Boolean).join('\n'),
        );
      });
    });
  peer
    .command('trust <id>')
    .description('Trust a pending peer, pinning its signing key.')
    .addOption(dataOption())
    .option('--fingerprint <fp>', 'refuse unless the peer\'s fingerprint is this one')
    .action(async (id: string, options: { data?: string; fingerprint?: string }) => {
      await withNode(options, async ({ ctx }) => {
        const { COMMAND_LINE, normaliseNodeUrl, requireFingerprint, trustPeer } = await import('./node-functions.js');
        const peerId = normaliseNodeUrl(id);
        if (options.fingerprint) await requireFingerprint(ctx.database.db, peerId, options.fingerprint);
        const trusted = await trustPeer(ctx.database, peerId, ctx.clock.now(), COMMAND_LINE);
        io.out(`Trusted: ${trusted.name} (${trusted.id}), fingerprint ${trusted.fingerprint}`);
      });
    });
  peer
    .command('list')
    .description('List known peers and their trust state.')
    .addOption(dataOption())
    .option('--json', 'print JSON')
    .action(async (options: { data?: string; json?: boolean }) => {
      await withNode(options, async ({ ctx }) => {
        const { listPeers } = await import('./node-functions.js');
        const peers = await listPeers(ctx.database.db);
        if (options.json) return io.out(JSON.stringify(peers, null, 2));
        io.out(peers.length === 0 ? 'No peers yet: add one with `referral-node peer add URL`.' : printTable(peers.map((p) => ({ ...p, languages: p.languages.join(',') })), ['id', 'name', 'country', 'state', 'fingerprint']));
      });
    });

  addInvitationCommands(peer, io);
  addReferralCommands(program, io);
  addConsentCommands(program, io);
  addKeyCommands(program, io);
  addTaxonomyCommands(program, io);
  addServiceCommands(program, io);
  addDirectoryCommands(program, io);
  addMatchCommands(program, io);
  addAuditCommands(program, io);
  addTrustListCommands(program, io);
  addBackupCommands(program, io);
  addConformanceCommands(program, io);

  const user = program.command('user').description('Users of this node.');
  user
    .command('add <username>')
    .description('Create a user with a generated password (printed once).')
    .addOption(dataOption())
    .addOption(new Option('--role <role>', 'the user\'s role').choices([...ROLES]).makeOptionMandatory())
    .option('--name <display name>', 'the name pages show for the user (their user name otherwise)')
    .action(async (username: string, options: { data?: string; role: Role; name?: string }) => {
      await withNode(options, async ({ ctx }) => {
        const { createUser } = await import('./node-functions.js');
        const { password } = await createUser(ctx.database, { username, role: options.role, ...(options.name !== undefined ? { displayName: options.name } : {}) }, ctx.clock.now());
        io.out(`User ${username} (${options.role}) created. Password: ${password}   (shown once)`);
      });
    });

  user
    .command('set-name <username> [display-name]')
    .description('Give a user the name pages show for them in the timeline, the audit log and assignments, or take it away with --none (their user name is shown then); written in the audit log, without the name.')
    .addOption(dataOption())
    .option('--none', 'take the display name away')
    .action(async (username: string, displayName: string | undefined, options: { data?: string; none?: boolean }) => {
      if ((displayName === undefined) === !options.none) throw new CliError('Give either a display name or --none.');
      await withNode(options, async ({ ctx }) => {
        const { COMMAND_LINE, displayNameOf, findUserByName, setDisplayName } = await import('./node-functions.js');
        const account = await findUserByName(ctx.database.db, username);
        if (!account) throw new CliError(`There is no user ${username} on this node.`);
        const change = await setDisplayName(ctx.database, account.id, displayName ?? null, ctx.clock.now(), COMMAND_LINE);
        if (change === 'unchanged') io.out(`${username} already had that display name; nothing changed.`);
        else if (displayName === undefined) io.out(`${username} has no display name now; pages show the user name.`);
        else {
          const kept = displayNameOf(displayName);
          io.out(`${username} is shown as “${kept.ok ? kept.name : displayName}”.`);
        }
      });
    });

  user
    .command('set-contact <username> [contact]')
    .description('Give a user a work contact (a phone number or e-mail address at work), or take it away with --none. A partner organisation is told it, with the display name, when the user is responsible for a referral it sent here; written in the audit log, without the contact.')
    .addOption(dataOption())
    .option('--none', 'take the work contact away')
    .action(async (username: string, contact: string | undefined, options: { data?: string; none?: boolean }) => {
      if ((contact === undefined) === !options.none) throw new CliError('Give either a work contact or --none.');
      await withNode(options, async ({ ctx }) => {
        const { COMMAND_LINE, findUserByName, setWorkContact } = await import('./node-functions.js');
        const account = await findUserByName(ctx.database.db, username);
        if (!account) throw new CliError(`There is no user ${username} on this node.`);
        const change = await setWorkContact(ctx.database, account.id, contact ?? null, ctx.clock.now(), COMMAND_LINE);
        if (change === 'unchanged') io.out(`${username} already had that work contact; nothing changed.`);
        else if (contact === undefined) io.out(`${username} has no work contact now.`);
        else io.out(`${username}'s work contact is saved; partners are told it when ${username} is responsible for a referral they sent.`);
      });
    });

  user
    .command('list')
    .description('List the users: name, role, whether disabled, last sign-in to the web interface.')
    .addOption(dataOption())
    .option('--json', 'print JSON')
    .action(async (options: { data?: string; json?: boolean }) => {
      await withNode(options, async ({ ctx }) => {
        const { listUsers } = await import('./node-functions.js');
        const users = await listUsers(ctx.database.db);
        if (options.json) return io.out(JSON.stringify(users, null, 2));
        io.out(
          printTable(
            users.map((u) => ({
              username: u.username, display_name: u.display_name ?? '', role: u.role, status: u.disabled_at ? `disabled ${u.disabled_at}` : 'active',
              created_at: u.created_at, last_signed_in_at: u.last_signed_in_at ?? 'never',
            })),
            ['username', 'display_name', 'role', 'status', 'created_at', 'last_signed_in_at'],
          ),
        );
      });
    });

  for (const [name, disabled] of [['disable', true], ['enable', false]] as const) {
    user
      .command(`${name} <username>`)
      .description(
        disabled
          ? 'Disable an account: its web sessions end and its API tokens are revoked (the last active administrator stays); written in the audit log.'
          : 'Enable a disabled account again (its password works again; its tokens were revoked); written in the audit log.',
      )
      .addOption(dataOption())
      .action(async (username: string, options: { data?: string }) => {
        await withNode(options, async ({ ctx }) => {
          const { COMMAND_LINE, findUserByName, setUserDisabled } = await import('./node-functions.js');
          const account = await findUserByName(ctx.database.db, username);
          if (!account) throw new CliError(`There is no user ${username} on this node.`);
          const change = await setUserDisabled(ctx.database, account.id, disabled, ctx.clock.now(), COMMAND_LINE);
          if (change === 'last-admin') throw new CliError(`${username} is the last active administrator: give another user the admin role first. Nothing was changed.`);
          io.out(change === 'unchanged' ? `${username} was already ${disabled ? 'disabled' : 'enabled'}; nothing changed.` : `${username} is ${disabled ? 'disabled' : 'enabled'}.`);
        });
      });
  }

  user
    .command('reset-password <username>')
    .description('Give a user a new generated password (printed once): their web sessions end and their API tokens are revoked; written in the audit log.')
    .addOption(dataOption())
    .action(async (username: string, options: { data?: string }) => {
      await withNode(options, async ({ ctx }) => {
        const { COMMAND_LINE, findUserByName, resetPassword } = await import('./node-functions.js');
        const account = await findUserByName(ctx.database.db, username);
        if (!account) throw new CliError(`There is no user ${username} on this node.`);
        const reset = await resetPassword(ctx.database, account.id, ctx.clock.now(), COMMAND_LINE);
        if (!reset) throw new CliError(`There is no user ${username} on this node.`);
        io.out(`New password for ${username}: ${reset.password}   (shown once; their sessions ended and their API tokens were revoked)`);
      });
    });

  user
    .command('unlock <username>')
    .description('Lift the sign-in lock (and the waits) that failed sign-ins put on an account; written in the audit log.')
    .addOption(dataOption())
    .action(async (username: string, options: { data?: string }) => {
      await withNode(options, async ({ ctx }) => {
        const { COMMAND_LINE, findUserByName } = await import('./node-functions.js');
        const account = await findUserByName(ctx.database.db, username);
        if (!account) throw new CliError(`There is no user ${username} on this node.`);
        const lifted = await ctx.throttles.signIn.unlock(username, account.id, ctx.clock.now(), COMMAND_LINE);
        io.out(lifted ? `Sign-in for ${username} is open again.` : `Sign-in for ${username} was not locked; nothing changed.`);
      });
    });

  user
    .command('unlock-address <address>')
    .description('Lift the sign-in lock (and the waits) that failed sign-ins from one client address put on it, e.g. an office behind one address; written in the audit log, without the address.')
    .addOption(dataOption())
    .action(async (address: string, options: { data?: string }) => {
      const { isIP } = await import('node:net');
      if (isIP(address) === 0) throw new CliError(`${address} is not an IP address (e.g. 203.0.113.7 or 2001:db8::7). Nothing was changed.`);
      await withNode(options, async ({ ctx }) => {
        const { COMMAND_LINE } = await import('./node-functions.js');
        const lifted = await ctx.throttles.signIn.unlockAddress(address, ctx.clock.now(), COMMAND_LINE);
        io.out(lifted ? `Sign-in from ${address} is open again.` : `Sign-in from ${address} was not held back; nothing changed.`);
      });
    });

  user
    .command('remove-second-factor <username>')
    .description('Remove a user\'s second factor (lost phone and recovery codes): they sign in with their password alone until they set up a new one; their sessions end; written in the audit log.')
    .addOption(dataOption())
    .action(async (username: string, options: { data?: string }) => {
      await withNode(options, async ({ ctx }) => {
        const { COMMAND_LINE, findUserByName, removeSecondFactor } = await import('./node-functions.js');
        const account = await findUserByName(ctx.database.db, username);
        if (!account) throw new CliError(`There is no user ${username} on this node.`);
        const removed = await removeSecondFactor(ctx.database, account.id, ctx.clock.now(), COMMAND_LINE);
        io.out(removed ? `The second factor of ${username} is removed; their sessions are ended.` : `${username} has no second factor; nothing changed.`);
      });
    });

  const token = program.command('token').description('API tokens for the local API.');
  token
    .command('create')
    .description('Create an API token for a user (printed once; only its digest is stored).')
    .addOption(dataOption())
    .requiredOption('--user <name>', 'the user the token acts as')
    .option('--label <label>', 'what the token is for', 'cli')
    .option('--days <days>', `how many days the token works (1 to ${MAX_API_TOKEN_DAYS}; default REFERRAL_NODE_API_TOKEN_DAYS, or 90)`)
    .action(async (options: { data?: string; user: string; label: string; days?: string }) => {
      const days = options.days === undefined ? undefined : Number(options.days);
      if (days !== undefined && !(/^\d+$/.test(options.days!) && days >= 1 && days <= MAX_API_TOKEN_DAYS)) {
        throw new CliError(`--days must be a whole number from 1 to ${MAX_API_TOKEN_DAYS}.`);
      }
      await withNode(options, async ({ ctx }) => {
        const { createApiToken } = await import('./node-functions.js');
        io.out(await createApiToken(ctx.database, options.user, { label: options.label, days: days ?? ctx.limits.apiTokenDays }, ctx.clock.now()));
      });
    });

  token
    .command('list')
    .description('List the API tokens: id, user, label, when created, last used and when they expire (never the token itself).')
    .addOption(dataOption())
    .option('--user <name>', 'only this user\'s tokens')
    .option('--json', 'print JSON')
    .action(async (options: { data?: string; user?: string; json?: boolean }) => {
      await withNode(options, async ({ ctx }) => {
        const { listApiTokens } = await import('./node-functions.js');
        const tokens = await listApiTokens(ctx.database.db, options.user);
        if (options.json) io.out(JSON.stringify(tokens, null, 2));
        else if (tokens.length === 0) io.out(options.user ? `${options.user} has no API token.` : 'There is no API token.');
        else {
          const now = ctx.clock.now().getTime();
          const rows = tokens.map((t) => ({ ...t, last_used_at: t.last_used_at ?? 'never', expires_at: Date.parse(t.expires_at) > now ? t.expires_at : `expired ${t.expires_at}` }));
          io.out(printTable(rows, ['id', 'username', 'label', 'created_at', 'last_used_at', 'expires_at']));
        }
      });
    });
  token
    .command('revoke <id>')
    .description('Revoke an API token by its id (token list shows it): it stops working at once; written in the audit log.')
    .addOption(dataOption())
    .action(async (id: string, options: { data?: string }) => {
      await withNode(options, async ({ ctx }) => {
        const { COMMAND_LINE, revokeApiToken } = await import('./node-functions.js');
        if (!(await revokeApiToken(ctx.database, id, ctx.clock.now(), COMMAND_LINE))) throw new CliError(`There is no API token ${id}; token list shows the ids. Nothing was changed.`);
        io.out(`API token ${id} is revoked.`);
      });
    });

  const node = program.command('node').description('This node.');
  node
    .command('show')
    .description('Show this node\'s id and fingerprint.')
    .addOption(dataOption())
    .action(async (options: { data?: string }) => {
      await withNode(options, async ({ ctx }) => {
        const { readableFingerprint } = await import('./node-functions.js');
        const { self } = ctx;
        io.out(`${self.name} (${self.country})\nId:          ${self.nodeId}\nFingerprint: ${readableFingerprint(self.signingKey.kid)}`);
      });
    });

  return program;
}
