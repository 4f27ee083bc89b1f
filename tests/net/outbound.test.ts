// The one way this node makes requests to other servers (node/net/outbound.ts), against real
// servers on loopback: no redirect followed, http:// and forbidden addresses refused unless on a
// private network (an address written in the URL, and a name that resolves to one, refused before
// any connection), answers cut off past their limit, every request ended by its deadline, a bounded
// pool of kept-alive connections per peer, and network failures named as fetch names them.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addressAllowed, AnswerTooLargeError, MAX_ANSWER_BYTES, OutboundRefusedError, outboundFetch, type Resolver } from '../../node/net/outbound.js';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** A server on loopback that counts the connections and requests it gets; `handle` answers them. */
function countingServer(): { server: Server; port: () => number; connections: () => number; requests: string[]; handle: (h: Handler) => void } {
  let handler: Handler = (_request, response) => response.end('ok');
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    handler(request, response);
  });
  let connections = 0;
  server.on('connection', () => (connections += 1));
  return {
    server,
    port: () => (server.address() as AddressInfo).port,
    connections: () => connections,
    requests,
    handle: (h) => (handler = h),
  };
}

const open = { privateNetwork: true };
const strict = { privateNetwork: false };

describe('outbound requests', () => {
  const peer = countingServer();
  const base = () => `http://127.0.0.1:${peer.port()}`;

  beforeAll(async () => {
    await new Promise<void>((resolve) => peer.server.listen(0, '127.0.0.1', resolve));
  });
  afterEach(() => {
    peer.requests.length = 0;
    peer.handle((_request, response) => response.end('ok'));
  });
  afterAll(async () => {
    peer.server.closeAllConnections();
    await new Promise((resolve) => peer.server.close(resolve));
  });

  it('posts and reads an answer: status, headers and body', async () => {
    peer.handle((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        response.writeHead(201, { 'content-type': 'application/json', 'x-length-seen': String(request.headers['content-length']) });
        response.end(JSON.stringify({ echoed: body }));
      });
    });
    const response = await outboundFetch(open)(`${base()}/in`, { method: 'POST', headers: { 'content-type': 'application/jose' }, body: 'eyJ.x.y' });
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('application/json');
    // Sent with a declared length, not chunked: the receiver reads it whole.
    expect(response.headers.get('x-length-seen')).toBe('7');
    expect(await response.json()).toEqual({ echoed: 'eyJ.x.y' });
  });

  it('never follows a redirect: the 3xx is the answer, and its target is never asked', async () => {
    peer.handle((request, response) => {
      if (request.url === '/moved') response.writeHead(302, { location: '/admin' }).end();
      else response.end('should not be reached');
    });
    const response = await outboundFetch(open)(`${base()}/moved`);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/admin');
    expect(peer.requests).toEqual(['GET /moved']);
    // Also a 307 to a POST, which fetch would send again with its body.
    peer.handle((_request, response) => response.writeHead(307, { location: `${base()}/elsewhere` }).end());
    expect((await outboundFetch(open)(`${base()}/post`, { method: 'POST', body: 'x' })).status).toBe(307);
    expect(peer.requests).toEqual(['GET /moved', 'POST /post']);
  });

  it('outside a private network, refuses http:// and addresses that are not public, before connecting', async () => {
    const before = peer.connections();
    const fetchStrict = outboundFetch(strict);
    for (const url of [
      `${base()}/x`, // http
      `https://127.0.0.1:${peer.port()}/x`,
      `https://[::1]:${peer.port()}/x`,
      `https://[::ffff:127.0.0.1]:${peer.port()}/x`,
      `https://[::ffff:7f00:1]:${peer.port()}/x`,
      'file:///etc/passwd',
    ]) {
      await expect(fetchStrict(url), url).rejects.toBeInstanceOf(OutboundRefusedError);
    }
    expect(peer.connections()).toBe(before);
    await expect(fetchStrict(`${base()}/x`)).rejects.toThrow(/https/);
  });

  it('refuses a name that resolves to a forbidden address, at connect time, without connecting', async () => {
    const asked: string[] = [];
    // The resolver plays DNS: the peer's name points at loopback (where the test server listens).
    const resolve: Resolver = (hostname, callback) => {
      asked.push(hostname);
      callback(null, [{ address: '127.0.0.1', family: 4 }]);
    };
    const before = peer.connections();
    const error = await outboundFetch(strict, { resolve })(`https://peer.example:${peer.port()}/.well-known/referral-node`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboundRefusedError);
    expect((error as Error).message).toMatch(/peer\.example is at 127\.0\.0\.1/);
    expect(asked).toEqual(['peer.example']);
    expect(peer.connections()).toBe(before);
    // One forbidden address among others is enough to refuse (a name that answers differently each time).
    const mixed: Resolver = (_hostname, callback) => callback(null, [{ address: '::1', family: 6 }, { address: '127.0.0.1', family: 4 }]);
    await expect(outboundFetch(strict, { resolve: mixed })(`https://peer.example:${peer.port()}/`)).rejects.toBeInstanceOf(OutboundRefusedError);
    expect(peer.connections()).toBe(before);
  });

  it('knows the forbidden ranges', () => {
    for (const address of ['127.0.0.1', '127.255.0.9', '10.0.0.1', '172.16.5.4', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.100.100.200', '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fe80::1', 'fd00:ec2::254', 'fc00::1', '::ffff:10.0.0.1', '64:ff9b::a00:1', 'ff02::1']) {
      expect(addressAllowed(address, strict), address).toBe(false);
      expect(addressAllowed(address, open), address).toBe(true);
    }
    for (const address of ['93.184.215.14', '8.8.8.8', '172.32.0.1', '2a00:1450:4001:80b::200e', '2606:4700::1111']) {
      expect(addressAllowed(address, strict), address).toBe(true);
    }
    expect(addressAllowed('not-an-address', strict)).toBe(false);
  });

  it('cuts an answer off past the largest it reads, declared or not', async () => {
    peer.handle((_request, response) => {
      response.writeHead(200, { 'content-length': String(MAX_ANSWER_BYTES + 1) });
      response.write('x');
    });
    await expect(outboundFetch(open)(`${base()}/declared`)).rejects.toBeInstanceOf(AnswerTooLargeError);
    const chunk = Buffer.alloc(1024 * 1024, 'y');
    peer.handle((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      // Chunked, without end: the client must stop reading by itself.
      const push = () => {
        if (!response.destroyed && response.write(chunk)) setImmediate(push);
        else if (!response.destroyed) response.once('drain', push);
      };
      push();
    });
    await expect(outboundFetch(open)(`${base()}/endless`)).rejects.toBeInstanceOf(AnswerTooLargeError);
  });

  it('ends a request that gets no answer when its signal says so, as fetch does (TimeoutError)', async () => {
    peer.handle(() => undefined);
    const error = await outboundFetch(open)(`${base()}/silent`, { signal: AbortSignal.timeout(300) }).catch((e: unknown) => e);
    expect((error as Error).name).toBe('TimeoutError');
    peer.server.closeAllConnections();
  });

  it('names a failed connection as fetch does (TypeError), with the system code only', async () => {
    const closed = countingServer();
    await new Promise<void>((resolve) => closed.server.listen(0, '127.0.0.1', resolve));
    const port = closed.port();
    await new Promise((resolve) => closed.server.close(resolve));
    const error = await outboundFetch(open)(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
  });

  it('keeps a bounded pool of connections to a peer, and reuses them', async () => {
    peer.server.closeAllConnections();
    const before = peer.connections();
    const pooled = outboundFetch(open, { socketsPerPeer: 2 });
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => pooled(`${base()}/n${i}`).then((r) => r.text())));
    expect(answers).toEqual(Array.from({ length: 12 }, () => 'ok'));
    expect(peer.connections() - before).toBeLessThanOrEqual(2);
    // Later requests go over the connections kept.
    await pooled(`${base()}/again`);
    expect(peer.connections() - before).toBeLessThanOrEqual(2);
  });
});
