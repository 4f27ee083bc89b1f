// A deliberately non-conforming node for the conformance kit's tests: an HTTP proxy in front of
// a real node (whose node id is the proxy's URL) that passes everything through unchanged, except
// that the breaker set for the run may rewrite one answer, breaking one rule of the protocol.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Exchange {
  method: string;
  path: string;
  requestBody: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Returns the answer to give instead, or undefined to pass it through unchanged. */
export type Breaker = (exchange: Exchange) => Exchange | undefined;

export interface BreakingProxy {
  port: number;
  url: string;
  /** The node the proxy forwards to (its port, set once the node listens). */
  upstreamPort: number;
  breaker: Breaker | undefined;
  /** How many answers the breaker rewrote in this run. */
  broken: number;
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export async function startBreakingProxy(port: number): Promise<BreakingProxy> {
  const proxy: BreakingProxy = {
    port,
    url: `http://127.0.0.1:${port}`,
    upstreamPort: 0,
    breaker: undefined,
    broken: 0,
    close: async () => {},
  };
  const server: Server = createServer((request, response) => {
    void (async () => {
      const requestBody = await readBody(request);
      const headers = new Headers();
      for (const [name, value] of Object.entries(request.headers)) {
        if (!HOP_BY_HOP.has(name) && typeof value === 'string') headers.set(name, value);
      }
      const method = request.method ?? 'GET';
      const upstream = await fetch(`http://127.0.0.1:${proxy.upstreamPort}${request.url ?? '/'}`, {
        method,
        headers,
        redirect: 'manual',
        ...(method === 'GET' || method === 'HEAD' ? {} : { body: requestBody }),
      });
      const answer: Exchange = {
        method,
        path: (request.url ?? '/').split('?')[0]!,
        requestBody,
        status: upstream.status,
        headers: Object.fromEntries([...upstream.headers].filter(([name]) => !HOP_BY_HOP.has(name) && name !== 'content-encoding')),
        body: await upstream.text(),
      };
      const changed = proxy.breaker?.(answer);
      if (changed) proxy.broken += 1;
      const final = changed ?? answer;
      response.writeHead(final.status, final.headers);
      response.end(final.status === 304 ? undefined : final.body);
    })().catch((error: unknown) => {
      response.writeHead(502, { 'content-type': 'text/plain' });
      response.end(`proxy: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  proxy.port = (server.address() as AddressInfo).port;
  proxy.close = () =>
    new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    });
  return proxy;
}
