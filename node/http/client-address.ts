// The client's address of a request, as the limits per address count it (net/client-address.ts
// says whom X-Forwarded-For is believed from).
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { NodeContext } from '../context.js';
import { clientAddressFrom, NO_ADDRESS } from '../net/client-address.js';

export function clientAddress(c: Context, ctx: NodeContext): string {
  let socketAddress: string | undefined;
  try {
    socketAddress = getConnInfo(c).remote.address;
  } catch {
    // Called in-process (the tests' network): no socket, no address.
    return NO_ADDRESS;
  }
  return clientAddressFrom(socketAddress, c.req.header('x-forwarded-for'), ctx.throttles.trustedProxies);
}
