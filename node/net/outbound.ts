// Every request this node makes to another server goes through here: to peers (identity
// documents, envelopes, directories, invitations, key revocations), to witnesses and to the trust
// list. A peer's URL comes from whoever typed it or from a document a peer signed; it must not
// be able to turn this node against the machines around it (a metadata service, a database on
// the private network, the node's own admin routes on loopback). So, for every request:
//
// - only https:// (and http:// on a private test network, REFERRAL_NODE_PRIVATE_NETWORK);
// - the address connected to is checked when it is resolved, at connect time, against the ranges
//   a peer is never at (loopback, private, link-local and metadata, multicast, reserved), so a
//   name that resolves to one, or resolves to a public address first and a private one later, is
//   refused;
// - a redirect is never followed (node:http follows none): a 3xx is an answer like any other, and
//   every caller treats anything but what it asked for as a refusal;
// - an answer is read up to MAX_ANSWER_BYTES (each caller holds it to its own smaller limit with
//   readBodyWithin), and a request ends within MAX_REQUEST_MS whatever the caller asked;
// - one keep-alive connection pool per peer (per origin), with a bounded number of sockets.
//
// The interface is fetch's (a Request in, a Response out): the callers read statuses, headers and
// bodies as they would from fetch, and tests put their in-memory network in its place.
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { BlockList, isIP } from 'node:net';
import type { Fetch } from '../context.js';

export interface OutboundPolicy {
  /**
   * Peers on loopback, private and link-local addresses, reached over http:// too: the demo,
   * tests, a closed test network (REFERRAL_NODE_PRIVATE_NETWORK). Never on a node on the internet.
   */
  privateNetwork: boolean;
}

/** The largest answer read from any server: above the largest the protocol has (a trust list, 4 MiB). */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;
/** Every request ends within this, whatever its caller asked (callers ask for 15 s). */
export const MAX_REQUEST_MS = 60_000;
/** Connections kept to one peer at most, when not told otherwise (the outbox posts 8 at a time by default). */
export const DEFAULT_SOCKETS_PER_PEER = 16;

/** A request this node refuses to make: a scheme or an address outside its policy. */
export class OutboundRefusedError extends Error {
  override name = 'OutboundRefusedError';
}

/** An answer larger than MAX_ANSWER_BYTES: cut off, the connection closed. */
export class AnswerTooLargeError extends Error {
  override name = 'AnswerTooLargeError';
}

/** A DNS lookup, as node:dns's `lookup` with `all: true` (tests give their own). */
export type Resolver = (hostname: string, callback: (error: Error | null, addresses: LookupAddress[]) => void) => void;

const systemResolver: Resolver = (hostname, callback) => dnsLookup(hostname, { all: true, verbatim: true }, callback);

/**
 * Where a peer is never: the ranges of RFC 6890's special-purpose registries that are not the
 * public internet. Node's BlockList does the matching; it holds an IPv4-mapped IPv6 address
 * (::ffff:127.0.0.1) to the IPv4 ranges.
 */
const forbidden = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (carrier NAT; some clouds' metadata services)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, with the cloud metadata service at 169.254.169.254
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
] as const) {
  forbidden.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['64:ff9b::', 96], // NAT64: the same
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local (private), with fd00:ec2::254, a cloud metadata service
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  forbidden.addSubnet(network, prefix, 'ipv6');
}

/** Whether a peer may be at this IP address under `policy`. */
export function addressAllowed(address: string, policy: OutboundPolicy): boolean {
  if (policy.privateNetwork) return true;
  const family = isIP(address);
  if (family === 0) return false;
  return !forbidden.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

const refusedAddress = (host: string, address: string) =>
  new OutboundRefusedError(
    `${host} is at ${address}, a loopback, private, link-local or reserved address, which this node does not connect to (a peer on such a network needs REFERRAL_NODE_PRIVATE_NETWORK=true, for a closed test network only).`,
  );

/** The scheme and, when the host is written as an address, the address: refused before anything is sent. */
function checkDestination(url: URL, policy: OutboundPolicy): void {
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.privateNetwork)) {
    throw new OutboundRefusedError(
      policy.privateNetwork ? `${url.protocol} is not a scheme this node speaks.` : `${url.origin} is not an https:// URL; this node speaks to other servers over https only (http:// needs REFERRAL_NODE_PRIVATE_NETWORK=true, for a closed test network only).`,
    );
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) !== 0 && !addressAllowed(host, policy)) throw refusedAddress(url.host, host);
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A lookup for node:net that refuses a name any of whose addresses is forbidden. */
function guardedLookup(policy: OutboundPolicy, resolve: Resolver) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolve(hostname, (error, addresses) => {
      if (error) return callback(error, '');
      const usable = addresses.filter((a) => options.family === undefined || options.family === 0 || a.family === options.family);
      const refused = usable.find((a) => !addressAllowed(a.address, policy));
      if (refused) return callback(refusedAddress(hostname, refused.address), '');
      const first = usable[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
      if (options.all) callback(null, usable);
      else callback(null, first.address, first.family);
    });
  };
}

export interface OutboundOptions {
  /** Connections kept to one peer at most (DEFAULT_SOCKETS_PER_PEER). */
  socketsPerPeer?: number;
  /** The DNS lookup (tests resolve names as they like). */
  resolve?: Resolver;
}

/** The fetch this node uses for every request to another server (see the top of this file). */
export function outboundFetch(policy: OutboundPolicy, options: OutboundOptions = {}): Fetch {
  const agentOptions = { keepAlive: true, maxSockets: options.socketsPerPeer ?? DEFAULT_SOCKETS_PER_PEER };
  const agents = { http: new HttpAgent(agentOptions), https: new HttpsAgent(agentOptions) };
  // On a private network every address is allowed: nothing to check when connecting.
  const lookup = policy.privateNetwork ? undefined : guardedLookup(policy, options.resolve ?? systemResolver);
  return async (input, init = {}) => {
    const request = input instanceof Request ? input : undefined;
    const url = new URL(request ? request.url : String(input));
    checkDestination(url, policy);
    const deadline = AbortSignal.timeout(MAX_REQUEST_MS);
    const callerSignal = init.signal ?? request?.signal;
    const signal = callerSignal ? AbortSignal.any([callerSignal, deadline]) : deadline;
    const headers = new Headers(init.headers ?? request?.headers);
    const body = init.body ?? (request?.body ? await request.text() : undefined);
    if (body !== undefined && body !== null && typeof body !== 'string') throw new TypeError('An outbound request body is a string.');
    const answer = await send(url, {
      method: init.method ?? request?.method ?? 'GET',
      headers: Object.fromEntries(headers),
      agent: url.protocol === 'https:' ? agents.https : agents.http,
      ...(lookup ? { lookup } : {}),
      signal,
    }, body ?? undefined);
    const responseHeaders = new Headers();
    for (let i = 0; i + 1 < answer.rawHeaders.length; i += 2) responseHeaders.append(answer.rawHeaders[i]!, answer.rawHeaders[i + 1]!);
    const nullBody = answer.status === 204 || answer.status === 205 || answer.status === 304;
    return new Response(nullBody ? null : answer.body, { status: answer.status, headers: responseHeaders });
  };
}

interface Answer {
  status: number;
  rawHeaders: string[];
  body: Buffer;
}

/** One request over node:http(s), its answer read whole up to MAX_ANSWER_BYTES. */
function send(url: URL, options: RequestOptions & { signal: AbortSignal }, body: string | undefined): Promise<Answer> {
  const { signal } = options;
  return new Promise<Answer>((resolve, reject) => {
    // An error after the request was aborted is the abort's (fetch's TimeoutError or AbortError);
    // a refusal is itself; any other is a network failure, named as fetch names it (TypeError),
    // with the system's code (ECONNREFUSED, ENOTFOUND...) and never a peer's words.
    const fail = (error: unknown) => {
      if (signal.aborted) return reject(signal.reason);
      if (error instanceof OutboundRefusedError || error instanceof AnswerTooLargeError) return reject(error);
      const code = (error as { code?: unknown }).code;
      reject(new TypeError(`The request to ${url.origin} failed${typeof code === 'string' ? ` (${code})` : ''}.`, { cause: error }));
    };
    const client = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const outgoing = client(url, options, (response: IncomingMessage) => {
      const tooLarge = () => {
        outgoing.destroy();
        reject(new AnswerTooLargeError(`${url.origin} answered with more than ${MAX_ANSWER_BYTES} bytes; the answer was not read.`));
      };
      const declared = Number(response.headers['content-length']);
      if (declared > MAX_ANSWER_BYTES) return tooLarge();
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > MAX_ANSWER_BYTES) return tooLarge();
        chunks.push(chunk);
      });
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        // A status fetch could not hold is no answer (1xx are never final here; node:http reads them apart).
        if (status < 200 || status > 599) return fail(Object.assign(new Error('no usable status'), { code: 'EBADSTATUS' }));
        resolve({ status, rawHeaders: response.rawHeaders, body: Buffer.concat(chunks, size) });
      });
      response.on('error', fail);
      // Closed before its end (the peer hung up mid-answer): a failure, not a short answer.
      response.on('close', () => {
        if (!response.complete) fail(Object.assign(new Error('answer cut off'), { code: 'ECONNRESET' }));
      });
    });
    outgoing.on('error', fail);
    outgoing.end(body);
  });
}
