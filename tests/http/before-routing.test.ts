// What the node answers before a request reaches its app (node/http/server.ts), on raw sockets:
// a request line or header that is not HTTP, headers too large, a path with a backslash, a Host
// that is no host or none at all, an Expect it does not meet, CONNECT, a request that never
// arrives whole. Node and the Hono adapter answered these with an empty body; each is now a
// problem document with the headers of every response. Against a real `serve` process, as an
// operator runs it, and against the server in this process with an https node URL (HSTS) and
// short timeouts (408).
import { once } from 'node:events';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeServer } from '../../node/http/server.js';
import { STRICT_TRANSPORT_SECURITY } from '../../node/http/response-headers.js';
import { createServerApp } from '../../server/app.js';
import { cleanup, startNode, type RunningNode } from '../_util/processes.js';
import { createTestNetwork, type TestNetwork } from '../_util/test-node.js';

interface RawResponse {
  status: number;
  headers: Map<string, string>;
  body: string;
}

/** Writes `request` as it is on a new connection and reads the answer until the server closes it. */
async function raw(port: number, request: string): Promise<RawResponse> {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.write(request);
  await once(socket, 'close');
  const text = Buffer.concat(chunks).toString('utf8');
  const split = text.indexOf('\r\n\r\n');
  expect(split, `no complete answer to ${JSON.stringify(request.slice(0, 60))}: ${JSON.stringify(text)}`).toBeGreaterThan(0);
  const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
  const headers = new Map(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()] as const));
  const body = text.slice(split + 4);
  expect(Buffer.byteLength(body), 'the body is as long as it says').toBe(Number(headers.get('content-length')));
  return { status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine!)?.[1]), headers, body };
}

/** A problem document of that type and status, with the headers of every response. */
function expectProblem(response: RawResponse, status: number, problem: string, https = false): void {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/problem+json');
  expect(JSON.parse(response.body)).toMatchObject({ type: `urn:refnet:problem:${problem}`, status });
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  expect(response.headers.get('strict-transport-security')).toBe(https ? STRICT_TRANSPORT_SECURITY : undefined);
}

const get = (target: string, headers = 'Host: node.test\r\n') => `GET ${target} HTTP/1.1\r\n${headers}Connection: close\r\n\r\n`;

describe('a real node, before routing', () => {
  let node: RunningNode;
  beforeAll(async () => {
    node = await startNode({ name: 'Athens Women Support', country: 'GR', languages: ['el', 'en'] });
  }, 120_000);
  afterAll(() => cleanup.run());

  it('answers a path with a backslash, a Host that is no host, and a target that is no path with a problem', async () => {
    for (const request of [get('//\\'), get('/ui/\\'), get('/healthz', 'Host: no host\r\n'), 'OPTIONS * HTTP/1.1\r\nHost: node.test\r\nConnection: close\r\n\r\n']) {
      expectProblem(await raw(node.port, request), 400, 'malformed-request');
    }
  });

  it('answers a path that is not percent-encoded right as one where nothing is', async () => {
    expectProblem(await raw(node.port, get('/%zz')), 404, 'not-found');
  });

  it('answers headers larger than Node reads with 431 and a problem', async () => {
    expectProblem(await raw(node.port, get('/healthz', `Host: node.test\r\nX-Padding: ${'a'.repeat(20 * 1024)}\r\n`)), 431, 'headers-too-large');
  });

  it('answers a request line or a header that is not HTTP with 400 and a problem', async () => {
    for (const request of ['GARBAGE\r\n\r\n', 'GET /healthz HTTP/1.1\r\nHost: node.test\r\nNot A Header\r\n\r\n', 'GET /\0 HTTP/1.1\r\nHost: node.test\r\n\r\n', 'GET /healthz HTTP/1.1\r\nHost: node.test\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n']) {
      expectProblem(await raw(node.port, request), 400, 'malformed-request');
    }
  });

  it('answers an HTTP/1.1 request without Host, an unknown Expect and CONNECT with a problem', async () => {
    expectProblem(await raw(node.port, 'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n'), 400, 'malformed-request');
    expectProblem(await raw(node.port, get('/healthz', 'Host: node.test\r\nExpect: miracles\r\n')), 417, 'expectation-failed');
    expectProblem(await raw(node.port, 'CONNECT peer.example:443 HTTP/1.1\r\nHost: peer.example:443\r\n\r\n'), 400, 'malformed-request');
  });

  it('still serves a good request, and an HTTP/1.0 one without Host', async () => {
    const healthy = await raw(node.port, get('/healthz'));
    expect(healthy.status).toBe(200);
    expect(healthy.headers.get('cache-control')).toBe('no-store');
    expect((await raw(node.port, 'GET /healthz HTTP/1.0\r\n\r\n')).status).toBe(200);
    expect(node.logs()).not.toMatch(/unhandled error/);
  });
});

describe('the server in this process, for a node whose URL is https', () => {
  let net: TestNetwork;
  let server: Server;
  let port: number;
  beforeAll(async () => {
    net = await createTestNetwork(1, { trust: false });
    const { ctx } = net.nodes[0]!;
    const nodeId = 'https://node.example.org';
    server = createNodeServer(createServerApp({ ...ctx, self: { ...ctx.self, nodeId } }, () => {}).fetch, { nodeId, hostname: '127.0.0.1', logger: ctx.logger });
    // A request's headers must arrive within 300 ms, checked every 100 ms (Node: 60 s, every 30 s).
    Object.assign(server, { headersTimeout: 300, requestTimeout: 600, connectionsCheckingInterval: 100 });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
    await net.close();
  });

  it('sends HSTS on what it answers before routing, as the app does on its own answers', async () => {
    expectProblem(await raw(port, get('//\\')), 400, 'malformed-request', true);
    expectProblem(await raw(port, get('/healthz', `Host: node.test\r\nX-Padding: ${'a'.repeat(20 * 1024)}\r\n`)), 431, 'headers-too-large', true);
    expectProblem(await raw(port, 'GARBAGE\r\n\r\n'), 400, 'malformed-request', true);
    expectProblem(await raw(port, get('/nowhere')), 404, 'not-found', true);
  });

  it('answers a request whose headers do not arrive in time with 408 and a problem', async () => {
    expectProblem(await raw(port, 'GET /healthz HTTP/1.1\r\nHost: node.test\r\n'), 408, 'request-timeout', true);
  });
});
