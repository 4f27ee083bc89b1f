// A server on loopback that redirects every request to /admin, counting the connections and the
// requests it gets: a peer URL that would turn a node's own requests against its machine.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RedirectingServer {
  server: Server;
  port: number;
  connections(): number;
  requests: string[];
  close(): Promise<void>;
}

export async function redirectingServer(): Promise<RedirectingServer> {
  const requests: string[] = [];
  let connections = 0;
  const server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    response.writeHead(302, { location: '/admin' }).end();
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
