// A peer that never answers: a TCP server on loopback that accepts every connection and says
// nothing, until it is closed. What a node behind a dead proxy or a hung host looks like.
import { createServer, type Socket } from 'node:net';

export interface Blackhole {
  /** How many connections it has accepted so far. */
  accepted(): number;
  close(): Promise<void>;
}

export function startBlackhole(port: number): Promise<Blackhole> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () =>
      resolve({
        accepted: () => accepted,
        close: () =>
          new Promise<void>((closed) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => closed());
          }),
      }),
    );
  });
}
