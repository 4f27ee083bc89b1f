// What every response of the node says about itself (issue 17, ASVS V14.4): that no cache may
// keep it, that its content type is what it is (no sniffing), that no address is sent on as a
// referrer, and, when the node's public URL is https, that browsers must use https (HSTS). The
// node's app sets them on each of its responses, the web interface's included; the HTTP server
// sets them on the answers it writes itself, before a request reaches the app (server.ts).
import type { MiddlewareHandler } from 'hono';

/** One year; sub-domains too (ASVS V14.4.5): a node has a host name of its own (README). */
export const STRICT_TRANSPORT_SECURITY = 'max-age=31536000; includeSubDomains';

/**
 * Whether the node is served over https: its public URL (its id, `init --url`) says so. The node
 * listens on 127.0.0.1 behind a proxy that ends TLS, so the request itself cannot tell.
 */
export const servedOverHttps = (nodeId: string): boolean => nodeId.startsWith('https://');

/** The headers every response gets, unless it says otherwise itself. */
export function everyResponseHeaders(nodeId: string): Readonly<Record<string, string>> {
  return {
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    ...(servedOverHttps(nodeId) ? { 'strict-transport-security': STRICT_TRANSPORT_SECURITY } : {}),
  };
}

/**
 * Adds the headers a response has not set itself, to every response, errors and not-found
 * included: the web interface's pages keep their own referrer policy, its stylesheet its caching.
 */
export const standardHeaders = (nodeId: string): MiddlewareHandler => {
  const standard = Object.entries(everyResponseHeaders(nodeId));
  return async function standardHeaders(c, next) {
    await next();
    const { headers } = c.res;
    for (const [name, value] of standard) {
      if (!headers.has(name)) headers.set(name, value);
    }
  };
};
