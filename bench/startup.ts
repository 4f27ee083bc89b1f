// Start-up, against a floor measured in the same run: a bare Hono server (@hono/node-server, one
// /healthz route) and `referral-node serve` on an initialised SQLite node, each started as a child
// process `runs` times, turn about. For each start: the time from spawn to the first 200 from
// GET /healthz, and the resident memory (VmRSS) once it has been idle for `idleMs` after that.
// Prints the medians and the ratios node/bare (issue 16: at most 2x the time, 1.5x the memory).
// `npx tsx bench/startup.ts [runs] [bin]`; it builds first, as `npm run demo` does. With `bin`,
// another checkout's bin/referral-node.js is measured instead (built; to compare before and after).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../tests/_util/processes.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'referral-node.js');

/** The floor: what any Hono server on Node costs to start and to keep. */
const BARE_HONO = `
import { Hono } from 'hono';
import { serve } from '@hono/node-server';
const app = new Hono();
app.get('/healthz', (c) => c.json({ status: 'ok' }));
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: '127.0.0.1' });
`;

export interface StartupOptions {
  /** Starts of each server (default 5). */
  runs?: number;
  /** How long a server stays idle after its first 200 before its memory is read (default 2,000 ms). */
  idleMs?: number;
  /** How often /healthz is asked while a server starts (default 10 ms). */
  pollMs?: number;
  /** The `referral-node` command to measure (default this checkout's; another checkout's, built, to compare). */
  bin?: string;
}

export interface StartFigures {
  /** Milliseconds from spawn to the first 200 from /healthz, one per run. */
  startMs: number[];
  /** VmRSS in MB after the idle time, one per run. */
  rssMb: number[];
  medianStartMs: number;
  medianRssMb: number;
}

export interface StartupFigures {
  runs: number;
  bare: StartFigures;
  node: StartFigures;
  /** node's median over bare's median. */
  ratios: { start: number; rss: number };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};


/** Whether GET /healthz answers 200 now (a plain request, no keep-alive, no pool). */
function healthy(port: number): Promise<boolean> {
  return new Promise((answer) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', agent: false }, (res) => {
      res.resume();
      answer(res.statusCode === 200);
    });
    req.once('error', () => answer(false));
    req.end();
  });
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

function residentMb(pid: number): number {
  const line = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!line) throw new Error(`No VmRSS for process ${pid}.`);
  return Number(line[1]) / 1024;
}

/** Starts `args` (node's arguments), waits for /healthz, then idles; returns the figures and stops it. */
async function measureOne(args: string[], port: number, options: Required<StartupOptions>): Promise<{ startMs: number; rssMb: number }> {
  const started = performance.now();
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${args.join(' ')} exited before it was healthy:\n${stderr}`);
      if (await healthy(port)) break;
      if (performance.now() - started > 60_000) throw new Error(`${args.join(' ')} was not healthy within 60 s:\n${stderr}`);
      await sleep(options.pollMs);
    }
    const startMs = performance.now() - started;
    await sleep(options.idleMs);
    return { startMs, rssMb: residentMb(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

/** Runs the measurement; the project must be built (`npm run build`). */
export async function measureStartup(options: StartupOptions = {}): Promise<StartupFigures> {
  const settings: Required<StartupOptions> = { runs: options.runs ?? 5, idleMs: options.idleMs ?? 2_000, pollMs: options.pollMs ?? 10, bin: options.bin ?? BIN };
  const dir = mkdtempSync(join(tmpdir(), 'refnet-bench-startup-'));
  try {
    const port = await freePort();
    const data = join(dir, 'data');
    const init = spawnSync(process.execPath, [settings.bin, 'init', '--data', data, '--url', `http://127.0.0.1:${port}`, '--name', 'Bench', '--country', 'GR'], { cwd: ROOT, encoding: 'utf8' });
    if (init.status !== 0) throw new Error(`referral-node init failed:\n${init.stderr}`);
    const bare: Array<{ startMs: number; rssMb: number }> = [];
    const node: Array<{ startMs: number; rssMb: number }> = [];
    // Turn about, so that whatever else the machine does falls on both alike.
    for (let run = 0; run < settings.runs; run++) {
      bare.push(await measureOne(['--input-type=module', '-e', BARE_HONO], port, settings));
      node.push(await measureOne([settings.bin, 'serve', '--data', data, '--host', '127.0.0.1', '--port', String(port)], port, settings));
    }
    const figures = (list: typeof bare): StartFigures => ({
      startMs: list.map((r) => r.startMs),
      rssMb: list.map((r) => r.rssMb),
      medianStartMs: median(list.map((r) => r.startMs)),
      medianRssMb: median(list.map((r) => r.rssMb)),
    });
    const b = figures(bare);
    const n = figures(node);
    return { runs: settings.runs, bare: b, node: n, ratios: { start: n.medianStartMs / b.medianStartMs, rss: n.medianRssMb / b.medianRssMb } };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function describeStartup(f: StartupFigures): string {
  const row = (name: string, s: StartFigures) => `${name.padEnd(22)} ${s.medianStartMs.toFixed(0).padStart(6)} ms ${s.medianRssMb.toFixed(1).padStart(8)} MB`;
  return [
    `Start-up, median of ${f.runs} starts each (spawn to first 200 from /healthz; VmRSS after idling):`,
    row('bare Hono', f.bare),
    row('referral-node serve', f.node),
    `ratio                  ${f.ratios.start.toFixed(2).padStart(6)} x  ${f.ratios.rss.toFixed(2).padStart(7)} x   (targets: 2 x, 1.5 x)`,
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.js')], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
  const runs = process.argv[2] ? Number(process.argv[2]) : undefined;
  console.log(describeStartup(await measureStartup({ runs, ...(process.argv[3] ? { bin: process.argv[3] } : {}) })));
}
