// Issue 17's items tested against real node processes, beside their in-process tests: no existence
// oracle for a peer (item 3: a message for a referral erased here is answered exactly like one for
// a referral never held), API tokens and accounts from the command line (item 5: expiry, list,
// revoke, and a password reset ending the user's tokens), and what every response says it is
// (item 7: no-store, nosniff and no-referrer on the APIs and the federation API, no HSTS over
// plain http, a consent form only ever downloaded), and X-Forwarded-For believed only from a
// trusted proxy (item 1).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../node/config/config.js';
import { sealEnvelope, signEnvelopeAttempt } from '../../node/envelope/seal.js';
import { createLogger } from '../../node/logging/logger.js';
import { openNode } from '../../node/node.js';
import { uuidv7 } from '../../node/util/uuidv7.js';
import { cleanup, pollUntil, runCli, runCliOk, startNode, trustEachOther, type RunningNode } from '../_util/processes.js';
import { readStoredRows } from '../_util/database.js';
import { inDays, referralRequest } from '../_util/test-node.js';

let node: RunningNode;
let peer: RunningNode;

beforeAll(async () => {
  [node, peer] = await Promise.all([
    startNode({ name: 'Hardened', country: 'AT', languages: ['en'] }),
    startNode({ name: 'Partner', country: 'GR', languages: ['en'] }),
  ]);
  await trustEachOther(peer, node);
}, 240_000);
afterAll(() => cleanup.run());

const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('a message for a referral erased here', () => {
  it('is answered exactly like one for a referral this node never held', async () => {
    const created = await peer.api('/api/v1/referrals', json(referralRequest(node.url)));
    expect(created.status).toBe(201);
    const { id: erased } = (await created.json()) as { id: string };
    const { consent_id: consentId } = (await (await peer.api(`/api/v1/referrals/${erased}`)).json()) as { consent_id: string };
    await pollUntil(async () => ((await readStoredRows(node.dataDir, 'select id from referrals where id = ?', erased)).length === 1 ? true : undefined), { timeoutMs: 60_000, what: 'the referral received' });
    expect((await peer.api(`/api/v1/consents/${consentId}/withdraw`, json({}))).status).toBe(200);
    await pollUntil(async () => ((await readStoredRows(node.dataDir, 'select erased_at from referrals where id = ?', erased))[0]?.erased_at ? true : undefined), { timeoutMs: 60_000, what: 'the referral erased' });

    // The peer's keys, read from its data folder (as a second process of the peer would).
    const urlFile = join(peer.dataDir, 'database-url');
    const opened = await openNode(resolveConfig({ data: peer.dataDir, databaseUrl: existsSync(urlFile) ? readFileSync(urlFile, 'utf8').trim() : undefined }, {}), { logger: createLogger('error') });
    const { signingKey, encryptionKey } = opened.ctx.self;
    await opened.close();
    const identity = (await (await fetch(`${node.url}/.well-known/referral-node`)).text()).split('.')[1]!;
    const recipientKey = (JSON.parse(Buffer.from(identity, 'base64url').toString('utf8')) as { jwks: { keys: Array<{ use?: string }> } }).jwks.keys.find((k) => k.use === 'enc');

    const withdrawal = async (referralId: string) => {
      const sealed = await sealEnvelope({
        type: 'referral.withdraw', from: peer.url, to: node.url, referralId, seq: 5, createdAt: new Date(),
        body: { referral_id: referralId, reason: 'need-met-elsewhere' },
        recipientKey: recipientKey as Parameters<typeof sealEnvelope>[0]['recipientKey'], senderKey: encryptionKey.publicJwk,
      });
      const response = await fetch(`${node.url}/federation/v1/envelopes`, {
        method: 'POST', headers: { 'content-type': 'application/jose' }, body: await signEnvelopeAttempt(sealed.payload, { nodeId: peer.url, signingKey }, new Date()),
      });
      return `${response.status} ${response.headers.get('content-type')} ${await response.text()}`;
    };
    const forErased = await withdrawal(erased);
    const forNeverHeld = await withdrawal(uuidv7());
    expect(forErased).toMatch(/^422 application\/problem\+json .*urn:refnet:problem:unknown-referral/);
    expect(forErased).toBe(forNeverHeld);
  });
});

describe('API tokens and accounts from the command line', () => {
  const cli = (...args: string[]) => runCliOk([...args, '--data', node.dataDir]);
  const status = async (token: string) => (await fetch(`${node.url}/api/v1/node`, { headers: { authorization: `Bearer ${token}` } })).status;

  it('expire after 90 days unless told otherwise, are listed, and stop at once when revoked', async () => {
    const token = (await cli('token', 'create', '--user', 'admin', '--label', 'nightly-export')).stdout.trim();
    const short = (await cli('token', 'create', '--user', 'admin', '--label', 'one-day', '--days', '1')).stdout.trim();
    expect(await status(token)).toBe(200);
    expect(await status(short)).toBe(200);
    const listed = (await cli('token', 'list')).stdout;
    const rowOf = (label: string) => listed.split('\n').find((line) => line.includes(label))!;
    // The columns: id, user, label, created, last used, expires.
    const expiry = (label: string) => Date.parse(rowOf(label).trim().split(/\s+/).at(-1)!);
    const days = (label: string) => Math.round((expiry(label) - Date.now()) / 86_400_000);
    expect(days('nightly-export')).toBe(90);
    expect(days('one-day')).toBe(1);
    const id = rowOf('nightly-export').trim().split(/\s+/)[0]!;
    await cli('token', 'revoke', id);
    expect(await status(token)).toBe(401);
    expect(await status(short)).toBe(200);
    // Revoked twice: a plain sentence, nothing changed.
    const again = await runCli(['token', 'revoke', id, '--data', node.dataDir]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/There is no API token|already/);
  });

  it('end with their user\'s password reset', async () => {
    await cli('user', 'add', 'caseworker-ioana', '--role', 'caseworker');
    const token = (await cli('token', 'create', '--user', 'caseworker-ioana', '--label', 'script')).stdout.trim();
    expect(await status(token)).toBe(200);
    const reset = await cli('user', 'reset-password', 'caseworker-ioana');
    expect(reset.stdout).toMatch(/API tokens were revoked/);
    expect(await status(token)).toBe(401);
    expect((await cli('user', 'list')).stdout).toMatch(/caseworker-ioana/);
  });
});

describe('every response', () => {
  const expectPlainHeaders = (response: Response) => {
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    // Plain http on loopback (behind a TLS proxy in production): no HSTS from the node itself.
    expect(response.headers.get('strict-transport-security')).toBeNull();
  };

  it('of the local API, the federation API and their errors says it is not to be stored, sniffed or referred', async () => {
    expectPlainHeaders(await node.api('/api/v1/node'));
    expectPlainHeaders(await fetch(`${node.url}/.well-known/referral-node`));
    expectPlainHeaders(await fetch(`${node.url}/federation/v1/historical-keys`));
    const problem = await node.api('/api/v1/referrals/not-a-referral');
    expect(problem.headers.get('content-type')).toContain('application/problem+json');
    expectPlainHeaders(problem);
    const unauthenticated = await fetch(`${node.url}/api/v1/node`);
    expect(unauthenticated.status).toBe(401);
    expectPlainHeaders(unauthenticated);
  });

  it('with a consent form downloads it as a file, never shown as a page', async () => {
    const recorded = await node.api('/api/v1/consents', json({
      categories: ['situation'], purposes: ['referral'], recipients: [peer.url], method: 'written', language: 'ro', valid_until: inDays(90),
    }));
    expect(recorded.status).toBe(201);
    const { id } = (await recorded.json()) as { id: string };
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(1024, 7)]);
    expect((await node.api(`/api/v1/consents/${id}/form`, { method: 'PUT', headers: { 'content-type': 'application/pdf' }, body: pdf })).status).toBe(200);
    const form = await node.api(`/api/v1/consents/${id}/form`);
    expect(form.status).toBe(200);
    expect(form.headers.get('content-disposition')).toBe(`attachment; filename="consent-${id}.pdf"`);
    expectPlainHeaders(form);
    expect(Buffer.from(await form.arrayBuffer())).toEqual(pdf);
  });
});

describe('a node that trusts no proxy', () => {
  it('counts a request against the address it came from, whatever its X-Forwarded-For says', async () => {
    const alone = await startNode({
      name: 'No proxy', country: 'IT', languages: ['en'],
      env: { REFERRAL_NODE_TRUSTED_PROXIES: '', REFERRAL_NODE_LIMIT_ADDRESS_PER_MINUTE: '50' },
    });
    const from = (client: string, token: string) => fetch(`${alone.url}/api/v1/node`, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': client } });
    // Five wrong tokens (10 points each) "from" five addresses: all are the socket's, 127.0.0.1.
    for (let i = 0; i < 5; i++) expect((await from(`203.0.113.${i + 1}`, `rn_guess${i}`)).status).toBe(401);
    // Out of points: refused, whichever address the header claims, even with a right token.
    const refused = await from('198.51.100.77', alone.token);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { type: string }).type).toBe('urn:refnet:problem:rate-limited');
  }, 120_000);
});
