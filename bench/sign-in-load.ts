// `npm run bench`, part `sign-in` (issue 17 item 2): does password hashing hold up other requests?
// A real `referral-node serve` process (SQLite, every role); first its idle latency of GET
// /healthz and of a federation POST, then the same while 20 sign-ins to the web interface are
// being checked at once (argon2id, 64 MiB and 2 passes each), in `rounds` rounds. Prints each p99
// under load over its idle p99, against the target of 2x.
//
// The federation POST is POST /federation/v1/envelopes with a body that is no signed envelope:
// the node reads it, checks its media type, tries to parse it and refuses it (400). It measures
// that path's latency (the HTTP server, the body reading, the route, a refusal logged), not the
// cost of accepting a message, which needs a peer (the two-process part measures that).
//
// The sign-ins are real and succeed (POST /ui/login with the sign-in form's token and cookie, as a
// browser sends it): each checks the password and then writes a session and an audit entry.
//
// Settings (environment): BENCH_SIGN_IN_ROUNDS (default 10), BENCH_SIGN_INS (at once, default 20),
// BENCH_IDLE_PROBES (idle pairs of requests, default 3000).
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort, runCliOk, spawnServeProcess, type RunningNode } from '../tests/_util/processes.js';
import { percentile } from './nodes.js';

const envNumber = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);

export interface Latencies {
  healthz: number[];
  federation: number[];
}

export interface SignInLoadFigures {
  rounds: number;
  signIns: number;
  idle: Latencies;
  loaded: Latencies;
  /** How long each sign-in took, from its POST to its answer (ms). */
  signInMs: number[];
}

/** A node made with the CLI, with its first administrator's password (printed once by init). */
async function createNodeWithPassword(root: string): Promise<{ node: RunningNode; password: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = join(root, 'sign-in');
  const init = await runCliOk(['init', '--data', dataDir, '--url', url, '--name', 'Sign-in bench', '--country', 'GR']);
  const password = /^Password:\s+(\S+)/m.exec(init.stdout)?.[1];
  if (!password) throw new Error(`init printed no password:\n${init.stdout}`);
  const unused = async () => {
    throw new Error('not used by the bench');
  };
  const node: RunningNode = { name: 'sign-in', url, port, dataDir, baseDir: root, logFile: '', token: '', password, logs: () => '', running: () => false, stop: unused, kill: unused, restart: unused, api: unused };
  return { node, password };
}

/** How long one request takes, start to the end of its body (ms). */
async function timed(request: () => Promise<Response>): Promise<number> {
  const start = performance.now();
  const response = await request();
  await response.arrayBuffer();
  return performance.now() - start;
}

/** One pair of probes, one after the other: GET /healthz, then the federation POST. */
async function probe(url: string, into: Latencies): Promise<void> {
  into.healthz.push(await timed(() => fetch(`${url}/healthz`)));
  into.federation.push(
    await timed(() => fetch(`${url}/federation/v1/envelopes`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: 'not.a-signed.envelope' })),
  );
}

/** The sign-in form as a browser gets it: its token, and the cookie that token must match. */
async function signInForm(url: string): Promise<{ token: string; cookie: string }> {
  const response = await fetch(`${url}/ui/login`);
  const html = await response.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  const cookie = response.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  if (!token || !cookie) throw new Error('The sign-in page carried no form token or no cookie.');
  return { token, cookie };
}

/** Signs in with the form; resolves with how long the POST took, once answered with the redirect of a good sign-in. */
async function signIn(url: string, form: { token: string; cookie: string }, password: string): Promise<number> {
  const start = performance.now();
  const response = await fetch(`${url}/ui/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: form.cookie },
    body: new URLSearchParams({ _csrf: form.token, lang: 'en', username: 'admin', password }).toString(),
  });
  await response.arrayBuffer();
  if (response.status !== 303) throw new Error(`A sign-in was answered ${response.status}, not 303.`);
  return performance.now() - start;
}

export async function measureSignInLoad(root: string, log: (line: string) => void): Promise<SignInLoadFigures> {
  const rounds = envNumber('BENCH_SIGN_IN_ROUNDS', 10);
  const signIns = envNumber('BENCH_SIGN_INS', 20);
  const idleProbes = envNumber('BENCH_IDLE_PROBES', 3_000);
  const { node, password } = await createNodeWithPassword(root);
  const serving = await spawnServeProcess(node, ['--port', String(node.port), '--host', '127.0.0.1'], /node listening/);
  try {
    // Warm up: the routes, the connections, the first sign-in's dummy hash and lazy loads.
    const warm: Latencies = { healthz: [], federation: [] };
    for (let i = 0; i < 200; i++) await probe(node.url, warm);
    await signIn(node.url, await signInForm(node.url), password);

    const idle: Latencies = { healthz: [], federation: [] };
    for (let i = 0; i < idleProbes; i++) await probe(node.url, idle);
    log(`sign-in: idle p99 /healthz ${percentile(idle.healthz, 99).toFixed(2)} ms, federation POST ${percentile(idle.federation, 99).toFixed(2)} ms`);

    const loaded: Latencies = { healthz: [], federation: [] };
    const signInMs: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const forms = await Promise.all(Array.from({ length: signIns }, () => signInForm(node.url)));
      let answered = false;
      const all = Promise.all(forms.map((form) => signIn(node.url, form, password))).finally(() => (answered = true));
      while (!answered) await probe(node.url, loaded);
      signInMs.push(...(await all));
    }
    log(`sign-in: under load p99 /healthz ${percentile(loaded.healthz, 99).toFixed(2)} ms, federation POST ${percentile(loaded.federation, 99).toFixed(2)} ms`);
    return { rounds, signIns, idle, loaded, signInMs };
  } finally {
    await serving.stop('SIGTERM');
  }
}

export function printSignInLoad(figures: SignInLoadFigures): void {
  const { idle, loaded } = figures;
  const ms = (n: number) => n.toFixed(2);
  console.log(`\nsign-in load: ${figures.signIns} sign-ins at once to the web interface, ${figures.rounds} rounds; requests one after the other from one client`);
  console.log(`  sign-in answered: p50 ${ms(percentile(figures.signInMs, 50))} ms, p99 ${ms(percentile(figures.signInMs, 99))} ms`);
  for (const [name, key] of [['GET /healthz', 'healthz'], ['federation POST (refused body)', 'federation']] as const) {
    const idleP99 = percentile(idle[key], 99);
    const loadedP99 = percentile(loaded[key], 99);
    const ratio = loadedP99 / idleP99;
    console.log(
      `  ${name}: idle p50 ${ms(percentile(idle[key], 50))} p99 ${ms(idleP99)} ms (${idle[key].length}); under load p50 ${ms(percentile(loaded[key], 50))} p99 ${ms(loadedP99)} ms (${loaded[key].length})`,
    );
    console.log(`  target: p99 under load within 2x idle: ${ratio.toFixed(2)}x, ${ratio <= 2 ? 'met' : 'NOT met'}`);
  }
}
