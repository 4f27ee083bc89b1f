// An API token's use (node/users/service.ts, authenticateToken): a pause longer than the login gap
// counts as a login in the audit log, and the last use is written at most once a minute, so that a
// client making many requests does not add a transaction to each.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateToken } from '../../node/users/service.js';
import { createTestNetwork, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let node: TestNode;

beforeAll(async () => {
  net = await createTestNetwork(1, { trust: false });
  node = net.nodes[0]!;
});
afterAll(() => net.close());

const logins = async () => (await node.ctx.database.db.selectFrom('audit_log').select('idx').where('type', '=', 'user.login').execute()).length;
const lastUsed = async () =>
  (await node.ctx.database.db.selectFrom('api_tokens').select('last_used_at').where('label', '=', 'test').executeTakeFirstOrThrow()).last_used_at;

describe('an API token in use', () => {
  it('is a login after a pause, and its last use is written at most once a minute', async () => {
    const start = new Date(Date.parse('2027-03-01T09:00:00Z'));
    const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);
    const use = async (seconds: number) => {
      const before = node.ctx.database.transactionStats().transactions;
      const user = await authenticateToken(node.ctx.database, node.token, at(seconds));
      expect(user?.username).toBe('admin');
      return node.ctx.database.transactionStats().transactions - before;
    };

    const loginsBefore = await logins();
    expect(await use(0)).toBe(1);
    expect(await lastUsed()).toBe(at(0).toISOString());
    expect(await logins()).toBe(loginsBefore + 1);

    // Within the minute: nothing written, no transaction at all.
    expect(await use(20)).toBe(0);
    expect(await use(59)).toBe(0);
    expect(await lastUsed()).toBe(at(0).toISOString());

    // A minute on: written again, still the same session.
    expect(await use(61)).toBe(1);
    expect(await lastUsed()).toBe(at(61).toISOString());
    expect(await logins()).toBe(loginsBefore + 1);

    // Half an hour's pause since the last use written: a login again.
    expect(await use(61 + 31 * 60)).toBe(1);
    expect(await logins()).toBe(loginsBefore + 2);

    // A clock set back (a last use "in the future") is written, not trusted to skip the write.
    expect(await use(0)).toBe(1);
    expect(await lastUsed()).toBe(at(0).toISOString());
  });

  it('is refused when unknown, and that writes nothing', async () => {
    const before = node.ctx.database.transactionStats().transactions;
    expect(await authenticateToken(node.ctx.database, 'rn_not-a-token', new Date())).toBeUndefined();
    expect(node.ctx.database.transactionStats().transactions).toBe(before);
  });
});
