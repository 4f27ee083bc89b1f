// `npm run demo` end to end: the real demo script in its own process group, five real node
// processes, and their answers checked against spec/local.yaml; and the "done when": a
// caseworker in Athens finds a service in Austria, sees why it matched, and refers to it.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoNode } from '../../node/demo/credentials.js';
import { demoOrganisations, demoReferrals } from '../../node/demo/fixtures.js';
import { expectMatchesSpec } from '../_util/spec-check.js';
import { startDemo, type RunningDemo } from '../_util/demo.js';
import { signIn, uiBrowser } from '../_util/ui-browser.js';
import { trustEachOther } from '../../node/demo/network.js';
import { readEnv } from '../../node/config/env.js';
import { cliResult } from '../_util/cli.js';

interface Summary {
  id: string;
  direction: 'incoming' | 'outgoing';
  peer: { id: string };
  state: string;
}

let demo: RunningDemo;
let nodes: DemoNode[] = [];
let dir = '';
let basePort = 0;

const byKey = (key: string) => demo.byKey(key);

async function call(node: DemoNode, path: string, as: 'admin' | 'caseworker' = 'caseworker'): Promise<unknown> {
  const url = `${node.url}${path}`;
  const response = await fetch(url, { headers: { authorization: `Bearer ${node[as].token}` } });
  expect(response.status, `GET ${url}`).toBe(200);
  return expectMatchesSpec('local', 'GET', url, response);
}

beforeAll(async () => {
  // A KEK in the environment belongs to some other node; the demo must not let it reach its own.
  demo = await startDemo({ REFERRAL_NODE_KEK: 'x'.repeat(43) });
  ({ nodes, dir, basePort } = demo);
}, 240_000);

afterAll(() => demo?.kill());

describe('npm run demo', () => {
  it('writes the credentials of the five organisations, readable by the owner only', () => {
    expect(nodes.map((n) => n.key)).toEqual(demoOrganisations.map((o) => o.key));
    expect(nodes.map((n) => n.url)).toEqual([0, 1, 2, 3, 4].map((i) => `http://127.0.0.1:${basePort + i}`));
    for (const node of nodes) {
      expect(node.dataDir).toBe(join(dir, node.key));
      expect(node.admin.token).toMatch(/^rn_/);
      expect(node.caseworker.username).toBe('caseworker');
    }
    expect(statSync(join(dir, 'credentials.json')).mode & 0o777).toBe(0o600);
  });

  it('prints each node\'s web address and a sign-in for its admin, caseworker and auditor, each of which works', async () => {
    for (const node of nodes) {
      expect(demo.output()).toContain(`Web:         ${node.url}/ui/`);
      for (const role of ['admin', 'caseworker', 'auditor'] as const) {
        const account = node[role];
        expect(demo.output()).toContain(`${account.username} / ${account.password}`);
        const response = await signIn(uiBrowser(node), account.username, account.password);
        expect(response.headers.get('location'), `${node.key} ${role}`).toBe('/ui/overview');
      }
    }
  });

  it('runs five nodes, one per country, that answer /healthz', async () => {
    expect(nodes.map((n) => n.country).sort()).toEqual(['AT', 'BG', 'GR', 'IT', 'RO']);
    for (const node of nodes) {
      const url = `${node.url}/healthz`;
      const response = await fetch(url);
      expect(response.status).toBe(200);
      expect(await expectMatchesSpec('local', 'GET', url, response)).toEqual({ status: 'ok' });
    }
  });

  it('is ready only once every node\'s audit log is witnessed: an auditor\'s `audit verify --url` passes', async () => {
    const ready = demo.output().indexOf('Demo network ready');
    expect(demo.output().indexOf('every node\'s audit log is checkpointed and cosigned by a witness')).toBeGreaterThan(0);
    expect(demo.output().indexOf('every node\'s audit log is checkpointed and cosigned by a witness')).toBeLessThan(ready);
    for (const node of nodes) {
      // The tests' own sign-ins add entries that a later checkpoint covers; one signed a moment
      // ago may wait for its cosignature, so "not yet witnessed" is waited out, "failed" is not.
      const deadline = Date.now() + 120_000;
      for (;;) {
        const result = await cliResult('audit', 'verify', '--url', node.url, '--token', node.auditor.token, '--json');
        const report = JSON.parse(result.out) as { status: string };
        expect(report.status, `${node.key}: ${result.out}`).not.toBe('failed');
        if (report.status === 'passed' || Date.now() > deadline) {
          expect(report.status, node.key).toBe('passed');
          expect(result.error).toBeUndefined();
          break;
        }
        await new Promise((done) => setTimeout(done, 1000));
      }
    }
  });

  it('makes every node trust the four others', async () => {
    for (const node of nodes) {
      const { items } = (await call(node, '/api/v1/peers', 'admin')) as { items: Array<{ id: string; state: string; fingerprint: string }> };
      const others = nodes.filter((n) => n !== node);
      expect(items.map((p) => p.id).sort()).toEqual(others.map((n) => n.url).sort());
      for (const other of others) {
        expect(items.find((p) => p.id === other.url)).toMatchObject({ state: 'trusted', fingerprint: other.fingerprint });
      }
    }
  });

  it('delivers every sample referral and shows it as incoming on the receiver', async () => {
    const outgoing = new Map<string, Summary[]>();
    const incoming = new Map<string, Summary[]>();
    for (const node of nodes) {
      outgoing.set(node.key, ((await call(node, '/api/v1/referrals?direction=outgoing')) as { items: Summary[] }).items);
      incoming.set(node.key, ((await call(node, '/api/v1/referrals?direction=incoming')) as { items: Summary[] }).items);
    }
    expect([...outgoing.values()].flat()).toHaveLength(demoReferrals.length);
    for (const referral of demoReferrals) {
      const from = byKey(referral.from);
      const to = byKey(referral.to);
      const sent = outgoing.get(from.key)!.filter((r) => r.peer.id === to.url);
      expect(sent.length, `${from.key} → ${to.key}`).toBeGreaterThan(0);
      for (const summary of sent) {
        expect(summary.state).toBe('delivered');
        expect(incoming.get(to.key)!.find((r) => r.id === summary.id)).toMatchObject({ direction: 'incoming', peer: { id: from.url }, state: 'delivered' });
      }
    }
  });

  it('lets the receiving caseworker read an incoming referral with the reason the sender gave', async () => {
    const referral = demoReferrals[0]!;
    const receiver = byKey(referral.to);
    const { items } = (await call(receiver, `/api/v1/referrals?direction=incoming&peer=${encodeURIComponent(byKey(referral.from).url)}`)) as { items: Summary[] };
    expect(items).toHaveLength(1);
    const detail = (await call(receiver, `/api/v1/referrals/${items[0]!.id}`)) as { content: { reason: string; needs: string[]; client: Record<string, unknown> } };
    expect(detail.content.reason).toBe(referral.reason);
    expect(detail.content.needs).toEqual(referral.needs);
    expect(detail.content.client).toMatchObject({ identity: { given_name: referral.client.identity!.givenName } });
  });

  it('seeds a directory for every organisation, which every node holds for the others', async () => {
    for (const node of nodes) {
      const { items } = (await call(node, '/api/v1/services')) as { items: unknown[] };
      expect(items.length, node.key).toBeGreaterThanOrEqual(3);
      const { items: held } = (await call(node, '/api/v1/directories')) as { items: Array<{ freshness: string; services: number }> };
      expect(held).toHaveLength(nodes.length - 1);
      for (const directory of held) expect(directory).toMatchObject({ freshness: 'current', services: expect.any(Number) });
    }
  });

  it('lets a caseworker in Athens find a service in Austria, see why it matched, and refer to it', async () => {
    const athens = byKey('gr');
    const vienna = byKey('at');
    const post = (node: DemoNode, path: string, body: unknown) =>
      fetch(`${node.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${node.caseworker.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const response = await post(athens, '/api/v1/match', { needs: ['vocational-training'], country: 'AT', languages: ['ar', 'en'], gender: 'female', legal_status: 'asylum-seeker', with_children: true });
    expect(response.status).toBe(200);
    const found = (await expectMatchesSpec('local', 'POST', `${athens.url}/api/v1/match`, response)) as {
      results: Array<{ service: { id: string; name: { en: string } }; organization: { node_id: string }; reasons: Array<{ detail: string }>; referable: boolean }>;
    };
    const [best] = found.results;
    expect(best).toMatchObject({ organization: { node_id: vienna.url }, referable: true });
    expect(best!.reasons.map((r) => r.detail)).toEqual(expect.arrayContaining(['in AT', 'works in ar, en', 'serves asylum-seeker', 'children can come too']));

    const referral = demoReferrals[0]!;
    const consent = await post(athens, '/api/v1/consents', {
      categories: ['identity', 'situation'], purposes: ['referral'], recipients: [vienna.url], method: 'written', language: 'en',
      valid_until: new Date(Date.now() + 90 * 86_400_000).toISOString(),
    });
    expect(consent.status).toBe(201);
    const sent = await post(athens, '/api/v1/referrals', {
      to: best!.organization.node_id, service_id: best!.service.id, needs: ['vocational-training'], urgency: 'routine',
      reason: 'She would like to train in care work; she speaks Arabic and some English and comes with her daughter.',
      client: { identity: { given_name: referral.client.identity!.givenName } }, consent_id: ((await consent.json()) as { id: string }).id,
    });
    expect(sent.status).toBe(201);
    const { id } = (await sent.json()) as { id: string };
    const deadline = Date.now() + 20_000;
    let detail: { state?: string; content?: { service_id?: string } } = {};
    while (Date.now() < deadline) {
      const got = await fetch(`${vienna.url}/api/v1/referrals/${id}`, { headers: { authorization: `Bearer ${vienna.caseworker.token}` } });
      if (got.status === 200) {
        detail = (await got.json()) as typeof detail;
        break;
      }
      await new Promise((done) => setTimeout(done, 200));
    }
    expect(detail).toMatchObject({ state: 'delivered', content: { service_id: best!.service.id } });
  }, 30_000);

  it('leaves a peer an administrator suspended as it is when the network is set up again', async () => {
    const [athens, vienna] = [byKey('gr'), byKey('at')];
    const suspend = await fetch(`${athens.url}/api/v1/peers/suspend`, {
      method: 'POST',
      headers: { authorization: `Bearer ${athens.admin.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: vienna.url }),
    });
    expect(suspend.status).toBe(200);
    const said: string[] = [];
    expect(await trustEachOther(nodes, readEnv({}), (line) => said.push(line))).toBe(0);
    expect(said).toEqual(['gr has at suspended; left as it is']);
    const { items } = (await call(athens, '/api/v1/peers', 'admin')) as { items: Array<{ id: string; state: string }> };
    expect(items.find((p) => p.id === vienna.url)?.state).toBe('suspended');
  });

  it('stops every node and exits with code 0 on SIGINT', async () => {
    demo.process.kill('SIGINT');
    const ended = await Promise.race([demo.exit, new Promise<'timeout'>((done) => setTimeout(() => done('timeout'), 15_000))]);
    expect(ended, demo.output().slice(-2000)).toEqual({ code: 0, signal: null });
    expect(demo.output()).toContain('all nodes stopped');
    for (const node of nodes) {
      await expect(fetch(`${node.url}/healthz`)).rejects.toThrow();
    }
  }, 20_000);
});
