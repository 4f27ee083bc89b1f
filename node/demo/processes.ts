// The demo's child processes: one real `referral-node serve` per organisation, its pino lines
// printed compactly behind the node's key, a wait for /healthz, and a graceful stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DemoError } from './errors.js';

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface NodeProcess {
  key: string;
  url: string;
  child: ChildProcess;
  exited: Promise<ExitStatus>;
}

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
// Same on every line of every node, so they would only push the interesting fields off screen.
const BORING = new Set(['level', 'time', 'pid', 'hostname', 'service', 'msg']);

/** One pino JSON line as `INFO  message key=value ...`; anything else (a stack trace, a warning) unchanged. */
export function formatLogLine(line: string): string {
  let entry: unknown;
  try {
    entry = JSON.parse(line);
  } catch {
    return line;
  }
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return line;
  const record = entry as Record<string, unknown>;
  const level = typeof record.level === 'number' ? (LEVELS[record.level] ?? String(record.level)) : String(record.level ?? '');
  const fields = Object.entries(record)
    .filter(([key]) => !BORING.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' && /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value)}`);
  return [level.padEnd(5), typeof record.msg === 'string' ? record.msg : '', ...fields].filter(Boolean).join(' ');
}

function pipeLines(stream: NodeJS.ReadableStream | null, prefix: string, write: (text: string) => void): void {
  if (!stream) return;
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => write(`${prefix}${formatLogLine(line)}\n`));
}

export function startNodeProcess(options: {
  key: string;
  root: string;
  dataDir: string;
  port: number;
  /** The children's environment; the caller decides what they must not inherit. */
  env: NodeJS.ProcessEnv;
}): NodeProcess {
  const { key, root, dataDir, port } = options;
  const child = spawn(
    process.execPath,
    [join(root, 'bin', 'referral-node.js'), 'serve', '--data', dataDir, '--port', String(port), '--host', '127.0.0.1'],
    { cwd: root, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const prefix = `[${key}] `;
  pipeLines(child.stdout, prefix, (text) => process.stdout.write(text));
  pipeLines(child.stderr, prefix, (text) => process.stderr.write(text));
  const exited = new Promise<ExitStatus>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
    // A spawn failure emits 'error' and possibly no 'exit'; report it as an exit all the same.
    child.once('error', () => resolveExit({ code: child.exitCode ?? 127, signal: null }));
  });
  return { key, url: `http://127.0.0.1:${port}`, child, exited };
}

export const describeExit = ({ code, signal }: ExitStatus): string => (signal ? `signal ${signal}` : `exit code ${code}`);

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Polls /healthz until it answers 200; fails early if the process exits first. */
export async function waitForHealth(node: NodeProcess, timeoutMs = 60_000): Promise<void> {
  let exit: ExitStatus | undefined;
  void node.exited.then((status) => (exit = status));
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (exit) throw new DemoError(`The ${node.key} node stopped (${describeExit(exit)}) before it answered ${node.url}/healthz; see its log above.`);
    try {
      const response = await fetch(`${node.url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      await response.body?.cancel();
      if (response.status === 200) return;
      last = `status ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : 'network error';
    }
    await sleep(200);
  }
  throw new DemoError(`The ${node.key} node did not answer ${node.url}/healthz within ${timeoutMs / 1000} s (last: ${last}).`);
}

/** SIGTERM to every node still running, then wait; a node that hangs past the grace period is killed. */
export async function stopNodeProcesses(nodes: readonly NodeProcess[], graceMs = 15_000): Promise<void> {
  await Promise.all(
    nodes.map(async (node) => {
      if (node.child.exitCode !== null || node.child.signalCode !== null) return;
      node.child.kill('SIGTERM');
      const timer = setTimeout(() => {
        process.stderr.write(`[${node.key}] did not stop within ${graceMs / 1000} s; killing it.\n`);
        node.child.kill('SIGKILL');
      }, graceMs);
      await node.exited;
      clearTimeout(timer);
    }),
  );
}
