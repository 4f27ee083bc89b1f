// `npm run demo [-- --keep] [-- --dir DIR] [-- --postgres]`: local nodes for the fixtures' organisations,
// each a real `referral-node serve` child process, trusting each other, with the sample referrals
// sent through the local API. Runs until SIGINT/SIGTERM, then stops the nodes gracefully.
import { chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/config.js';
import { readEnv, type Env } from '../config/env.js';
import { KekError } from '../crypto/kek.js';
import { PeerError } from '../peers/service.js';
import { projectRoot } from '../schema/validators.js';
import { UserError } from '../users/service.js';
import { credentialsPath, readCredentials, resetDemoFolder, writeCredentials, type DemoNode } from './credentials.js';
import { DEMO_CHECKPOINT_SECONDS, waitUntilWitnessed } from './witnessing.js';
import { DemoError } from './errors.js';
import { demoOrganisations, demoReferrals } from './fixtures.js';
import { createDemoNode, demoNodeConfig, hasNode, trustEachOther } from './network.js';
import { describeExit, startNodeProcess, stopNodeProcesses, waitForHealth, type NodeProcess } from './processes.js';
import { hasAnyReferral, sendDemoReferrals, waitUntilDelivered } from './referrals.js';
import { describeNetwork } from './report.js';
import { startPostgresCluster, type PostgresCluster } from './postgres-cluster.js';
import { seedDemoServices, syncDemoDirectories } from './directories.js';

const DEFAULT_BASE_PORT = 7101;
const USAGE =
  'Usage: npm run demo -- [--keep] [--dir DIR] [--postgres]\n  --keep     reuse the nodes of the last run (credentials from DIR/credentials.json)\n' +
  '  --dir DIR  where the nodes keep their data (default ./demo-data; emptied unless --keep)\n' +
  '  --postgres each node keeps its data in a PostgreSQL database of its own, on a server the demo runs in DIR/postgres\n' +
  '             (needs Debian\'s postgresql package; default: a SQLite file in each node\'s folder)';

const say = (line: string) => process.stdout.write(`[demo] ${line}\n`);

interface DemoOptions {
  keep: boolean;
  postgres: boolean;
  dir: string;
  basePort: number;
}

function readOptions(argv: string[], env: Env): DemoOptions {
  let values: { keep?: boolean; dir?: string; postgres?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { keep: { type: 'boolean' }, dir: { type: 'string' }, postgres: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    throw new DemoError(`${error instanceof Error ? error.message : 'Unknown option.'}\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n  DEMO_BASE_PORT sets the first port (default ${DEFAULT_BASE_PORT}); the nodes use it and the next four.\n`);
    process.exit(0);
  }
  const raw = env.demoBasePort;
  const basePort = raw === undefined || raw === '' ? DEFAULT_BASE_PORT : /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(basePort) || basePort < 1 || basePort > 65531) throw new DemoError('DEMO_BASE_PORT must be a port number from 1 to 65531.');
  return { keep: values.keep ?? false, postgres: values.postgres ?? false, dir: resolve(values.dir ?? 'demo-data'), basePort };
}

/** Existing nodes (with --keep) or new ones, one per organisation, and their credentials saved. */
async function prepareNodes(options: DemoOptions, env: Env, postgres: PostgresCluster | undefined): Promise<DemoNode[]> {
  const earlier = options.keep ? readCredentials(options.dir) : [];
  const nodes: DemoNode[] = [];
  for (const [index, organisation] of demoOrganisations.entries()) {
    const url = `http://127.0.0.1:${options.basePort + index}`;
    const config = demoNodeConfig(join(options.dir, organisation.key), env);
    const known = earlier.find((node) => node.key === organisation.key);
    if (hasNode(config)) {
      if (!known) throw new DemoError(`${config.dataDir} holds a node that credentials.json does not list; run the demo without --keep to start afresh.`);
      if (known.url !== url) {
        throw new DemoError(`The kept ${organisation.key} node is ${known.url}, a node id cannot change; set DEMO_BASE_PORT=${Number(new URL(known.url).port) - index} or run without --keep.`);
      }
      nodes.push({ ...known, dataDir: config.dataDir });
      say(`reusing ${organisation.key}: ${known.name} at ${url}`);
    } else {
      const databaseUrl = await postgres?.createDatabase(`demo_${organisation.key}`);
      nodes.push(await createDemoNode(organisation, url, { ...config, databaseUrl }));
      say(`created ${organisation.key}: ${organisation.name} (${organisation.city}) at ${url}`);
    }
  }
  writeCredentials(options.dir, nodes);
  return nodes;
}

async function main(): Promise<number> {
  const env = readEnv();
  const options = readOptions(process.argv.slice(2), env);
  const root = projectRoot();
  // Passed through, not read: the nodes get the demo's environment (PATH, log level, ...), minus a
  // KEK that would override the key file each demo node was created with. The nodes are on
  // loopback, a private network (net/outbound.ts).
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    REFERRAL_NODE_KEK: undefined,
    REFERRAL_NODE_KEK_FILE: undefined,
    CREDENTIALS_DIRECTORY: undefined,
    REFERRAL_NODE_PRIVATE_NETWORK: 'true',
    // Checkpoints sooner than a node's default minute, so that the demo is witnessed (and ready) soon.
    REFERRAL_NODE_CHECKPOINT_SECONDS: process.env.REFERRAL_NODE_CHECKPOINT_SECONDS ?? DEMO_CHECKPOINT_SECONDS,
  };
  const checkpointMs = Number(childEnv.REFERRAL_NODE_CHECKPOINT_SECONDS) * 1000;
  const children: NodeProcess[] = [];
  let stopping = false;

  const signalled = new Promise<NodeJS.Signals>((done) => {
    process.once('SIGINT', () => done('SIGINT'));
    process.once('SIGTERM', () => done('SIGTERM'));
  });
  let reportDeath: (message: string) => void = () => {};
  const died = new Promise<never>((_, fail) => (reportDeath = (message) => fail(new DemoError(message))));

  let postgres: PostgresCluster | undefined;
  async function setUp(): Promise<'ready'> {
    if (!options.keep || readCredentials(options.dir).length === 0) resetDemoFolder(options.dir);
    if (options.postgres) {
      // As root, the server runs as the postgres user, who must be able to pass through the demo
      // folder to its own; everything else in it stays private (credentials 0600, nodes 0700).
      if (process.getuid?.() === 0) chmodSync(options.dir, 0o711);
      const nodePorts = demoOrganisations.map((_, index) => options.basePort + index);
      postgres = await startPostgresCluster(join(options.dir, 'postgres'), { durable: true, avoidPorts: nodePorts });
      say(`PostgreSQL started for the nodes' data (${join(options.dir, 'postgres')})`);
    }
    const nodes = await prepareNodes(options, env, postgres);
    for (const node of nodes) {
      if (stopping) throw new DemoError('Stopped before every node was started.');
      const child = startNodeProcess({ key: node.key, root, dataDir: node.dataDir, port: Number(new URL(node.url).port), env: childEnv });
      children.push(child);
      void child.exited.then((status) => {
        if (!stopping) reportDeath(`The ${node.key} node (${node.url}) stopped unexpectedly (${describeExit(status)}); stopping the others.`);
      });
    }
    await Promise.all(children.map((child) => waitForHealth(child)));
    say(`all ${nodes.length} nodes answer /healthz`);
    const trusted = await trustEachOther(nodes, env, say);
    if (trusted === 0) say('the nodes already trust each other');
    await seedDemoServices(nodes, say);
    await syncDemoDirectories(nodes, say);
    if (options.keep && (await hasAnyReferral(nodes))) {
      say('the kept nodes already hold referrals; not sending the samples again');
    } else {
      const sent = await sendDemoReferrals(nodes, demoReferrals, say);
      await waitUntilDelivered(sent);
      say(`all ${sent.length} sample referrals delivered`);
    }
    // Three rounds: one may have begun before the peers were trusted, the next may meet a witness still starting.
    await waitUntilWitnessed(nodes, (Number.isFinite(checkpointMs) ? 3 * checkpointMs : 0) + 60_000);
    say('every node\'s audit log is checkpointed and cosigned by a witness');
    process.stdout.write(
      `${describeNetwork(nodes, { root, cwd: process.cwd(), credentialsFile: credentialsPath(options.dir), kekInEnvironment: env.kek !== undefined })}\n`,
    );
    say('Demo network ready. Press Ctrl+C to stop the nodes.');
    return 'ready';
  }

  let exitCode = 0;
  died.catch(() => {});
  try {
    const first = await Promise.race([setUp(), signalled, died]);
    if (first === 'ready') {
      say(`${await Promise.race([signalled, died])} received: stopping the nodes`);
    } else {
      say(`${first} received before the network was ready: stopping`);
      exitCode = first === 'SIGINT' ? 130 : 143;
    }
  } catch (error) {
    process.stderr.write(`[demo] ${describeError(error)}\n`);
    exitCode = 1;
  }
  stopping = true;
  await stopNodeProcesses(children);
  if (children.length > 0) say('all nodes stopped');
  if (postgres) {
    await postgres.stop();
    say('PostgreSQL stopped');
  }
  return exitCode;
}

function describeError(error: unknown): string {
  const expected = [DemoError, ConfigError, KekError, PeerError, UserError].some((kind) => error instanceof kind);
  if (expected) return (error as Error).message;
  return `unexpected ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

main().then(
  // Every child has exited by now; exiting at once spares waiting on idle keep-alive sockets.
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`[demo] ${describeError(error)}\n`);
    process.exit(1);
  },
);
