// Whose address a request is counted against (node/net/client-address.ts): the socket's, unless it
// is a trusted proxy; then the first address in X-Forwarded-For, from the right, that is not a
// trusted proxy, whatever a client wrote further left.
import { describe, expect, it } from 'vitest';
import { clientAddressFrom, NO_ADDRESS, plain, trustedProxiesFrom } from '../../node/net/client-address.js';

const loopback = trustedProxiesFrom(['127.0.0.1', '::1'])!;

describe('the client address', () => {
  it('is the socket address when the socket is not a trusted proxy; X-Forwarded-For is then ignored', () => {
    expect(clientAddressFrom('198.51.100.7', '10.9.9.9', loopback)).toBe('198.51.100.7');
    expect(clientAddressFrom('::ffff:198.51.100.7', undefined, loopback)).toBe('198.51.100.7');
  });

  it('behind a trusted proxy, is the rightmost address that is not a trusted proxy', () => {
    expect(clientAddressFrom('127.0.0.1', '198.51.100.7', loopback)).toBe('198.51.100.7');
    // A client's own X-Forwarded-For is on the left: the proxy appended the real address.
    expect(clientAddressFrom('127.0.0.1', '1.2.3.4, 198.51.100.7', loopback)).toBe('198.51.100.7');
    const chain = trustedProxiesFrom(['127.0.0.1', '10.0.0.0/8'])!;
    expect(clientAddressFrom('127.0.0.1', '1.2.3.4, 198.51.100.7, 10.1.2.3', chain)).toBe('198.51.100.7');
    // Something not an address where a proxy writes one: the socket's is all that is known.
    expect(clientAddressFrom('127.0.0.1', '198.51.100.7, garbage', loopback)).toBe('127.0.0.1');
    expect(clientAddressFrom('127.0.0.1', undefined, loopback)).toBe('127.0.0.1');
    expect(clientAddressFrom('::1', '2001:db8::5', loopback)).toBe('2001:db8::5');
  });

  it('is written one way whoever wrote it: IPv4 plain, IPv6 in lower case with zeros compressed', () => {
    expect(clientAddressFrom('127.0.0.1', '2001:DB8:0:0:0:0:0:5', loopback)).toBe('2001:db8::5');
    expect(clientAddressFrom('127.0.0.1', '::ffff:c633:6407', loopback)).toBe('198.51.100.7');
    for (const [written, one] of [
      ['203.0.113.7', '203.0.113.7'], ['::FFFF:203.0.113.7', '203.0.113.7'], ['::ffff:cb00:7107', '203.0.113.7'],
      ['2001:0db8:0000::0007', '2001:db8::7'], ['fe80::1%eth0', 'fe80::1%eth0'], ['not an address', 'not an address'],
    ]) expect(plain(written!)).toBe(one);
  });

  it('trusts no proxy when told none', () => {
    expect(clientAddressFrom('127.0.0.1', '198.51.100.7', trustedProxiesFrom([])!)).toBe('127.0.0.1');
  });

  it('is none for a request made in-process', () => {
    expect(clientAddressFrom(undefined, '198.51.100.7', loopback)).toBe(NO_ADDRESS);
  });

  it('reads trusted proxies from addresses and ranges, and refuses anything else', () => {
    expect(trustedProxiesFrom(['10.0.0.0/8', 'fd00::/8', '192.0.2.1'])).toBeDefined();
    for (const bad of [['10.0.0.0/33'], ['nonsense'], ['10.0.0.1/8/2'], ['::1/129'], ['10.0.0.0/x']]) expect(trustedProxiesFrom(bad), bad[0]).toBeUndefined();
  });
});
