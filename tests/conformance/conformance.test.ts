// The conformance kit (`referral-node conformance`, node/conformance/) against real node
// processes: a node that follows the protocol passes every check (or skips it for a reason the
// help names); a proxy in front of a real node that breaks one rule at a time makes the kit fail
// that rule's check, and only that one; without --admin-token the kit waits for the target's
// administrator to trust it. The kit runs in-process through the CLI program.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cliResult } from '../_util/cli.js';
import { onPostgres } from '../_util/database.js';
import { cleanup, freePort, pollUntil, startNode, type RunningNode } from '../_util/processes.js';
import { startBreakingProxy, type BreakingProxy, type Exchange } from './breaking-proxy.js';

/** Checks that may be skipped with --admin-token on a conforming node, each for a reason `conformance --help` names. */
const ALLOWED_SKIPS = new Set([
  'log.cosignature-served',
]);

interface Line {
  result: string;
  id: string;
  text: string;
}

function linesOf(out: string): Line[] {
  return out
    .split('\n')
    .map((text) => /^(pass|fail|skip)\s+(\S+)\s/.exec(text) && { result: text.slice(0, 4), id: text.split(/\s+/)[1]!, text })
    .filter((line): line is Line => Boolean(line));
}

const failures = (lines: Line[]) => lines.filter((l) => l.result === 'fail');

// Checkpoints and expiry every 2 s, so that the kit sees a cosigned checkpoint and an expired
// referral within seconds rather than a minute.
const TARGET_ENV = { REFERRAL_NODE_CHECKPOINT_SECONDS: '2', REFERRAL_NODE_EXPIRY_SECONDS: '2', REFERRAL_NODE_LOG_LEVEL: 'warn' };

// Every node starts at once, right after the build: a source changed later (by someone working
// beside these tests) does not stop a node from starting.
let conforming: RunningNode;
let waiting: RunningNode;
let breaking: RunningNode;
let proxy: BreakingProxy;
beforeAll(async () => {
  proxy = await startBreakingProxy(await freePort());
  cleanup.add(() => proxy.close());
  [conforming, waiting] = await Promise.all([
    startNode({ name: 'Conforming', country: 'GR', languages: ['en'], env: TARGET_ENV }),
    startNode({ name: 'Waiting', country: 'AT', languages: ['de'], env: TARGET_ENV }),
  ]);
  // The kit failing one rule broken by the proxy does not depend on the store behind it: on
  // PostgreSQL only the runs against conforming nodes are repeated.
  if (onPostgres) return;
  breaking = await startNode({ name: 'Breaking', country: 'IT', languages: ['it'], env: TARGET_ENV, url: proxy.url });
  proxy.upstreamPort = breaking.port;
}, 180_000);

afterAll(async () => {
  await cleanup.run();
});

describe('the conformance kit against a node that follows the protocol', () => {
  const node = () => conforming;

  it('passes every check, or skips it for a documented reason, and exits 0', async () => {
    // The administrator's token from the environment (REFERRAL_CONFORMANCE_ADMIN_TOKEN), kept off the command line.
    vi.stubEnv('REFERRAL_CONFORMANCE_ADMIN_TOKEN', node().token);
    const { out, error } = await cliResult('conformance', '--target', node().url, '--expiry-wait-seconds', '120').finally(() => vi.unstubAllEnvs());
    const lines = linesOf(out);
    expect(out).toMatch(/^\d+ passed, \d+ failed, \d+ skipped$/m);
    expect(lines.length).toBeGreaterThan(150);
    expect(failures(lines).map((l) => l.text)).toEqual([]);
    expect(lines.filter((l) => l.result === 'skip' && !ALLOWED_SKIPS.has(l.id)).map((l) => l.text)).toEqual([]);
    // Every line names the part of the spec it rests on.
    for (const line of lines) expect(line.text).toMatch(/\(spec: federation\.yaml[^)]*\)/);
    expect(error).toBeUndefined();
    expect(node().logs()).not.toMatch(/"level":50/);
  }, 600_000); // waits on the target's own timers (expiry, checkpoints) and rate limits: about a minute alone

  it('refuses bad arguments in a sentence', async () => {
    const { error } = await cliResult('conformance', '--target', 'ftp://example.org');
    expect(error?.message).toBe('--target must be an http:// or https:// URL, not ftp:.');
    const { error: port } = await cliResult('conformance', '--target', node().url, '--listen-port', '70000');
    expect(port?.message).toBe('--listen-port must be a whole number from 0 to 65535.');
  });
});

describe('the conformance kit without --admin-token', () => {
  it('waits until the target\'s administrator trusts it, then checks what it can; --json prints one document', async () => {
    const node = waiting;
    const kitPort = await freePort();
    const kitUrl = `http://127.0.0.1:${kitPort}`;
    // What the kit tells the operator goes to stderr; the test reads it as the operator would.
    let told = '';
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      told += String(chunk);
      return true;
    });
    const run = cliResult('conformance', '--target', node.url, '--listen-port', String(kitPort), '--wait-seconds', '120', '--json', '--strict');
    try {
      const fingerprint = await pollUntil(async () => new RegExp(`peer trust ${kitUrl} --fingerprint (\\S+) --data DIR`).exec(told)?.[1], {
        timeoutMs: 60_000,
        what: 'the kit to say how to trust it',
      });
      expect(told).toContain(`referral-node peer add ${kitUrl}`);
      // The administrator adds the kit, sees the fingerprint the kit printed, and trusts it.
      const added = await node.api('/api/v1/peers', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: kitUrl }) });
      expect(added.status).toBe(201);
      expect(((await added.json()) as { fingerprint: string }).fingerprint).toBe(fingerprint);
      const trusted = await node.api('/api/v1/peers/trust', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: kitUrl, fingerprint }) });
      expect(trusted.status).toBe(200);
      await run;
    } finally {
      stderr.mockRestore();
    }
    const { out, error } = await run;
    const report = JSON.parse(out) as { kit: string; target: string; checks: Array<{ id: string; result: string; detail?: string }>; summary: { passed: number; failed: number; skipped: number } };
    expect(report.kit).toBe(kitUrl);
    expect(report.target).toBe(node.url);
    expect(report.summary.passed).toBe(report.checks.filter((c) => c.result === 'pass').length);
    expect(report.checks.filter((c) => c.result === 'fail')).toEqual([]);
    // Nothing failed, but without the receiver's part some checks are skipped: --strict does not pass that.
    expect(report.summary.skipped).toBeGreaterThan(0);
    expect(error?.message).toBe(`${report.summary.skipped} of ${report.summary.passed + report.summary.skipped} checks were skipped against ${node.url} (--strict): each skip line says why.`);
    // What needs the receiver's part is skipped, saying why.
    const lifecycleSkip = report.checks.find((c) => c.id === 'lifecycle.accepted.withdraw');
    expect(lifecycleSkip).toMatchObject({ result: 'skip', detail: expect.stringMatching(/--admin-token/) });
    expect(report.checks.find((c) => c.id === 'trust.established')?.result).toBe('pass');
    expect(report.checks.find((c) => c.id === 'trust.unknown-token')?.result).toBe('pass');
    expect(report.checks.find((c) => c.id === 'lifecycle.delivered.withdraw')?.result).toBe('pass');
  }, 420_000);
});

describe.skipIf(onPostgres)('the conformance kit against a node that breaks one rule at a time', () => {
  const envelopeIdOf = (jws: string): string | undefined => {
    try {
      const payload = JSON.parse(Buffer.from(jws.trim().split('.')[1] ?? '', 'base64url').toString('utf8')) as { header: string };
      return (JSON.parse(Buffer.from(payload.header, 'base64url').toString('utf8')) as { id: string }).id;
    } catch {
      return undefined;
    }
  };
  const problemType = (e: Exchange) => (e.headers['content-type']?.startsWith('application/problem+json') ? (JSON.parse(e.body) as { type: string }).type : undefined);
  const isEnvelope = (e: Exchange) => e.method === 'POST' && e.path === '/federation/v1/envelopes';

  /** Each breaker is made fresh for its run; the fail line expected is that rule's check alone. */
  const scenarios: Array<{ rule: string; check: string; breaker: () => (e: Exchange) => Exchange | undefined }> = [
    {
      rule: 'serves its identity document without Content-Type: application/jwt',
      check: 'identity.content-type',
      breaker: () => (e) => (e.path === '/.well-known/referral-node' && e.status === 200 ? { ...e, headers: { ...e.headers, 'content-type': 'text/plain' } } : undefined),
    },
    {
      rule: 'answers an envelope id sent again with another payload 200 with the earlier receipt, instead of 409 envelope-conflict',
      check: 'envelope.conflict',
      breaker: () => {
        const answered = new Map<string, string>();
        return (e) => {
          if (!isEnvelope(e)) return undefined;
          const id = envelopeIdOf(e.requestBody);
          if (id && e.status === 200) answered.set(id, e.body);
          const earlier = id && answered.get(id);
          if (earlier && e.status === 409 && problemType(e) === 'urn:refnet:problem:envelope-conflict') {
            return { ...e, status: 200, headers: { ...e.headers, 'content-type': 'application/json' }, body: earlier };
          }
          return undefined;
        };
      },
    },
    {
      rule: 'answers a receipt whose signed payload_digest is not SHA-256 of the payload received (the same receipt for that payload each time)',
      check: 'receipt.valid',
      breaker: () => {
        let tampered: { id: string; body: string } | undefined;
        return (e) => {
          const id = isEnvelope(e) && e.status === 200 ? envelopeIdOf(e.requestBody) : undefined;
          if (!id) return undefined;
          if (!tampered) {
            const answer = JSON.parse(e.body) as { receipt: string };
            const [header, payload, signature] = answer.receipt.split('.');
            const claims = { ...(JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as object), payload_digest: Buffer.alloc(32).toString('base64url') };
            const receipt = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
            tampered = { id, body: JSON.stringify({ ...answer, receipt, payload_digest: claims.payload_digest }) };
          }
          return id === tampered.id ? { ...e, body: tampered.body } : undefined;
        };
      },
    },
    {
      rule: 'takes an offer whose consent does not name referral among its purposes (200 instead of 422)',
      check: 'consent.purpose',
      breaker: () => (e) =>
        isEnvelope(e) && problemType(e) === 'urn:refnet:problem:consent-purpose-not-covered'
          ? { ...e, status: 200, headers: { ...e.headers, 'content-type': 'application/json' }, body: '{}' }
          : undefined,
    },
    {
      rule: 'serves an inclusion proof with one hash of the audit path altered',
      check: 'log.inclusion',
      breaker: () => (e) => {
        if (e.path !== '/federation/v1/log/proofs/inclusion' || e.status !== 200) return undefined;
        const proof = JSON.parse(e.body) as { proof: string[] };
        if (proof.proof.length === 0) return undefined;
        const first = Buffer.from(proof.proof[0]!, 'base64url');
        first[0] = first[0]! ^ 0xff;
        return { ...e, body: JSON.stringify({ ...proof, proof: [first.toString('base64url'), ...proof.proof.slice(1)] }) };
      },
    },
    {
      rule: 'drops X-Content-Type-Options: nosniff from its directory',
      check: 'conventions.headers',
      breaker: () => (e) => {
        if (e.path !== '/federation/v1/directory') return undefined;
        const { 'x-content-type-options': _dropped, ...headers } = e.headers;
        return { ...e, headers };
      },
    },
  ];

  for (const scenario of scenarios) {
    it(`fails exactly ${scenario.check} when the node ${scenario.rule}`, async () => {
      proxy.breaker = scenario.breaker();
      proxy.broken = 0;
      try {
        const { out, error } = await cliResult('conformance', '--target', proxy.url, '--admin-token', breaking.token, '--expiry-wait-seconds', '0');
        const lines = linesOf(out);
        expect(proxy.broken).toBeGreaterThan(0);
        expect(failures(lines).map((l) => l.id)).toEqual([scenario.check]);
        const line = lines.find((l) => l.id === scenario.check)!;
        // The fail line says what was expected and what came.
        expect(line.text).toMatch(/\(spec: federation\.yaml[^)]*\)\s+\S/);
        expect(error?.message).toMatch(/checks failed/);
      } finally {
        proxy.breaker = undefined;
      }
    }, 360_000);
  }
});
