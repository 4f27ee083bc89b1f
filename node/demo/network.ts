// Building the demo network in-process, as an administrator would with the CLI: each node with
// its admin, a caseworker, an auditor and their API tokens, then mutual trust between every pair.
import { resolveConfig, type NodeConfig } from '../config/config.js';
import type { Env } from '../config/env.js';
import { initNode, openNode } from '../node.js';
import { readableFingerprint } from '../identity/keys.js';
import { addPeer, fetchPeerIdentity, listPeers, trustPeer } from '../peers/service.js';
import { createApiToken, createUser, setWorkContact } from '../users/service.js';
import type { DemoNode } from './credentials.js';
import { DemoError } from './errors.js';
import type { DemoOrganisation } from './fixtures.js';

/**
 * Each demo node keeps its own key file: a REFERRAL_NODE_KEK (or REFERRAL_NODE_KEK_FILE, or a
 * systemd credential) in the environment would otherwise be shared by all of them (and belongs to
 * some other node). Logs are silent: the running child process is the one that logs. The demo's
 * nodes are on loopback: a private network.
 */
export function demoNodeConfig(dataDir: string, env: Env): NodeConfig {
  return { ...resolveConfig({ data: dataDir }, env), kekFromEnv: undefined, kekFromFile: undefined, kekCredential: undefined, logLevel: 'silent', privateNetwork: true };
}

export { hasNode } from '../node.js';

export async function createDemoNode(organisation: DemoOrganisation, url: string, config: NodeConfig): Promise<DemoNode> {
  const { key, name, country, languages, contact } = organisation;
  const init = await initNode(config, { nodeId: url, name, country, languages, contact }, { username: 'admin' });
  const node = await openNode(config, { httpApp: false });
  try {
    const { database } = node.ctx;
    const now = node.ctx.clock.now();
    const token = (username: string) => createApiToken(database, username, { label: 'demo', days: node.ctx.limits.apiTokenDays }, now);
    const caseworker = await createUser(database, { username: 'caseworker', role: 'caseworker', displayName: organisation.caseworker.name }, now);
    await setWorkContact(database, caseworker.user.id, organisation.caseworker.workContact, now, { kind: 'system', id: 'command-line' });
    const auditor = await createUser(database, { username: 'auditor', role: 'auditor' }, now);
    return {
      key,
      name,
      country,
      url: init.nodeId,
      dataDir: config.dataDir,
      fingerprint: init.fingerprint,
      admin: { username: init.adminUsername, password: init.adminPassword, token: await token(init.adminUsername) },
      caseworker: { username: 'caseworker', password: caseworker.password, token: await token('caseworker') },
      auditor: { username: 'auditor', password: auditor.password, token: await token('auditor') },
    };
  } finally {
    await node.close();
  }
}

/**
 * For every ordered pair (a, b): a fetches b's identity document from the running b, adds it and
 * trusts it. Runs beside the serving child processes (SQLite WAL allows it). Pairs already
 * trusted are left alone, and so are peers an administrator suspended or revoked, so a kept network
 * is not touched. Returns the pairs newly trusted.
 */
export async function trustEachOther(nodes: readonly DemoNode[], env: Env, say: (line: string) => void): Promise<number> {
  let added = 0;
  for (const truster of nodes) {
    const node = await openNode(demoNodeConfig(truster.dataDir, env), { httpApp: false });
    try {
      const { ctx } = node;
      const known = new Map((await listPeers(ctx.database.db)).map((peer) => [peer.id, peer.state]));
      for (const other of nodes) {
        const state = known.get(other.url);
        if (other === truster || state === 'trusted') continue;
        // An administrator of a kept network suspended or revoked it (in the web interface, say): theirs to undo.
        if (state === 'suspended' || state === 'revoked') {
          say(`${truster.key} has ${other.key} ${state}; left as it is`);
          continue;
        }
        const { identity, jws } = await fetchPeerIdentity(ctx.fetch, ctx.clock, other.url, ctx.limits.clockSkewSeconds);
        // What an administrator compares over the phone; here it catches a stranger on the port.
        const fingerprint = readableFingerprint(identity.signingKey.kid);
        if (fingerprint !== other.fingerprint) {
          throw new DemoError(`${other.url} answers with fingerprint ${fingerprint}, not the ${other.key} node's ${other.fingerprint}; is another node using that port?`);
        }
        await addPeer(ctx.database, identity, jws, ctx.clock.now());
        const peer = await trustPeer(ctx.database, identity.claims.iss, ctx.clock.now());
        say(`${truster.key} trusts ${other.key} (${peer.name}, fingerprint ${peer.fingerprint})`);
        added += 1;
      }
    } finally {
      await node.close();
    }
  }
  return added;
}
