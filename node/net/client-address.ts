// Who is asking: the client's address, for the limits kept per address (sign-in, requests without
// a valid credential). The node listens behind a TLS proxy, usually on the same machine: the socket's
// address is then the proxy's, and the client's is in X-Forwarded-For, which the proxy appends to.
// That header is believed only from a trusted proxy (REFERRAL_NODE_TRUSTED_PROXIES, loopback by
// default), and read from the right: the first address that is not a trusted proxy is the client,
// whatever a client wrote further left.
import { BlockList, isIP } from 'node:net';

/** A request with no socket (the app called in-process, as the tests do): no address to limit. */
export const NO_ADDRESS = '';

/** The trusted proxies, from addresses and CIDR ranges ("127.0.0.1", "10.0.0.0/8", "::1"); undefined when one is not either. */
export function trustedProxiesFrom(entries: readonly string[]): BlockList | undefined {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix, extra] = entry.split('/');
    const family = isIP(address ?? '');
    if (family === 0 || extra !== undefined) return undefined;
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) {
      list.addAddress(address!, type);
      continue;
    }
    const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN;
    if (!(bits >= 0 && bits <= (family === 4 ? 32 : 128))) return undefined;
    list.addSubnet(address!, bits, type);
  }
  return list;
}

/**
 * One client, one way of writing its address: an IPv4 address written as IPv6 (::ffff:192.0.2.1)
 * is the IPv4 address, and an IPv6 address is written the way URLs write it (lower case, zeros
 * compressed), whoever wrote it (a proxy's header, an administrator at the command line).
 */
export function plain(address: string): string {
  if (isIP(address) !== 6) return address;
  let canonical: string;
  try {
    canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address; // A zone index (fe80::1%eth0): kept as written.
  }
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!mapped) return canonical;
  const [high, low] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

const trusts = (proxies: BlockList, address: string): boolean => {
  const family = isIP(address);
  return family !== 0 && proxies.check(address, family === 4 ? 'ipv4' : 'ipv6');
};

/**
 * The client's address from the socket's and the X-Forwarded-For header; NO_ADDRESS for a request
 * made in-process (no socket). The HTTP layer reads the two (http/client-address.ts).
 */
export function clientAddressFrom(socketAddress: string | undefined, forwardedFor: string | undefined, proxies: BlockList): string {
  if (!socketAddress) return NO_ADDRESS;
  const peer = plain(socketAddress);
  if (!trusts(proxies, peer)) return peer;
  const hops = (forwardedFor ?? '').split(',').map((hop) => plain(hop.trim())).filter((hop) => hop !== '');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    // Not an address where a trusted proxy wrote one: the header cannot be read further.
    if (isIP(hop) === 0) return peer;
    if (!trusts(proxies, hop)) return hop;
  }
  // Only proxies all the way: the leftmost is as close to the client as anyone says.
  return hops[0] ?? peer;
}
