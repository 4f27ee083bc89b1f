// What a process loads at start: `serve` is healthy without the web interface (loaded on its first
// page), without a YAML parser or ajv's compiler (the validators were compiled at build time),
// without the password check's dictionaries or the second factor's packages and, on SQLite,
// without PostgreSQL's client; a one-off command loads no HTTP layer at all. Each
// file a real process loads (import or require) is recorded by a hook given with --import; a file
// of the bundle (dist/bundle/) stands for the source modules it holds, as the bundle's metafile,
// esbuild's own account of what it put where, says.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binPath, freePort, pollUntil, repoRoot } from '../_util/processes.js';

let dir: string;
let hook: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'refnet-startup-'));
  hook = join(dir, 'record-modules.mjs');
  // Records every module: ESM through a loader hook, CommonJS through Module._load.
  writeFileSync(
    join(dir, 'record-hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) { appendFileSync(process.env.RECORD_MODULES, url + '\\n'); return next(url, context); }\n`,
  );
  writeFileSync(
    hook,
    `import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
register(${JSON.stringify(`file://${join(dir, 'record-hooks.mjs')}`)});
const Module = createRequire(import.meta.url)('node:module');
const load = Module._load;
Module._load = function (request, parent, isMain) {
  const loaded = load.apply(this, arguments);
  try { appendFileSync(process.env.RECORD_MODULES, Module._resolveFilename(request, parent, isMain) + '\\n'); } catch {}
  return loaded;
};\n`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = (record: string) => ({ ...process.env, RECORD_MODULES: record, REFERRAL_NODE_LOG_LEVEL: 'warn' });

const BUNDLE = join(repoRoot, 'dist', 'bundle');
interface Metafile {
  outputs: Record<string, { inputs: Record<string, unknown> }>;
}
let metafile: Metafile;
/** Every file the process loaded, as recorded. */
const recorded = (record: string): string[] =>
  readFileSync(record, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((file) => (file.startsWith('file:') ? fileURLToPath(file) : file));
/** Every file the process loaded, each file of the bundle replaced by the source modules it holds (absolute paths). */
const loaded = (record: string): string[] =>
  recorded(record).flatMap((file) => {
    if (!file.startsWith(BUNDLE + sep)) return [file];
    const output = metafile.outputs[relative(repoRoot, file).split(sep).join('/')];
    if (!output) throw new Error(`${file} is not in the bundle's metafile: a bundle from another build?`);
    return Object.keys(output.inputs).map((input) => join(repoRoot, input));
  });
const of = (modules: string[], pattern: RegExp) => modules.filter((m) => pattern.test(m));

const HTTP_LAYER = /\/(node\/http|admin-ui)\/|\/server\/app\.ts$|node_modules\/(hono|@hono)\//;
const INTERFACE = /\/admin-ui\//;
const COMPILING = /node_modules\/(yaml|ajv\/dist\/(core|compile|2020)\b)|\/node\/schema\/standalone\.ts$/;
const POSTGRES = /node_modules\/pg\//;
/** The password check's dictionaries, the second factor's TOTP and its QR code: loaded when first used. */
const ACCOUNT_EXTRAS = /node_modules\/(@zxcvbn-ts|otpauth|qrcode)\//;
/** The program as the build bundled it ran: not the sources, not tsc's dist/ (which the build runs). */
function ranTheBundle(record: string): void {
  const files = recorded(record);
  expect(files).toContain(join(BUNDLE, 'referral-node.js'));
  expect(of(files, /\.tsx?$|\/dist\/(node|server|admin-ui|spec)\//)).toEqual([]);
}

describe('start-up', () => {
  let data: string;
  let port: number;
  let adminToken: string;
  beforeAll(async () => {
    metafile = JSON.parse(readFileSync(join(BUNDLE, 'meta.json'), 'utf8')) as Metafile;
    port = await freePort();
    data = join(dir, 'data');
    const init = spawnSync(process.execPath, [binPath, 'init', '--data', data, '--url', `http://127.0.0.1:${port}`, '--name', 'Start', '--country', 'GR'], { cwd: repoRoot, encoding: 'utf8' });
    expect(init.status, init.stderr).toBe(0);
    const token = spawnSync(process.execPath, [binPath, 'token', 'create', '--data', data, '--user', 'admin', '--label', 'start-up'], { cwd: repoRoot, encoding: 'utf8' });
    expect(token.status, token.stderr).toBe(0);
    adminToken = token.stdout.trim();
  });

  it('a one-off command loads no HTTP layer, no web interface and compiles no schema', () => {
    const record = join(dir, 'node-show.txt');
    const show = spawnSync(process.execPath, ['--import', hook, binPath, 'node', 'show', '--data', data], { cwd: repoRoot, encoding: 'utf8', env: env(record) });
    expect(show.status, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/Fingerprint:/);
    ranTheBundle(record);
    const modules = loaded(record);
    expect(modules.length).toBeGreaterThan(10);
    expect(of(modules, HTTP_LAYER)).toEqual([]);
    expect(of(modules, COMPILING)).toEqual([]);
    expect(of(modules, POSTGRES)).toEqual([]);
    expect(of(modules, ACCOUNT_EXTRAS)).toEqual([]);
  });

  it('serve is healthy without the web interface, a YAML parser, ajv\'s compiler or PostgreSQL\'s client; the first page loads the interface', async () => {
    const record = join(dir, 'serve.txt');
    const child = spawn(process.execPath, ['--import', hook, binPath, 'serve', '--data', data, '--host', '127.0.0.1', '--port', String(port)], { cwd: repoRoot, env: env(record), stdio: 'ignore' });
    const exited = new Promise((done) => child.once('exit', done));
    try {
      const base = `http://127.0.0.1:${port}`;
      await pollUntil(async () => ((await fetch(`${base}/healthz`)).status === 200 ? true : undefined), { what: 'serve to be healthy' });
      ranTheBundle(record);
      const atStart = loaded(record);
      expect(of(atStart, /\/node\/http\/app\.ts$/)).toHaveLength(1);
      expect(of(atStart, INTERFACE)).toEqual([]);
      expect(of(atStart, COMPILING)).toEqual([]);
      expect(of(atStart, POSTGRES)).toEqual([]);
      expect(of(atStart, ACCOUNT_EXTRAS)).toEqual([]);

      const login = await fetch(`${base}/ui/login`);
      expect(login.status).toBe(200);
      expect(await login.text()).toMatch(/<form/);
      expect(of(loaded(record), /\/admin-ui\/routes\.tsx$/)).toHaveLength(1);
      // Errors and unknown paths under /ui are still the node's: its 404 problem for a POST to no page.
      const nowhere = await fetch(`${base}/ui/nowhere`, { method: 'POST' });
      expect(nowhere.status).toBe(404);
      expect(nowhere.headers.get('content-type')).toBe('application/problem+json');
      await nowhere.arrayBuffer();

      // prom-client, loaded on the first request rather than at start, counts from the first.
      const metrics = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${adminToken}` } });
      expect(metrics.status).toBe(200);
      const text = await metrics.text();
      expect(text).toMatch(/^referral_node_http_requests_total\{method="GET",route="\/healthz",status="200"\} [1-9]/m);
      expect(text).toMatch(/^referral_node_db_transactions_total \d+$/m);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('has libsodium\'s WebAssembly decoded by Node, not by a loop in JavaScript at each start (scripts/bundle.js)', () => {
    const holding = Object.entries(metafile.outputs).filter(([, output]) => Object.keys(output.inputs).some((input) => input.endsWith('libsodium-sumo.mjs')));
    expect(holding).toHaveLength(1);
    expect(readFileSync(join(repoRoot, holding[0]![0]), 'utf8')).toContain('Buffer.from("AGFzbQ');
  });
});
