// `referral-node trustlist create | add | remove | sign | revoke-key` for the operator of a
// network's trust anchor, on any machine and without a node (the anchor key is a file kept
// offline), and
// `trustlist status` for a node's administrator: what the node following a list last fetched and
// applied.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { normaliseNodeUrl } from '../peers/node-url.js';
import { privateNetworkFrom } from '../config/config.js';
import { readEnv } from '../config/env.js';
import { outboundFetch } from '../net/outbound.js';
import type { TrustListClaims, UnsignedTrustList } from '../peers/trust-list.js';
import { DEFAULT_VALID_DAYS, KID_PATTERN, MAX_VALID_DAYS } from '../peers/validity.js';
import { describeErrors, validatorFor } from '../schema/validators.js';
import { CliError, printTable, type CliIo } from './output.js';
import { dataOption, withNode } from './data-folder.js';

function writeNew(path: string, text: string, mode: number, what: string): void {
  try {
    writeFileSync(path, text, { mode, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new CliError(`${path} already exists; ${what} is never overwritten. Choose another file.`);
    throw new CliError(`Cannot write ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`Cannot read ${what} ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
}

function readUnsignedList(path: string): UnsignedTrustList {
  let list: unknown;
  try {
    list = JSON.parse(readText(path, 'the list'));
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${path} is not JSON; give the list \`trustlist create\` wrote.`);
  }
  const candidate = list as Partial<UnsignedTrustList>;
  if (typeof candidate.network !== 'string' || !Array.isArray(candidate.members)) {
    throw new CliError(`${path} is not an unsigned trust list (it needs "network" and "members"); give the list \`trustlist create\` wrote.`);
  }
  return { network: candidate.network, members: candidate.members };
}

function writeUnsignedList(path: string, list: UnsignedTrustList): void {
  writeFileSync(path, `${JSON.stringify(list, null, 2)}\n`);
}

function validNetworkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 200) throw new CliError('--network takes the network\'s name, 1 to 200 characters.');
  return trimmed;
}

async function readAnchorKey(path: string) {
  const { anchorKeyFrom, TrustListError } = await import('./anchor-functions.js');
  try {
    return await anchorKeyFrom(readText(path, 'the key file'));
  } catch (error) {
    if (error instanceof TrustListError) throw new CliError(`${path}: ${error.message}`);
    throw error;
  }
}

export function addTrustListCommands(program: Command, io: CliIo): void {
  const trustlist = program
    .command('trustlist')
    .description('A network trust list: the anchor operator creates, edits and signs it; a node following one shows its status.');

  trustlist
    .command('create')
    .description('Make a trust anchor key (a private key file, mode 0600) and an empty unsigned list.')
    .requiredOption('--key <file>', 'where to write the anchor\'s private key (never overwritten)')
    .requiredOption('--out <file>', 'where to write the unsigned list (never overwritten)')
    .requiredOption('--network <name>', 'the network\'s name, shown to administrators of member nodes')
    .action(async (options: { key: string; out: string; network: string }) => {
      const network = validNetworkName(options.network);
      const { generateAnchorJwk } = await import('./anchor-functions.js');
      const jwk = await generateAnchorJwk();
      writeNew(options.key, `${JSON.stringify(jwk)}\n`, 0o600, 'a key file');
      writeNew(options.out, `${JSON.stringify({ network, members: [] } satisfies UnsignedTrustList, null, 2)}\n`, 0o644, 'a list');
      io.out(
        [
          `Trust anchor key written to ${options.key} (keep it offline; it signs the list).`,
          `Anchor key thumbprint: ${jwk.kid}`,
          `Give it to the administrator of every member node, over a channel you trust: they set`,
          `  REFERRAL_NODE_TRUST_ANCHOR_KID=${jwk.kid}`,
          `Empty list for "${network}" written to ${options.out}; add members with \`referral-node trustlist add ${options.out} --node URL --kid THUMBPRINT\`.`,
        ].join('\n'),
      );
    });

  trustlist
    .command('add <list>')
    .description('Add a member node (or change its key) in an unsigned list.')
    .requiredOption('--node <url>', 'the member\'s node id (its base URL)')
    .requiredOption('--kid <thumbprint>', 'the member\'s signing key thumbprint (the kid of its identity document\'s signing key, 43 characters)')
    .option('--name <name>', 'the organisation\'s name, for people reading the list')
    .action(async (path: string, options: { node: string; kid: string; name?: string }) => {
      const { readableFingerprint } = await import('./anchor-functions.js');
      const nodeId = normaliseNodeUrl(options.node);
      if (!KID_PATTERN.test(options.kid)) {
        throw new CliError('--kid takes the full RFC 7638 thumbprint of the member\'s signing key: 43 characters of base64url (the short fingerprint is not enough for a list).');
      }
      const name = options.name?.trim();
      if (name !== undefined && (name.length < 1 || name.length > 200)) throw new CliError('--name takes 1 to 200 characters.');
      const list = readUnsignedList(path);
      const member = { node_id: nodeId, signing_kid: options.kid, ...(name ? { name } : {}) };
      const known = list.members.findIndex((m) => m.node_id === nodeId);
      if (known >= 0) list.members[known] = member;
      else list.members.push(member);
      writeUnsignedList(path, list);
      io.out(`${known >= 0 ? 'Updated' : 'Added'}: ${nodeId}, fingerprint ${readableFingerprint(options.kid)}. Sign the list to publish it.`);
    });

  trustlist
    .command('remove <list>')
    .description('Remove a member node from an unsigned list; nodes following the list revoke it once the signed list is published.')
    .requiredOption('--node <url>', 'the member\'s node id (its base URL)')
    .action((path: string, options: { node: string }) => {
      const nodeId = normaliseNodeUrl(options.node);
      const list = readUnsignedList(path);
      const members = list.members.filter((m) => m.node_id !== nodeId);
      if (members.length === list.members.length) throw new CliError(`${nodeId} is not in the list; nothing was changed.`);
      writeUnsignedList(path, { ...list, members });
      io.out(`Removed: ${nodeId}. Sign the list and publish it; nodes following it then revoke that node.`);
    });

  trustlist
    .command('sign <list>')
    .description('Sign an unsigned list with the anchor key, writing the compact JWS to publish at the trust list URL.')
    .requiredOption('--key <file>', 'the anchor\'s private key file')
    .requiredOption('--out <file>', 'where to write the signed list (a compact JWS)')
    .option('--valid-days <days>', `how long nodes apply it (1 to ${MAX_VALID_DAYS}); sign and publish again before then`, String(DEFAULT_VALID_DAYS))
    .action(async (path: string, options: { key: string; out: string; validDays: string }) => {
      const days = /^\d+$/.test(options.validDays) ? Number(options.validDays) : Number.NaN;
      if (!Number.isInteger(days) || days < 1 || days > MAX_VALID_DAYS) throw new CliError(`--valid-days takes a whole number of days from 1 to ${MAX_VALID_DAYS}.`);
      const list = readUnsignedList(path);
      const key = await readAnchorKey(options.key);
      const iat = Math.floor(Date.now() / 1000);
      const claims: TrustListClaims = { iss: list.network, iat, exp: iat + days * 86_400, members: list.members };
      const check = validatorFor('federation', 'TrustListClaims');
      if (!check(claims)) throw new CliError(`${path} is not a valid trust list: ${describeErrors(check.errors).map((e) => `${e.path || 'the list'} ${e.message}`).join('; ')}. Nothing was signed.`);
      const { signTrustList } = await import('./anchor-functions.js');
      writeFileSync(options.out, `${await signTrustList(claims, key)}\n`);
      io.out(
        [
          `Signed "${list.network}": ${list.members.length} member${list.members.length === 1 ? '' : 's'}, valid until ${new Date(claims.exp * 1000).toISOString()}.`,
          `Anchor key thumbprint: ${key.kid}`,
          `Publish ${options.out} at the trust list URL, and sign it again before it expires.`,
        ].join('\n'),
      );
    });

  trustlist
    .command('revoke-key <list>')
    .description(
      'Declare a member\'s signing key (as listed) compromised: writes a revocation statement signed by the anchor and, with --push, sends it to every other member, which revokes that node at once.',
    )
    .requiredOption('--key <file>', 'the anchor\'s private key file')
    .requiredOption('--node <url>', 'the member whose key was compromised')
    .requiredOption('--out <file>', 'where to write the statement (a compact JWS; never overwritten)')
    .option('--push', 'send it now to every other member of the list')
    .action(async (path: string, options: { key: string; node: string; out: string; push?: boolean }) => {
      const nodeId = normaliseNodeUrl(options.node);
      const list = readUnsignedList(path);
      const member = list.members.find((m) => m.node_id === nodeId);
      if (!member) throw new CliError(`${nodeId} is not in the list; the anchor revokes only keys it listed. Nothing was signed.`);
      const key = await readAnchorKey(options.key);
      const { pushTo, readableFingerprint, signAnchorKeyRevocation } = await import('./anchor-functions.js');
      const statement = await signAnchorKeyRevocation(key, nodeId, member.signing_kid, Math.floor(Date.now() / 1000));
      writeNew(options.out, `${statement}\n`, 0o644, 'a statement');
      io.out(`Revocation of ${nodeId}'s key ${readableFingerprint(member.signing_kid)} written to ${options.out}, signed by the anchor ${key.kid}.`);
      if (options.push) {
        const others = list.members.filter((m) => m.node_id !== nodeId);
        // Through the node's outbound policy: https to public addresses, unless REFERRAL_NODE_PRIVATE_NETWORK.
        const fetch = outboundFetch({ privateNetwork: privateNetworkFrom(readEnv()) });
        const outcomes = await Promise.all(others.map(async (m) => ({ member: m.node_id, outcome: await pushTo(fetch, m.node_id, statement) })));
        if (outcomes.length > 0) io.out(printTable(outcomes, ['member', 'outcome']));
      }
      io.out(
        `Now remove it from the list (\`referral-node trustlist remove ${path} --node ${nodeId}\`), sign and publish the list. Once the member has a new key and you have checked it with its administrator, add it again with the new thumbprint; members re-invite it by hand.`,
      );
    });

  trustlist
    .command('status')
    .description('The trust list this node follows: last fetch, the list applied, what it changed and what it could not.')
    .addOption(dataOption())
    .option('--json', 'print JSON')
    .action(async (options: { data?: string; json?: boolean }) => {
      await withNode(options, async (node) => {
        const { trustListStatus } = await import('./node-functions.js');
        const status = await trustListStatus(node.ctx, node.trustList);
        if (options.json) return io.out(JSON.stringify(status, null, 2));
        if (!status.following && !status.checked_at) {
          return io.out('This node follows no trust list (set REFERRAL_NODE_TRUST_LIST_URL and REFERRAL_NODE_TRUST_ANCHOR_KID).');
        }
        const lines = [
          status.following ? `Following: ${status.following.url} (anchor ${status.following.anchorKid})` : 'Following no trust list now; this is what the last one did.',
          status.checked_at ? `Last fetch: ${status.checked_at}, ${status.outcome}${status.detail ? `: ${status.detail}` : ''}` : 'Not fetched yet: the serving node fetches it at start and hourly.',
        ];
        if (status.network) {
          lines.push(`List applied: "${status.network}", signed ${status.list_iat}, valid until ${status.list_exp}, applied ${status.applied_at}`);
          lines.push(`Members: ${status.members?.length ?? 0}; trusted by this list: ${status.applied?.added.length ?? 0}, revoked: ${status.applied?.removed.length ?? 0}, left alone (suspended or revoked here): ${status.applied?.left_alone.length ?? 0}`);
        }
        const problems = status.problems ?? [];
        lines.push(problems.length === 0 ? 'Problems: none.' : `Problems (not trusted; call the member's administrator, or the anchor's operator):\n${printTable(problems.map((p) => ({ ...p })), ['node_id', 'kind', 'detail'])}`);
        if (status.listed_peers.length > 0) lines.push(`Peers from the list:\n${printTable(status.listed_peers.map((p) => ({ peer: p.peer_id, state: p.state, since: p.removed_at ?? p.added_at })), ['peer', 'state', 'since'])}`);
        io.out(lines.join('\n'));
      });
    });
}
