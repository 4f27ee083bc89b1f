// Reading a body within a limit (node/net/body.ts), as a node reads requests and peers' answers:
// a declared length over the limit is refused unread, one within is read whole; a body without a
// declared length is read as it comes and cut off past the limit; the same through a real HTTP
// server on loopback (@hono/node-server, as `serve` runs), with a length and chunked.
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBodyWithin } from '../../node/net/body.js';

const LIMIT = 1_000;

/** A body that arrives in pieces, with no declared length. */
function streamed(text: string, pieces = 4): ReadableStream<Uint8Array> {
  const bytes = Buffer.from(text);
  const size = Math.ceil(bytes.length / pieces);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, at + size));
      at += size;
    },
  });
}

describe('a body read within a limit', () => {
  it('reads a body whose declared length is within the limit, and refuses one over it', async () => {
    const within = new Request('http://node.test/x', { method: 'POST', body: 'a'.repeat(LIMIT), headers: { 'content-length': String(LIMIT) } });
    expect(await readBodyWithin(within, LIMIT)).toBe('a'.repeat(LIMIT));
    const over = new Request('http://node.test/x', { method: 'POST', body: 'a'.repeat(LIMIT + 1), headers: { 'content-length': String(LIMIT + 1) } });
    expect(await readBodyWithin(over, LIMIT)).toBeUndefined();
    // A length that says less than the body holds is no way past the limit.
    const understated = new Request('http://node.test/x', { method: 'POST', body: 'a'.repeat(LIMIT + 1), headers: { 'content-length': '10' } });
    expect(await readBodyWithin(understated, LIMIT)).toBeUndefined();
  });

  it('reads a body without a declared length as it comes, and stops past the limit', async () => {
    const init = (text: string) => ({ method: 'POST', body: streamed(text), duplex: 'half' }) as RequestInit;
    expect(await readBodyWithin(new Request('http://node.test/x', init('b'.repeat(LIMIT))), LIMIT)).toBe('b'.repeat(LIMIT));
    expect(await readBodyWithin(new Request('http://node.test/x', init('b'.repeat(LIMIT * 3))), LIMIT)).toBeUndefined();
    expect(await readBodyWithin(new Response(streamed('c'.repeat(LIMIT + 1))), LIMIT)).toBeUndefined();
    expect(await readBodyWithin(new Request('http://node.test/x'), LIMIT)).toBe('');
  });
});

describe('a body read within a limit, over HTTP', () => {
  let server: ServerType;
  let port: number;

  beforeAll(async () => {
    const app = new Hono();
    app.post('/read', async (c) => {
      const text = await readBodyWithin(c.req.raw, LIMIT);
      return text === undefined ? c.body('too large', 413) : c.body(`read ${text.length}`, 200);
    });
    server = await new Promise<ServerType>((resolve) => {
      const started = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
    });
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Posts `text`, with its length declared or chunked; the status and body of the answer. */
  const post = (text: string, chunked: boolean) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/read', method: 'POST', headers: chunked ? {} : { 'content-length': Buffer.byteLength(text) } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      if (chunked) {
        // Written in pieces: Node sends them with Transfer-Encoding: chunked.
        for (let at = 0; at < text.length; at += 300) req.write(text.slice(at, at + 300));
        req.end();
      } else {
        req.end(text);
      }
    });

  it('reads a declared body within the limit and refuses one over it', async () => {
    expect(await post('d'.repeat(LIMIT), false)).toEqual({ status: 200, body: `read ${LIMIT}` });
    expect((await post('d'.repeat(LIMIT + 1), false)).status).toBe(413);
  });

  it('reads a chunked body within the limit and refuses one over it', async () => {
    expect(await post('e'.repeat(LIMIT), true)).toEqual({ status: 200, body: `read ${LIMIT}` });
    expect((await post('e'.repeat(LIMIT * 5), true)).status).toBe(413);
  });
});
