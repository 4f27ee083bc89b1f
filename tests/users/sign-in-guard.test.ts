// The sign-in throttle's count per client address (users/sign-in-guard.ts; issue 17 item 1): one
// address that guesses many accounts, each only once, is made to wait and then locked out, while
// the same accounts from another address, and the address's own lock, stay apart. Each lock is an
// audit entry, an address's without the address; an administrator lifts an address's lock.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kekFromBytes } from '../../node/crypto/kek.js';
import { NO_ADDRESS } from '../../node/net/client-address.js';
import { createSignInGuard, type SignInGuard } from '../../node/users/sign-in-guard.js';
import { openTestDatabase } from '../_util/database.js';

let opened: Awaited<ReturnType<typeof openTestDatabase>>;
let guard: SignInGuard;
const now = new Date();
const policy = { accountFreeFailures: 2, accountLockAfter: 4, addressFreeFailures: 3, addressLockAfter: 6, lockMinutes: 1 };
const auditTypes = async () =>
  (await opened.database.db.selectFrom('audit_log').select('type').execute()).map((r) => r.type);

beforeAll(async () => {
  opened = await openTestDatabase();
  guard = createSignInGuard(opened.database, kekFromBytes(new Uint8Array(randomBytes(32))), policy);
});
afterAll(() => opened.close());

describe('failed sign-ins from one client address', () => {
  it('make every account wait from that address once past its free failures, then lock the address out; another address is served', async () => {
    const attacker = '203.0.113.7';
    const other = '198.51.100.9';
    // Each of the first three guesses a different account once: no account is near its own limits.
    for (const name of ['amelia', 'boris', 'chiara']) {
      expect(await guard.gate(name, attacker)).toEqual({ open: true });
      await guard.failed(name, attacker, undefined, now);
    }
    expect(await guard.gate('dimitra', attacker)).toEqual({ open: true });
    await guard.failed('dimitra', attacker, undefined, now);
    // The fourth failure from the address: the next attempt, on any account, waits (2 s, doubling).
    const waiting = await guard.gate('someone-new', attacker);
    expect(waiting).toMatchObject({ open: false, why: 'wait' });
    expect(waiting.open === false && waiting.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(await guard.gate('someone-new', other)).toEqual({ open: true });
    expect(await guard.gate('amelia', other)).toEqual({ open: true });

    // Past the address's limit (its failures are counted whatever it was told): locked out for the lock period.
    for (const name of ['emil', 'flavia', 'georgi']) await guard.failed(name, attacker, undefined, now);
    const locked = await guard.gate('someone-new', attacker);
    expect(locked).toMatchObject({ open: false, why: 'locked' });
    expect(locked.open === false && locked.retryAfterSeconds).toBeGreaterThan(policy.lockMinutes * 60 - 10);
    expect(locked.open === false && locked.retryAfterSeconds).toBeLessThanOrEqual(policy.lockMinutes * 60);
    // The accounts themselves are not locked: from another address they are served.
    for (const name of ['amelia', 'emil', 'someone-new']) expect(await guard.gate(name, other)).toEqual({ open: true });
    expect(await guard.lockedUntil('amelia')).toBeUndefined();
    // The lock is in the audit log, once, without the address; no account was locked.
    expect((await auditTypes()).filter((t) => t === 'sign-in.address-locked')).toHaveLength(1);
    expect(await auditTypes()).not.toContain('user.sign-in-locked');
    const entries = JSON.stringify(await opened.database.db.selectFrom('audit_log').select('entry').execute());
    expect(entries).not.toContain(attacker);

    // An administrator lifts it (an office behind one address): open again, written down, not twice.
    const admin = { kind: 'system' as const, id: 'command-line' };
    expect(await guard.unlockAddress(attacker, now, admin)).toBe(true);
    expect(await guard.gate('someone-new', attacker)).toEqual({ open: true });
    expect(await guard.unlockAddress(attacker, now, admin)).toBe(false);
    expect((await auditTypes()).filter((t) => t === 'sign-in.address-unlocked')).toHaveLength(1);
  });

  it('are counted against the account too, whichever address they come from; an account lock is audited', async () => {
    const addresses = ['192.0.2.1', '192.0.2.2', '192.0.2.3', '192.0.2.4', '192.0.2.5'];
    for (const address of addresses) await guard.failed('hristo', address, 'user-hristo', now);
    // Five failures from five addresses: each address far from its limits, the account past its own.
    expect(await guard.gate('hristo', '192.0.2.200')).toMatchObject({ open: false, why: 'locked' });
    expect(await guard.lockedUntil('hristo')).toBeInstanceOf(Date);
    expect(await guard.gate('ioana', '192.0.2.1')).toEqual({ open: true });
    expect(await auditTypes()).toContain('user.sign-in-locked');
  });

  it('from within the node (no client address) count against the account only', async () => {
    for (let i = 0; i < policy.addressLockAfter + 1; i++) await guard.failed(`name-${i}`, NO_ADDRESS, undefined, now);
    expect(await guard.gate('name-new', NO_ADDRESS)).toEqual({ open: true });
  });
});
