// Issue 17's "done when": one scripted attack from one address against a real node process with
// the limits it ships with, outside a private network (as on the internet): guessing passwords
// and API tokens, flooding the federation API with junk and forged envelopes and service tokens,
// and turning the node's own requests against its network (a peer URL that redirects, or that is
// or resolves to loopback, an IPv4-mapped address or the cloud metadata address). Every refusal is
// a 429 or a problem document (the sign-in page's own page for sign-ins), /healthz answers
// throughout, and the whole database is the same afterwards, but for the limiter's own
// bookkeeping. docs/threat-model.md names each attack and the control that stops it.
import { CompactSign, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redirectingServer, type RedirectingServer } from '../_util/redirecting-server.js';
import { generateEncryptionKey, generateSigningKey, type OkpPublicJwk } from '../../node/identity/keys.js';
import { sealEnvelope, signEnvelopeAttempt } from '../../node/envelope/seal.js';
import { uuidv7 } from '../../node/util/uuidv7.js';
import { readStoredRows } from '../_util/database.js';
import { cleanup, pollUntil, startNode, type RunningNode } from '../_util/processes.js';
import { expectUnchanged, snapshotDatabase } from '../_util/database-snapshot.js';
import { tokenIn } from '../_util/ui-browser.js';

const ATTACKER = '203.0.113.66';
/** The periodic jobs a serving node runs, each leasing its row when it first runs (node/periodic.ts). */
const PERIODIC_JOBS = 7;
const SOMEONE_ELSE = '198.51.100.44';
/** The node's defaults, not the raised limits test nodes get (tests/_util/processes.ts). */
const SHIPPED_LIMITS = {
  REFERRAL_NODE_PRIVATE_NETWORK: 'false',
  REFERRAL_NODE_LIMIT_TOKEN_PER_MINUTE: undefined,
  REFERRAL_NODE_LIMIT_ADDRESS_PER_MINUTE: undefined,
  REFERRAL_NODE_QUOTA_OPEN_REFERRALS: undefined,
  REFERRAL_NODE_QUOTA_REFERRALS_PER_HOUR: undefined,
};

/** A JWS signed by a key no one trusts, in the name of `iss` (a service token's shape). */
async function forged(iss: string, claims: Record<string, unknown> = {}): Promise<string> {
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const payload = new TextEncoder().encode(JSON.stringify({ iss, iat: Math.floor(Date.now() / 1000), ...claims }));
  return new CompactSign(payload).setProtectedHeader({ alg: 'EdDSA', kid: 'not-a-pinned-key-0000000000000000000000000' }).sign(privateKey);
}

/** A well-made envelope for `node`, sealed to its key and signed in `from`'s name by a key of the forger's own. */
async function forgedEnvelope(node: RunningNode, from: string): Promise<string> {
  const document = await (await fetch(`${node.url}/.well-known/referral-node`)).text();
  const identity = JSON.parse(Buffer.from(document.split('.')[1]!, 'base64url').toString('utf8')) as { jwks: { keys: OkpPublicJwk[] } };
  const recipientKey = identity.jwks.keys.find((key) => key.crv === 'X25519')!;
  const sealed = await sealEnvelope({
    type: 'referral.offer', from, to: node.url, referralId: uuidv7(), seq: 1, createdAt: new Date(), body: { referral_id: 'x' },
    recipientKey, senderKey: (await generateEncryptionKey()).publicJwk,
  });
  return signEnvelopeAttempt(sealed.payload, { nodeId: from, signingKey: (await generateSigningKey()).key }, new Date());
}

interface Answer {
  step: string;
  status: number;
  contentType: string;
  type?: string | undefined;
  retryAfter: string | null;
}

describe('a scripted attack from one address', () => {
  let node: RunningNode;
  let redirector: RedirectingServer;

  beforeAll(async () => {
    redirector = await redirectingServer();
    node = await startNode({ name: 'On the internet', country: 'GR', languages: ['el', 'en'], env: SHIPPED_LIMITS });
  }, 180_000);

  afterAll(async () => {
    await redirector.close();
    await cleanup.run();
  });

  it('is answered with 429 or a problem type every time, healthz answers throughout, and nothing is stored', async () => {
    const as = (client: string, init: RequestInit = {}): RequestInit => ({ ...init, headers: { ...(init.headers as Record<string, string>), 'x-forwarded-for': client } });
    // The administrator's token used once first: its first use writes a `user.login` entry.
    expect((await node.api('/api/v1/node', as(SOMEONE_ELSE))).status).toBe(200);
    // The node's own periodic work settled first: each job has run once, and the audit log as it
    // stands is checkpointed (a checkpoint follows any growth of the log).
    await pollUntil(async () => {
      const jobs = Number((await readStoredRows(node.dataDir, 'select count(*) as n from job_leases'))[0]!.n);
      const entries = Number((await readStoredRows(node.dataDir, 'select count(*) as n from audit_log'))[0]!.n);
      const checkpointed = Number((await readStoredRows(node.dataDir, 'select max(size) as n from checkpoints'))[0]!.n ?? 0);
      return jobs >= PERIODIC_JOBS && checkpointed === entries ? true : undefined;
    }, { timeoutMs: 120_000, intervalMs: 250, what: 'the node\'s periodic jobs to run once and its log to be checkpointed' });
    const before = await snapshotDatabase(node.dataDir);

    // /healthz asked all along, from another client, one request after another.
    const health: number[] = [];
    let attacking = true;
    const watching = (async () => {
      while (attacking) {
        const response = await fetch(`${node.url}/healthz`, as(SOMEONE_ELSE)).catch(() => undefined);
        health.push(response?.status ?? 0);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();

    const answers: Answer[] = [];
    const record = async (step: string, response: Response) => {
      const contentType = response.headers.get('content-type') ?? '';
      const body = contentType.includes('json') ? ((await response.json()) as { type?: string }) : (await response.text(), undefined);
      answers.push({ step, status: response.status, contentType, type: body?.type, retryAfter: response.headers.get('retry-after') });
    };

    try {
      // 1. Password guessing against the administrator, without waiting for anything.
      for (let i = 0; i < 12; i++) {
        const page = await fetch(`${node.url}/ui/login?lang=en`, as(ATTACKER));
        const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
        const form = new URLSearchParams({ _csrf: tokenIn(await page.text()), lang: 'en', username: 'admin', password: `guess-${i}` });
        const response = await fetch(`${node.url}/ui/login`, as(ATTACKER, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString(), redirect: 'manual' }));
        await response.text();
        answers.push({ step: 'sign-in', status: response.status, contentType: response.headers.get('content-type') ?? '', retryAfter: response.headers.get('retry-after') });
      }

      // 2. The federation API flooded: junk, envelopes forged in a peer's name, forged service tokens.
      const federation = (path: string, init: RequestInit) => fetch(`${node.url}${path}`, as(ATTACKER, init));
      for (let i = 0; i < 6; i++) {
        await record('federation junk', await federation('/federation/v1/envelopes', { method: 'POST', headers: { 'content-type': 'application/jose' }, body: `junk.${i}.jws` }));
        await record('forged envelope', await federation('/federation/v1/envelopes', { method: 'POST', headers: { 'content-type': 'application/jose' }, body: await forgedEnvelope(node, 'https://trusted-partner.example') }));
        await record('forged service token', await federation('/federation/v1/directory', { headers: { authorization: `Bearer ${await forged('https://trusted-partner.example', { aud: node.url, jti: `j${i}` })}` } }));
      }

      // 3. API tokens guessed.
      for (let i = 0; i < 20; i++) {
        await record('token guess', await fetch(`${node.url}/api/v1/referrals`, as(ATTACKER, { headers: { authorization: `Bearer rn_${'x'.repeat(40)}${i}` } })));
      }
      // While the address waits, even a right token is not looked at from there.
      await record('right token, from the attacker', await fetch(`${node.url}/api/v1/node`, as(ATTACKER, { headers: { authorization: `Bearer ${node.token}` } })));

      // 4. The node's own requests turned against its network, through an administrator tricked
      // into adding a "peer" (the attacker's link in an e-mail, say).
      for (const url of [
        `https://127.0.0.1:${redirector.port}`,
        `https://localhost:${redirector.port}`,
        `https://[::ffff:127.0.0.1]:${redirector.port}`,
        'https://169.254.169.254',
        `http://127.0.0.1:${redirector.port}/redirects-to-admin`,
      ]) {
        await record(`peer add ${url}`, await node.api('/api/v1/peers', as(SOMEONE_ELSE, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url }) })));
      }
    } finally {
      attacking = false;
      await watching;
    }

    // Every answer a refusal that says what it is: 429 with Retry-After, or a problem document.
    for (const answer of answers) {
      if (answer.step === 'sign-in') {
        expect([401, 429], JSON.stringify(answer)).toContain(answer.status);
        if (answer.status === 429) expect(Number(answer.retryAfter), JSON.stringify(answer)).toBeGreaterThan(0);
        continue;
      }
      expect(answer.status, JSON.stringify(answer)).toBeGreaterThanOrEqual(400);
      expect(answer.status, JSON.stringify(answer)).toBeLessThan(500);
      expect(answer.contentType, JSON.stringify(answer)).toBe('application/problem+json');
      expect(answer.type, JSON.stringify(answer)).toMatch(/^urn:refnet:problem:[a-z-]+$/);
      if (answer.status === 429) {
        expect(answer.type).toBe('urn:refnet:problem:rate-limited');
        expect(Number(answer.retryAfter), JSON.stringify(answer)).toBeGreaterThan(0);
      }
    }
    const byStep = (step: string) => answers.filter((a) => a.step === step).map((a) => a.status);
    // The limits were reached, not merely refusals counted: guessing ended in 429s.
    expect(byStep('sign-in')).toContain(429);
    expect(byStep('token guess').slice(-5)).toEqual([429, 429, 429, 429, 429]);
    expect(byStep('right token, from the attacker')).toEqual([429]);
    // Forgeries are told bad-signature, never whether the name they used is trusted.
    expect(answers.filter((a) => a.step === 'forged envelope' && a.status !== 429).map((a) => a.type)).toEqual(
      expect.arrayContaining(['urn:refnet:problem:bad-signature']),
    );
    // No request of the node reached the redirecting server: each URL was refused before connecting.
    expect(answers.filter((a) => a.step.startsWith('peer add')).map((a) => a.status)).toEqual([409, 409, 409, 409, 409]);
    expect(redirector.connections()).toBe(0);

    // Others are served as before, and /healthz answered every time.
    expect((await fetch(`${node.url}/api/v1/node`, as(SOMEONE_ELSE, { headers: { authorization: `Bearer ${node.token}` } }))).status).toBe(200);
    expect(health.length).toBeGreaterThan(3);
    expect(health.every((status) => status === 200), `healthz answered ${JSON.stringify(health)}`).toBe(true);

    // Nothing stored by any of it (the limiter's counts and the token's last use aside).
    expectUnchanged(before, await snapshotDatabase(node.dataDir), 'the attack');
    expect(node.running()).toBe(true);
  }, 240_000);
});
