// A real node under a scripted attack from one address (issue 17 item 1): sign-in guessing is made
// to wait and then locked (with audit entries) until an administrator lifts the lock; guessing API
// tokens or posting junk to the federation API runs the address out of its points, and it gets 429
// with Retry-After and a problem type while other clients are served as before; one token is held
// to its requests per minute; /healthz answers throughout, and no refused request changes anything.
// The node stands behind a proxy on loopback (trusted by default): X-Forwarded-For says which
// client a request comes from.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, pollUntil, runCliOk, startNode, trustEachOther, type RunningNode } from '../_util/processes.js';
import { referralRequest } from '../_util/test-node.js';
import { readStoredRows } from '../_util/database.js';
import { signIn, textOf, uiBrowser } from '../_util/ui-browser.js';

const limits = {
  REFERRAL_NODE_SIGN_IN_LOCK_AFTER: '4',
  REFERRAL_NODE_SIGN_IN_LOCK_MINUTES: '1',
  REFERRAL_NODE_LIMIT_ADDRESS_PER_MINUTE: '50',
  REFERRAL_NODE_LIMIT_TOKEN_PER_MINUTE: '20',
};

const problemOf = async (response: Response) => ({
  status: response.status,
  retryAfter: Number(response.headers.get('retry-after')),
  contentType: response.headers.get('content-type'),
  type: ((await response.json()) as { type?: string }).type,
});

describe('a node under attack from one address', () => {
  let node: RunningNode;
  const from = (client: string, init: RequestInit = {}): RequestInit => ({ ...init, headers: { ...(init.headers as Record<string, string>), 'x-forwarded-for': client } });
  const healthy = async () => (await fetch(`${node.url}/healthz`)).status === 200;
  const envelopeCount = async () => Number((await readStoredRows(node.dataDir, 'select count(*) as n from envelopes'))[0]!.n);

  beforeAll(async () => {
    node = await startNode({ name: 'Under attack', country: 'GR', languages: ['en'], env: limits });
  }, 120_000);
  afterAll(() => cleanup.run());

  it('makes password guessing wait, then locks the account until an administrator lifts the lock', async () => {
    const browser = uiBrowser({ url: node.url });
    const attempt = async (password: string) => {
      const response = await signIn(browser, 'admin', password);
      return { status: response.status, retryAfter: Number(response.headers.get('retry-after')), text: textOf(await response.text()) };
    };
    // Two failures are free (half of the lock's 4).
    expect((await attempt('wrong-1')).status).toBe(401);
    expect((await attempt('wrong-2')).status).toBe(401);
    expect((await attempt('wrong-3')).status).toBe(401);
    // From the third, the next attempt must wait, and is told for how long without being checked.
    const waiting = await attempt('wrong-4');
    expect(waiting.status).toBe(429);
    expect(waiting.retryAfter).toBeGreaterThan(0);
    expect(waiting.text).toMatch(/Too many failed sign-ins\. Try again in \d+ seconds\./);
    // Guessing on until the lock: each attempt once its wait is over.
    const guessed = async (password: string) => pollUntil(async () => ((await attempt(password)).status === 401 ? true : undefined), { timeoutMs: 60_000, intervalMs: 500, what: 'the wait to end' });
    await guessed('wrong-4');
    await guessed('wrong-5');
    const locked = await attempt(node.password);
    expect(locked.status).toBe(429);
    expect(locked.text).toMatch(/sign-in is locked for 1 minutes/);
    expect(await healthy()).toBe(true);

    const lifted = await runCliOk(['user', 'unlock', 'admin', '--data', node.dataDir]);
    expect(lifted.stdout).toMatch(/Sign-in for admin is open again\./);
    const signedIn = await signIn(browser, 'admin', node.password);
    expect(signedIn.status).toBe(303);

    const { items } = (await (await node.api('/api/v1/audit/entries?limit=100')).json()) as { items: Array<{ type: string; entry: string }> };
    const lock = items.find((e) => e.type === 'user.sign-in-locked');
    const unlock = items.find((e) => e.type === 'user.sign-in-unlocked');
    // The account's id and how long, never the name tried or the client's address.
    expect(Object.keys(JSON.parse(lock!.entry) as object).sort()).toEqual(['actor', 'at', 'index', 'minutes', 'type', 'user_id', 'v']);
    expect(JSON.parse(unlock!.entry)).toMatchObject({ actor: { kind: 'system', id: 'command-line' } });
    // The throttle's counters are keyed digests: no name, no address.
    const counters = JSON.stringify(await readStoredRows(node.dataDir, 'select * from sign_in_limits'));
    expect(counters).not.toMatch(/admin|127\.0\.0\.1/);
  });

  it('makes an address that guesses many accounts wait, whatever account it tries next, while another address signs in, until an administrator lifts it', async () => {
    const attacker = uiBrowser({ url: node.url }, node.url, { 'x-forwarded-for': '203.0.113.50' });
    // Ten failures are free from one address, five times an account's (half of the lock's 4, times
    // five); here each on an account tried once, far from the account's own limits. The eleventh
    // makes the next attempt wait.
    for (let i = 0; i < 11; i++) expect((await signIn(attacker, `guess-${i}`, 'not-the-password')).status).toBe(401);
    // The next attempt from that address waits, even on a real account with its right password.
    const waiting = await signIn(attacker, 'admin', node.password);
    expect(waiting.status).toBe(429);
    expect(Number(waiting.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(textOf(await waiting.text())).toMatch(/Too many failed sign-ins\. Try again in \d+ seconds\./);
    // The account itself is not held back: from another address it signs in.
    const elsewhere = uiBrowser({ url: node.url }, node.url, { 'x-forwarded-for': '198.51.100.60' });
    expect((await signIn(elsewhere, 'admin', node.password)).status).toBe(303);
    expect(await healthy()).toBe(true);
    // An administrator lifts the address's waits (an office behind one address): it signs in at once.
    const lifted = await runCliOk(['user', 'unlock-address', '203.0.113.50', '--data', node.dataDir]);
    expect(lifted.stdout).toMatch(/Sign-in from 203\.0\.113\.50 is open again\./);
    expect((await signIn(attacker, 'admin', node.password)).status).toBe(303);
  });

  it('runs an address that guesses API tokens out of its points; other clients are served', async () => {
    const attacker = '203.0.113.7';
    for (let i = 0; i < 5; i++) {
      const response = await fetch(`${node.url}/api/v1/node`, from(attacker, { headers: { authorization: `Bearer rn_guess${i}` } }));
      expect(response.status).toBe(401);
    }
    const refused = await problemOf(await fetch(`${node.url}/api/v1/node`, from(attacker, { headers: { authorization: 'Bearer rn_guess5' } })));
    expect(refused).toMatchObject({ status: 429, contentType: 'application/problem+json', type: 'urn:refnet:problem:rate-limited' });
    expect(refused.retryAfter).toBeGreaterThan(0);
    // Even a right token is not looked at from there for now; from elsewhere it is.
    expect((await fetch(`${node.url}/api/v1/node`, from(attacker, { headers: { authorization: `Bearer ${node.token}` } }))).status).toBe(429);
    expect((await fetch(`${node.url}/api/v1/node`, from('198.51.100.20', { headers: { authorization: `Bearer ${node.token}` } }))).status).toBe(200);
    expect(await healthy()).toBe(true);
  });

  it('refuses a flood of junk to the federation API from one address, and stores nothing', async () => {
    const attacker = '203.0.113.99';
    const before = await envelopeCount();
    const junk = () => fetch(`${node.url}/federation/v1/envelopes`, from(attacker, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: 'not.a.jws' }));
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await junk()).status);
    // 50 points a minute, 10 for each refusal: five refused, then the address waits.
    expect(statuses.slice(0, 5)).toEqual([400, 400, 400, 400, 400]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    expect(await problemOf(await junk())).toMatchObject({ status: 429, type: 'urn:refnet:problem:rate-limited' });
    // The identity document is still served to everyone else.
    expect((await fetch(`${node.url}/.well-known/referral-node`, from('198.51.100.21'))).status).toBe(200);
    expect(await envelopeCount()).toBe(before);
    expect(await healthy()).toBe(true);
  });

  it('holds one API token to its requests per minute', async () => {
    const token = (await runCliOk(['token', 'create', '--data', node.dataDir, '--user', 'admin', '--label', 'script'])).stdout.trim();
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) statuses.push((await fetch(`${node.url}/api/v1/node`, from('198.51.100.30', { headers: { authorization: `Bearer ${token}` } }))).status);
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
    // Another token of the same user is counted apart.
    expect((await fetch(`${node.url}/api/v1/node`, from('198.51.100.30', { headers: { authorization: `Bearer ${node.token}` } }))).status).toBe(200);
  });
});

describe('a trusted peer that sends more than its quota', () => {
  it('is refused with quota-exceeded, which its node keeps and retries; the receiver stores nothing more and alerts its administrators', async () => {
    const receiver = await startNode({ name: 'Receiver', country: 'AT', languages: ['en'], env: { REFERRAL_NODE_QUOTA_OPEN_REFERRALS: '2' } });
    const sender = await startNode({ name: 'Sender', country: 'IT', languages: ['en'] });
    await trustEachOther(sender, receiver);
    const send = async () => {
      const response = await sender.api('/api/v1/referrals', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(referralRequest(receiver.url)) });
      expect(response.status).toBe(201);
      return ((await response.json()) as { id: string }).id;
    };
    const delivery = async (id: string) => ((await (await sender.api(`/api/v1/referrals/${id}`)).json()) as { delivery: { state: string; last_error?: string } }).delivery;
    for (const id of [await send(), await send()]) await pollUntil(async () => ((await delivery(id)).state === 'delivered' ? true : undefined), { timeoutMs: 60_000, what: 'the first two referrals delivered' });
    const third = await send();
    const refused = await pollUntil(async () => {
      const now = await delivery(third);
      return now.last_error ? now : undefined;
    }, { timeoutMs: 60_000, what: 'the third referral refused' });
    expect(refused).toMatchObject({ state: 'queued', last_error: expect.stringMatching(/^403 urn:refnet:problem:quota-exceeded/) });
    const held = await readStoredRows(receiver.dataDir, 'select count(*) as n from referrals');
    expect(Number(held[0]!.n)).toBe(2);
    const alerts = (await (await receiver.api('/api/v1/peers/alerts')).json()) as { items: Array<{ kind: string; peer_id: string }> };
    expect(alerts.items).toEqual([expect.objectContaining({ kind: 'quota-exceeded', peer_id: sender.url })]);
    expect((await fetch(`${receiver.url}/healthz`)).status).toBe(200);
    // Two node processes start within the test: minutes, not seconds, on a busy machine.
  }, 240_000);
});


describe('a trusted peer that sends more requests a minute than it may', () => {
  it('is answered 429 rate-limited, which its outbox keeps and retries (after Retry-After, tests/federation/peer-rate-limit.test.ts)', async () => {
    const receiver = await startNode({ name: 'Receiver', country: 'BG', languages: ['en'], env: { REFERRAL_NODE_LIMIT_PEER_PER_MINUTE: '6' } });
    const sender = await startNode({ name: 'Sender', country: 'RO', languages: ['en'] });
    await trustEachOther(sender, receiver);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const response = await sender.api('/api/v1/referrals', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(referralRequest(receiver.url)) });
      expect(response.status).toBe(201);
      ids.push(((await response.json()) as { id: string }).id);
    }
    const delivery = async (id: string) => ((await (await sender.api(`/api/v1/referrals/${id}`)).json()) as { delivery: { state: string; last_error?: string } }).delivery;
    // Six requests a minute (its checkpoints' witness requests count too): some of the ten are
    // refused, and the sender says why and keeps them to try again once the minute is over.
    const refused = await pollUntil(async () => {
      for (const id of ids) {
        const now = await delivery(id);
        if (now.last_error?.startsWith('429 urn:refnet:problem:rate-limited')) return now;
      }
      return undefined;
    }, { timeoutMs: 60_000, what: 'a delivery refused with 429 rate-limited' });
    expect(refused.state).toBe('queued');
    const held = Number((await readStoredRows(receiver.dataDir, 'select count(*) as n from referrals'))[0]!.n);
    expect(held).toBeLessThan(ids.length);
    expect((await fetch(`${receiver.url}/healthz`)).status).toBe(200);
  }, 240_000);
});
