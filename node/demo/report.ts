// What the demo prints once the network is up: each node's address and credentials, and commands
// to paste. The same data is in credentials.json.
import { join, relative } from 'node:path';
import type { DemoNode } from './credentials.js';

const shellQuote = (text: string) => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);

/** A path as short as it can be from where the person runs commands. */
const fromCwd = (path: string, cwd: string) => {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') ? rel : path;
};

export function describeNetwork(
  nodes: readonly DemoNode[],
  options: { root: string; cwd: string; credentialsFile: string; kekInEnvironment: boolean },
): string {
  const lines: string[] = [''];
  for (const node of nodes) {
    lines.push(
      `${node.key}  ${node.name} (${node.country})`,
      `    URL:         ${node.url}`,
      `    Web:         ${node.url}/ui/ (sign in as the admin, the caseworker or the auditor below)`,
      `    Fingerprint: ${node.fingerprint}`,
      `    Data:        ${fromCwd(node.dataDir, options.cwd)}`,
      `    Admin:       ${node.admin.username} / ${node.admin.password}`,
      `                 token ${node.admin.token}`,
      `    Caseworker:  ${node.caseworker.username} / ${node.caseworker.password}`,
      `                 token ${node.caseworker.token}`,
      `    Auditor:     ${node.auditor.username} / ${node.auditor.password}`,
      `                 token ${node.auditor.token}`,
      '',
    );
  }
  const austrian = nodes.find((n) => n.key === 'at') ?? nodes[0];
  // A caseworker in Athens looking for a service in Austria: the matching the directories are for.
  const greek = nodes.find((n) => n.key === 'gr');
  if (austrian) {
    const cli = fromCwd(join(options.root, 'bin', 'referral-node.js'), options.cwd);
    // The CLI would take REFERRAL_NODE_KEK over the node's own key file, and fail to open it.
    const unsetKek = options.kekInEnvironment ? 'env -u REFERRAL_NODE_KEK ' : '';
    lines.push(
      'Try:',
      `  curl -s -H 'Authorization: Bearer ${austrian.caseworker.token}' ${austrian.url}/api/v1/referrals`,
      `  ${unsetKek}node ${shellQuote(cli)} referral list --data ${shellQuote(fromCwd(austrian.dataDir, options.cwd))}`,
      `  ${unsetKek}node ${shellQuote(cli)} consent list --data ${shellQuote(fromCwd(austrian.dataDir, options.cwd))}`,
      `  ${unsetKek}node ${shellQuote(cli)} audit verify --data ${shellQuote(fromCwd(austrian.dataDir, options.cwd))}`,
      ...(greek
        ? [
            `  ${unsetKek}node ${shellQuote(cli)} match --need vocational-training --country AT --language ar,en --legal-status asylum-seeker --with-children --data ${shellQuote(fromCwd(greek.dataDir, options.cwd))}`,
          ]
        : []),
      '',
    );
  }
  lines.push(`Credentials are also in ${fromCwd(options.credentialsFile, options.cwd)} (readable by you only).`);
  return lines.join('\n');
}
