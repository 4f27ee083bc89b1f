// The HTTP server under the node's app. Node and the Hono adapter answer some requests before the
// app sees them, and with an empty body: a request line or header Node cannot parse (400),
// headers larger than Node reads (431), a request that does not arrive in time (408), an
// HTTP/1.1 request without Host (400), an Expect other than 100-continue (417), a path with a
// backslash or a Host that is no host name (the adapter's 400), and CONNECT (the connection was
// just closed). Here each gets what the app's own errors get: application/problem+json, with the
// headers of every response (response-headers.ts). No path is known for sure before routing, so
// the web interface's error page is never the answer here.
import { createServer, maxHeaderSize, STATUS_CODES, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { getRequestListener, RequestError } from '@hono/node-server';
import type { Logger } from 'pino';
import { catalogued, internalError, type DomainError, type ProblemCatalogue } from '../errors.js';
import { everyResponseHeaders } from './response-headers.js';

export const requestProblems = {
  'malformed-request': [400, 'Malformed request', 'The node could not read the request: its request line or a header is not valid HTTP/1.1.'],
  'headers-too-large': [431, 'Request headers too large', `The request's headers are larger than the node reads (${Math.floor(maxHeaderSize / 1024)} KiB in all).`],
  'request-timeout': [408, 'Request timeout', 'The request did not arrive in time.'],
  'expectation-failed': [417, 'Expectation failed', 'The node meets no expectation but 100-continue.'],
} as const satisfies ProblemCatalogue;

/** What Node's parser reports, as the problem the client is told. */
function clientProblem(code: string | undefined): DomainError {
  if (code === 'HPE_HEADER_OVERFLOW') return catalogued(requestProblems, 'headers-too-large');
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return catalogued(requestProblems, 'request-timeout');
  return catalogued(requestProblems, 'malformed-request');
}

/** A client that sends on after its answer (or never closes) is cut off this long after it. */
const LINGER_MS = 2_000;

/** The app's fetch, as the adapter calls it. */
type Fetch = Parameters<typeof getRequestListener>[0];

export interface NodeServerOptions {
  /** The node's public URL: HSTS is sent when it is https. */
  nodeId: string;
  /** The host an HTTP/1.0 request without Host is taken to be for (the address listened on). */
  hostname: string;
  logger: Logger;
}

/** An HTTP server for the node's app, not yet listening. */
export function createNodeServer(fetch: Fetch, options: NodeServerOptions): Server {
  const headers = everyResponseHeaders(options.nodeId);
  const log = options.logger;
  const problemBody = (error: DomainError) => JSON.stringify(error.toJSON());

  const answerRequest = (response: ServerResponse, error: DomainError) => {
    const body = problemBody(error);
    response.writeHead(error.status, { ...headers, 'content-type': 'application/problem+json', 'content-length': Buffer.byteLength(body), connection: 'close' });
    response.end(body);
  };
  /** Written on the socket itself: there is no request to answer, only a connection. */
  const answerConnection = (socket: Duplex, error: DomainError) => {
    const body = problemBody(error);
    const head = [
      `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status]}`,
      `date: ${new Date().toUTCString()}`,
      'content-type: application/problem+json',
      `content-length: ${Buffer.byteLength(body)}`,
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
      'connection: close',
    ];
    socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
    const linger = setTimeout(() => socket.destroy(), LINGER_MS).unref();
    socket.once('close', () => clearTimeout(linger));
  };

  const asResponse = (error: DomainError) =>
    new Response(problemBody(error), { status: error.status, headers: { ...headers, 'content-type': 'application/problem+json' } });
  const toApp = getRequestListener(fetch, {
    hostname: options.hostname,
    errorHandler(error) {
      if (error instanceof RequestError) {
        log.debug({ refused: 'request-target' }, 'request refused before routing');
        return asResponse(catalogued(requestProblems, 'malformed-request', { detail: 'The request\'s path or Host is not valid: a path starts with / and holds no backslash, a Host is a host name.' }));
      }
      // The app answers its own errors; this is one that escaped it.
      log.error({ error: error instanceof Error ? error.name : typeof error }, 'unhandled error outside the app');
      return asResponse(internalError());
    },
  });
  // Node would answer an HTTP/1.1 request without Host itself, with an empty 400.
  const server = createServer({ requireHostHeader: false }, (request, response) => {
    if (request.headers.host === undefined && request.httpVersion !== '1.0') {
      answerRequest(response, catalogued(requestProblems, 'malformed-request', { detail: 'An HTTP/1.1 request names its host in a Host header.' }));
      return;
    }
    void toApp(request, response);
  });
  server.on('checkExpectation', (_request, response: ServerResponse) => answerRequest(response, catalogued(requestProblems, 'expectation-failed')));
  server.on('connect', (_request, socket: Duplex) =>
    answerConnection(socket, catalogued(requestProblems, 'malformed-request', { detail: 'The node is no proxy: it answers no CONNECT.' })),
  );
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // Our answer is on its way already (the parser reports again on each later chunk).
    if (socket.writableEnded) return;
    if (error.code === 'ECONNRESET' || !socket.writable || responseStarted(socket)) {
      socket.destroy();
      return;
    }
    log.debug({ code: error.code }, 'request refused before routing');
    answerConnection(socket, clientProblem(error.code));
  });
  return server;
}

/** Whether a response on this connection has begun: another written now would corrupt it (as Node checks). */
function responseStarted(socket: Duplex): boolean {
  // _httpMessage is Node's own: the response in progress on the connection, if any.
  return (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage?.headersSent === true;
}
