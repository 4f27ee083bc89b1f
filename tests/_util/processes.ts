// Helpers for end-to-end tests that run REAL node processes on loopback: the `referral-node`
// command (bin/referral-node.js) is spawned exactly as an operator would run it, and each
// `serve` process's stdout and stderr are captured so tests can inspect the logs.
import { databaseArgs } from './database.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file's location (tests/_util/processes.ts). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const binPath = join(repoRoot, 'bin', 'referral-node.js');

// ---------------------------------------------------------------------------------------------
// Cleanup registry: everything started here registers how to undo it; afterAll runs them all.

type CleanupFn = () => void | Promise<void>;
const cleanups: CleanupFn[] = [];

export const cleanup = {
  /** Registers an undo action; actions run in reverse order of registration. */
  add(fn: CleanupFn): void {
    cleanups.push(fn);
  },
  /** Kills every process started here and removes every temp folder. Never throws. */
  async run(): Promise<void> {
    while (cleanups.length > 0) {
      const fn = cleanups.pop()!;
      try {
        await fn();
      } catch {
        // Keep cleaning up the rest.
      }
    }
  },
};

// ---------------------------------------------------------------------------------------------

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address !== 'object' || !address) {
        server.close();
        reject(new Error('Could not read the port of a listening socket.'));
        return;
      }
      const { port } = address;
      server.close((error) => (error ? reject(error) : resolvePort(port)));
    });
  });
}

/**
 * The inherited environment without any REFERRAL_NODE_* setting, plus the extras given. The nodes
 * of the tests talk on loopback: a private network to them (REFERRAL_NODE_PRIVATE_NETWORK). The
 * tests and benches send more, from one address, one token and one peer, than anyone should to a
 * real node: the request limits and the peers' quotas are out of their way, unless the extras set
 * them (the tests of the limits do).
 */
const TEST_LIMITS = {
  REFERRAL_NODE_LIMIT_TOKEN_PER_MINUTE: '10000000',
  REFERRAL_NODE_LIMIT_ADDRESS_PER_MINUTE: '10000000',
  REFERRAL_NODE_QUOTA_OPEN_REFERRALS: '10000000',
  REFERRAL_NODE_QUOTA_REFERRALS_PER_HOUR: '10000000',
};

function childEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { REFERRAL_NODE_PRIVATE_NETWORK: 'true', ...TEST_LIMITS };
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('REFERRAL_NODE_')) env[key] = value;
  }
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
}

/** Runs `referral-node ARGS` to completion. */
export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [binPath, ...args], {
      cwd: repoRoot,
      env: childEnv(opts.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`referral-node ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 60_000} ms.\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs the CLI and throws, with its output, unless it exits 0. */
export async function runCliOk(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const result = await runCli(args, opts);
  if (result.code !== 0) {
    throw new Error(`referral-node ${args.join(' ')} exited ${result.code}.\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
  return result;
}

/** Polls `fn` until it returns something other than undefined, or fails after `timeoutMs`. */
export async function pollUntil<T>(
  fn: () => Promise<T | undefined>,
  { timeoutMs = 15_000, intervalMs = 200, what = 'the condition' }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${why}.`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// ---------------------------------------------------------------------------------------------

export interface StartNodeOptions {
  name: string;
  /** ISO 3166-1 alpha-2, e.g. GR. */
  country: string;
  languages: string[];
  /** The node id, when it is not the address the node listens on (a proxy in front of it); default http://127.0.0.1:<port>. */
  url?: string;
  /** Extra environment for every process of this node (e.g. REFERRAL_NODE_LOG_LEVEL). */
  env?: Record<string, string | undefined>;
}

export interface RunningNode {
  name: string;
  url: string;
  port: number;
  /** The node's data folder (holds node.sqlite, kek.key, ...). */
  dataDir: string;
  /** The temp folder holding dataDir and the serve log file (serve.log). */
  baseDir: string;
  logFile: string;
  token: string;
  password: string;
  /** Everything every `serve` process of this node wrote to stdout and stderr so far. */
  logs(): string;
  /** Whether a `serve` process is running. */
  running(): boolean;
  /** Sends the signal and resolves with the exit code (null if killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** SIGKILL, no waiting for a clean shutdown. */
  kill(): void;
  /** Runs `serve` again on the same data folder and port, and waits until it is healthy. */
  restart(): Promise<void>;
  /** fetch() against the node's base URL with the admin's bearer token. */
  api(path: string, init?: RequestInit): Promise<Response>;
}

const HEALTH_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

/** Creates a node with `init`, an API token, and runs `serve` until it answers /healthz. */
export async function startNode(options: StartNodeOptions): Promise<RunningNode> {
  const baseDir = mkdtempSync(join(tmpdir(), `refnet-e2e-${options.country.toLowerCase()}-`));
  cleanup.add(() => rmSync(baseDir, { recursive: true, force: true }));
  const dataDir = join(baseDir, 'data');
  const logFile = join(baseDir, 'serve.log');
  const port = await freePort();
  const url = options.url ?? `http://127.0.0.1:${port}`;
  const env = options.env ?? {};

  const init = await runCliOk(
    ['init', '--data', dataDir, '--url', url, '--name', options.name, '--country', options.country, '--languages', options.languages.join(','), ...(await databaseArgs())],
    { env },
  );
  const password = /^Password:\s+(\S+)/m.exec(init.stdout)?.[1];
  if (!password) throw new Error(`init printed no password:\n${init.stdout}`);
  const token = (await runCliOk(['token', 'create', '--data', dataDir, '--user', 'admin'], { env })).stdout.trim();
  if (!token || /\s/.test(token)) throw new Error(`token create printed no single token:\n${token}`);

  let buffer = '';
  let child: ChildProcess | undefined;
  let exited: Promise<number | null> = Promise.resolve(null);

  const capture = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    buffer += text;
    try {
      appendFileSync(logFile, text);
    } catch {
      // The folder may already be removed during cleanup.
    }
  };

  const spawnServe = async (): Promise<void> => {
    if (child && child.exitCode === null && child.signalCode === null) throw new Error(`${options.name} is already running.`);
    const proc = spawn(process.execPath, [binPath, 'serve', '--data', dataDir, '--port', String(port), '--host', '127.0.0.1'], {
      cwd: repoRoot,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    proc.stdout!.on('data', capture);
    proc.stderr!.on('data', capture);
    exited = new Promise((resolveExit) => {
      // 'close' waits for stdio to drain, so logs() is complete once stop() resolves.
      proc.once('close', (code) => resolveExit(code));
      proc.once('error', (error) => {
        buffer += `\n[spawn error] ${error.message}\n`;
        resolveExit(null);
      });
    });
    const deadline = Date.now() + HEALTH_TIMEOUT_MS;
    let exitedEarly = false;
    void exited.then(() => (exitedEarly = true));
    for (;;) {
      if (exitedEarly) {
        throw new Error(`${options.name} (serve on port ${port}) exited before it was healthy (code ${proc.exitCode}, signal ${proc.signalCode}). Output:\n${buffer}`);
      }
      try {
        const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        if (response.status === 200) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`${options.name} (serve on port ${port}) did not answer GET /healthz with 200 within ${HEALTH_TIMEOUT_MS} ms. Output:\n${buffer}`);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  };

  const isRunning = () => child !== undefined && child.exitCode === null && child.signalCode === null;

  const node: RunningNode = {
    name: options.name,
    url,
    port,
    dataDir,
    baseDir,
    logFile,
    token,
    password,
    logs: () => buffer,
    running: isRunning,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (!child) return null;
      if (!isRunning()) return exited;
      const proc = child;
      proc.kill(signal);
      const timer = setTimeout(() => {
        buffer += `\n[test harness] ${options.name} did not exit within ${STOP_TIMEOUT_MS} ms of ${signal}; sent SIGKILL.\n`;
        proc.kill('SIGKILL');
      }, STOP_TIMEOUT_MS);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    kill() {
      if (isRunning()) child!.kill('SIGKILL');
    },
    restart: spawnServe,
    api(path: string, init: RequestInit = {}) {
      const headers = new Headers(init.headers);
      headers.set('authorization', `Bearer ${token}`);
      return fetch(`${url}${path}`, { ...init, headers });
    },
  };
  // Registered before the process starts, so it runs before the folder is removed.
  cleanup.add(async () => {
    if (isRunning()) {
      child!.kill('SIGKILL');
      await exited;
    }
  });

  await spawnServe();
  return node;
}

export interface ExtraProcess {
  logs(): string;
  running(): boolean;
  /** Sends the signal and resolves with the exit code (null if killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Another `serve` process on `node`'s data (`args` after `serve --data DIR`, e.g. --role worker):
 * resolves once its log says `ready` (a line the process writes when it is up).
 */
export async function spawnServeProcess(node: RunningNode, args: string[], ready: RegExp, env: Record<string, string | undefined> = {}): Promise<ExtraProcess> {
  // BENCH_CPU_PROF=<folder>: each serve process writes a CPU profile there when it exits (docs/performance.md, "Profiling").
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const v8Flags = process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : [];
  const proc = spawn(process.execPath, [...profile, ...v8Flags, binPath, 'serve', '--data', node.dataDir, ...args], { cwd: repoRoot, env: childEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let buffer = '';
  const capture = (chunk: Buffer) => (buffer += chunk.toString('utf8'));
  proc.stdout!.on('data', capture);
  proc.stderr!.on('data', capture);
  const exited = new Promise<number | null>((resolveExit) => {
    proc.once('close', (code) => resolveExit(code));
    proc.once('error', () => resolveExit(null));
  });
  const running = () => proc.exitCode === null && proc.signalCode === null;
  cleanup.add(async () => {
    if (running()) {
      proc.kill('SIGKILL');
      await exited;
    }
  });
  await pollUntil(async () => (ready.test(buffer) ? true : running() ? undefined : Promise.reject(new Error(`serve ${args.join(' ')} exited:\n${buffer}`))), {
    timeoutMs: HEALTH_TIMEOUT_MS * 2,
    what: `serve ${args.join(' ')} to be up`,
  });
  return {
    logs: () => buffer,
    running,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (!running()) return exited;
      proc.kill(signal);
      return exited;
    },
  };
}

/** Makes two nodes trust each other through the CLI: peer add and peer trust, both ways. */
export async function trustEachOther(a: RunningNode, b: RunningNode): Promise<void> {
  for (const [self, other] of [
    [a, b],
    [b, a],
  ] as const) {
    await runCliOk(['peer', 'add', other.url, '--data', self.dataDir]);
    await runCliOk(['peer', 'trust', other.url, '--data', self.dataDir]);
  }
}
