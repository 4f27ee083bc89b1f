// A PostgreSQL server of the demo's (and the tests') own: a cluster in a folder, started with the
// server binaries of Debian's `postgresql` package on a loopback port, trusted connections only
// from this machine, stopped with the demo. Nothing of the system's own PostgreSQL is touched.
// Run as root (containers, CI), the server runs as the `postgres` user the package creates, since
// PostgreSQL refuses to run as root.
import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { DemoError } from './errors.js';

const run = promisify(execFile);

export interface PostgresCluster {
  /** The URL of database `name` on this server. */
  url(name: string): string;
  /** Creates database `name` (empty), returning its URL. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (fast shutdown: open connections are closed). */
  stop(): Promise<void>;
}

/** The folder of the newest installed server binaries: on PATH, or Debian's /usr/lib/postgresql/<version>/bin. */
export function postgresBinaries(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(root, v, 'bin')).find((dir) => existsSync(join(dir, 'initdb')));
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface ClusterOptions {
  /** False for a throwaway server: durability traded for speed (tests only). */
  durable: boolean;
  /** Ports the server must not take on its first start (the demo's nodes listen there). */
  avoidPorts?: readonly number[];
}

/** Starts (creating it first when the folder is new) the cluster kept in `dir`. */
export async function startPostgresCluster(dir: string, options: ClusterOptions = { durable: true }): Promise<PostgresCluster> {
  const bin = postgresBinaries();
  if (!bin) throw new DemoError('PostgreSQL is not installed: install Debian\'s `postgresql` package (apt-get install postgresql), or run without --postgres.');
  const asRoot = process.getuid?.() === 0;
  const exec = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]) : run(join(bin, tool), args);
  const data = join(dir, 'data');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (asRoot) chownByName(dir, 'postgres');
  if (!existsSync(join(data, 'PG_VERSION'))) {
    await exec('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8']);
    // Only this machine's loopback may connect, and only over TCP.
    writeFileSync(join(data, 'pg_hba.conf'), 'host all all 127.0.0.1/32 trust\n');
    if (asRoot) chownByName(join(data, 'pg_hba.conf'), 'postgres');
  }
  // The same port on every start: the nodes created on this server recorded their database's URL.
  const portFile = join(dir, 'port');
  let port = existsSync(portFile) ? Number(readFileSync(portFile, 'utf8')) : await freePort();
  while (options.avoidPorts?.includes(port)) port = await freePort();
  writeFileSync(portFile, `${port}\n`);
  const settings = [
    `-c listen_addresses=127.0.0.1`,
    `-p ${port}`,
    `-c unix_socket_directories=''`,
    `-c max_connections=300`,
    ...(options.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
  ].join(' ');
  await exec('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', settings, '-w', '-t', '120', 'start']);
  const url = (name: string) => `postgres://postgres@127.0.0.1:${port}/${name}`;
  return {
    url,
    createDatabase: (name) => createDatabaseOn(url('postgres'), name),
    async stop() {
      await exec('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
  };
}

/** Creates the empty database `name` on the server that `adminUrl` reaches, returning its URL. */
export async function createDatabaseOn(adminUrl: string, name: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new DemoError(`Not a database name: ${name}`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.href;
}

/**
 * Stops at once the server of the cluster kept in `dir`, if one runs there: for a demo that was
 * killed without its chance to stop it.
 */
export function stopPostgresClusterIn(dir: string): void {
  const bin = postgresBinaries();
  const data = join(dir, 'data');
  if (!bin || !existsSync(join(data, 'postmaster.pid'))) return;
  const args = [join(bin, 'pg_ctl'), '-D', data, '-m', 'immediate', '-w', 'stop'];
  if (process.getuid?.() === 0) spawnSync('runuser', ['-u', 'postgres', '--', ...args], { stdio: 'ignore' });
  else spawnSync(args[0]!, args.slice(1), { stdio: 'ignore' });
}

/** Hands `path` to `user` (found in /etc/passwd): the server runs as that user. */
function chownByName(path: string, user: string): void {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${user}:`));
  if (!line) throw new DemoError(`There is no ${user} user to run PostgreSQL as; install Debian's postgresql package.`);
  const [, , uid, gid] = line.split(':');
  chownSync(path, Number(uid), Number(gid));
}
