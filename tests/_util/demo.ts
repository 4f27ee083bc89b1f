// `npm run demo` as a test starts it: the real demo script in its own process group on a random
// port range, waited for until it says it is ready, its credentials read back, and stopped with
// everything it started.
import { onPostgres } from './database.js';
import { stopPostgresClusterIn } from '../../node/demo/postgres-cluster.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DemoNode } from '../../node/demo/credentials.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const READY = 'Demo network ready';

export interface RunningDemo {
  dir: string;
  basePort: number;
  process: ChildProcess;
  nodes: DemoNode[];
  /** Everything the demo printed so far. */
  output(): string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  byKey(key: string): DemoNode;
  /** Kills the demo and its nodes, and removes its folder. */
  kill(): void;
}

export async function startDemo(env: NodeJS.ProcessEnv = {}, readyWithinMs = 200_000): Promise<RunningDemo> {
  const dir = mkdtempSync(join(tmpdir(), 'referral-demo-'));
  const basePort = 20_000 + Math.round(Math.random() * 20_000);
  // The bundled demo, as `npm run demo` runs it (vitest's global set-up built it), in its own
  // process group, so that kill() can take down the demo and every node it started at once.
  const args = ['dist/bundle/demo.js', '--dir', dir, ...(onPostgres ? ['--postgres'] : [])];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DEMO_BASE_PORT: String(basePort), ...env },
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
  const kill = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Nothing left in the group: the demo and its nodes had all stopped.
    }
    // The demo's PostgreSQL server detaches from the group (pg_ctl), so it is stopped by name.
    if (onPostgres) stopPostgresClusterIn(join(dir, 'postgres'));
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + readyWithinMs;
  while (!output.includes(READY)) {
    if (child.exitCode !== null || child.signalCode !== null) {
      kill();
      throw new Error(`The demo stopped before it was ready:\n${output}`);
    }
    if (Date.now() > deadline) {
      kill();
      throw new Error(`The demo was not ready within ${readyWithinMs / 1000} s:\n${output}`);
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  if (!existsSync(join(dir, 'credentials.json'))) throw new Error('The demo said it was ready but wrote no credentials.json.');
  const nodes = (JSON.parse(readFileSync(join(dir, 'credentials.json'), 'utf8')) as { nodes: DemoNode[] }).nodes;
  return { dir, basePort, process: child, nodes, output: () => output, exit, byKey: (key) => nodes.find((n) => n.key === key)!, kill };
}
