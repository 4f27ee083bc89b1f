// A real node process asked to add a peer whose URL would turn it against its own network
// (issue 17 item 4): outside a private network it refuses http:// and a name that resolves to
// loopback before connecting anywhere; on a private network it still follows no redirect. Each
// refusal is a problem document, and nothing is stored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redirectingServer, type RedirectingServer } from '../_util/redirecting-server.js';
import { cleanup, startNode, type RunningNode } from '../_util/processes.js';

async function addPeer(node: RunningNode, url: string): Promise<{ status: number; type: string; contentType: string; detail: string }> {
  const response = await node.api('/api/v1/peers', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url }) });
  const body = (await response.json()) as { type?: string; detail?: string };
  return { status: response.status, type: body.type ?? '', contentType: response.headers.get('content-type') ?? '', detail: body.detail ?? '' };
}

async function peerCount(node: RunningNode): Promise<number> {
  return ((await (await node.api('/api/v1/peers')).json()) as { items: unknown[] }).items.length;
}

describe('outbound requests of a real node', () => {
  let strict: RunningNode;
  let open: RunningNode;
  let target: RedirectingServer;

  beforeAll(async () => {
    target = await redirectingServer();
    [strict, open] = [
      await startNode({ name: 'Strict', country: 'GR', languages: ['en'], env: { REFERRAL_NODE_PRIVATE_NETWORK: 'false' } }),
      await startNode({ name: 'Test network', country: 'AT', languages: ['en'] }),
    ];
  }, 120_000);

  afterAll(async () => {
    await target.close();
    await cleanup.run();
  });

  it('outside a private network: refuses http:// and a name that resolves to loopback, without connecting', async () => {
    const plain = await addPeer(strict, `http://127.0.0.1:${target.port}`);
    expect(plain).toMatchObject({ status: 409, type: 'urn:refnet:problem:peer-state', contentType: expect.stringContaining('application/problem+json') });
    expect(plain.detail).toMatch(/https/);
    const loopbackName = await addPeer(strict, `https://localhost:${target.port}`);
    expect(loopbackName.status).toBe(409);
    expect(loopbackName.detail).toMatch(/localhost is at (127\.0\.0\.1|::1)/);
    // An address written in the URL, in IPv6 clothing: refused before any connection too.
    const mapped = await addPeer(strict, `https://[::ffff:127.0.0.1]:${target.port}`);
    expect(mapped.status).toBe(409);
    expect(mapped.detail).toMatch(/::ffff:7f00:1/);
    expect(target.connections()).toBe(0);
    expect(await peerCount(strict)).toBe(0);
  });

  it('on a private network: a redirect is not followed, and the peer is not added', async () => {
    const redirected = await addPeer(open, `http://127.0.0.1:${target.port}`);
    expect(redirected.status).toBe(409);
    expect(redirected.detail).toMatch(/answered 302/);
    expect(target.requests).toEqual(['GET /.well-known/referral-node']);
    expect(await peerCount(open)).toBe(0);
  });
});
