// The sign-in throttle: password guessing, against one account or from one client address, is
// slowed and then stopped. rate-limiter-flexible counts (its SQLite or PostgreSQL store, the
// table sign_in_limits, shared by every process of the node and kept across restarts):
//
// - each failure counts against the account tried and against the client's address;
// - past `freeFailures`, every further failure makes the next attempt wait, 2 s doubling to a
//   minute (a growing delay, answered at once with the time left rather than by holding the
//   connection);
// - at `lockAfter` failures within the lock period the account (or the address) is locked for
//   that period: an audit entry says so (never naming the address), and an administrator can lift
//   it (an account on its page or with `user unlock`, an address with `user unlock-address`);
// - a success clears the account's count; an address's count runs out with its period.
//
// The counters' keys are keyed digests (HMAC-SHA-256 under a key derived from the KEK) of the
// name tried and of the address: a copy of the database says neither who tried nor from where.
import { createHmac } from 'node:crypto';
import { RateLimiterPostgres, RateLimiterSQLite, type RateLimiterRes } from 'rate-limiter-flexible';
import type { Database } from '../db/database.js';
import type { Kek } from '../crypto/kek.js';
import { appendAuditEvent } from '../audit-log/append.js';
import type { AuditActor, AuditEvent } from '../audit-log/events.js';
import { NO_ADDRESS, plain } from '../net/client-address.js';

export interface SignInPolicy {
  /** Failures of one account before each further one makes the next attempt wait. */
  accountFreeFailures: number;
  /** Failures of one account within `lockMinutes` that lock it for `lockMinutes`. */
  accountLockAfter: number;
  /** Failures from one client address before each further one makes the next attempt wait. */
  addressFreeFailures: number;
  /** Failures from one client address within `lockMinutes` that lock it out for `lockMinutes`. */
  addressLockAfter: number;
  lockMinutes: number;
}

export const DEFAULT_SIGN_IN_POLICY: SignInPolicy = {
  accountFreeFailures: 5,
  accountLockAfter: 10,
  addressFreeFailures: 25,
  addressLockAfter: 50,
  lockMinutes: 15,
};

/** The longest wait between two attempts before the lock. */
const MAX_WAIT_SECONDS = 60;

export type SignInGate = { open: true } | { open: false; why: 'wait' | 'locked'; retryAfterSeconds: number };

export interface SignInGuard {
  /** Whether an attempt on `username` from `address` may be checked now. */
  gate(username: string, address: string): Promise<SignInGate>;
  /** A failed attempt: counted, and the account or address locked when it reaches the limit (with an audit entry). */
  failed(username: string, address: string, userId: string | undefined, now: Date): Promise<void>;
  /** A successful sign-in: the account's failures are forgotten. */
  succeeded(username: string): Promise<void>;
  /** When the account's lock ends, if it is locked now. */
  lockedUntil(username: string): Promise<Date | undefined>;
  /** An administrator lifts the account's lock and waits (with an audit entry); false when there was none. */
  unlock(username: string, userId: string, now: Date, actor: AuditActor): Promise<boolean>;
  /**
   * An administrator lifts a client address's lock and waits (an office behind one address that
   * mistyped too often), with an audit entry that does not name it; false when there was none.
   */
  unlockAddress(address: string, now: Date, actor: AuditActor): Promise<boolean>;
}

/** The system actor of the lock entries. */
const THROTTLE: AuditActor = { kind: 'system', id: 'sign-in-throttle' };

export function createSignInGuard(database: Database, kek: Kek, policy: SignInPolicy = DEFAULT_SIGN_IN_POLICY): SignInGuard {
  const { storeClient, storeType } = database.limiterStore;
  const lockSeconds = policy.lockMinutes * 60;
  const limiter = (keyPrefix: string, points: number, duration: number, blockDuration = 0) => {
    const options = { storeClient, storeType, tableName: 'sign_in_limits', tableCreated: true, keyPrefix, points, duration, blockDuration };
    return database.dialect === 'postgres' ? new RateLimiterPostgres(options) : new RateLimiterSQLite(options);
  };
  const failures = {
    account: limiter('account-failures', policy.accountLockAfter, lockSeconds, lockSeconds),
    address: limiter('address-failures', policy.addressLockAfter, lockSeconds, lockSeconds),
  };
  // A wait is a block of this limiter: one point, blocked for the wait's length.
  const waits = { account: limiter('account-wait', 1, 1), address: limiter('address-wait', 1, 1) };
  const free = { account: policy.accountFreeFailures, address: policy.addressFreeFailures };
  const lockAfter = { account: policy.accountLockAfter, address: policy.addressLockAfter };

  const secret = kek.derive('sign-in-limits');
  // A name in any case, an address however it was written (a proxy's header, an administrator's typing): one key.
  const keyOf = (kind: 'account' | 'address', value: string) =>
    createHmac('sha256', secret).update(`${kind}\0${kind === 'account' ? value.toLowerCase() : plain(value)}`).digest('base64url');
  const keysOf = (username: string, address: string) => ({ account: keyOf('account', username), address: keyOf('address', address) });
  /** The counts an attempt touches: its account's, and its address's unless it came in-process (no address). */
  const kindsOf = (address: string) => (address === NO_ADDRESS ? (['account'] as const) : (['account', 'address'] as const));
  /** An administrator lifts the lock and waits of an account or an address, written down; false when there were none. */
  const lift = async (kind: 'account' | 'address', value: string, event: AuditEvent, now: Date, actor: AuditActor): Promise<boolean> => {
    const key = keyOf(kind, value);
    const [hadFailures, hadWait] = await Promise.all([failures[kind].delete(key), waits[kind].delete(key)]);
    if (!hadFailures && !hadWait) return false;
    await database.transaction((tx) => appendAuditEvent(tx, now, actor, event));
    return true;
  };
  const blockedFor = (res: RateLimiterRes | null, points: number): number | undefined =>
    res && res.consumedPoints > points && res.msBeforeNext > 0 ? Math.ceil(res.msBeforeNext / 1000) : undefined;

  return {
    async gate(username, address) {
      const keys = keysOf(username, address);
      let wait: SignInGate = { open: true };
      for (const kind of kindsOf(address)) {
        const locked = blockedFor(await failures[kind].get(keys[kind]), lockAfter[kind]);
        if (locked !== undefined) return { open: false, why: 'locked', retryAfterSeconds: locked };
        const waiting = blockedFor(await waits[kind].get(keys[kind]), 1);
        if (waiting !== undefined && (wait.open || waiting > wait.retryAfterSeconds)) wait = { open: false, why: 'wait', retryAfterSeconds: waiting };
      }
      return wait;
    },

    async failed(username, address, userId, now) {
      const keys = keysOf(username, address);
      for (const kind of kindsOf(address)) {
        // consume rejects (with the count) once past the limit; the limiter then blocks the key for the lock period.
        const res = await failures[kind].consume(keys[kind]).catch((rejected: unknown) => rejected as RateLimiterRes);
        const count = res.consumedPoints;
        if (count > free[kind] && count <= lockAfter[kind]) {
          await waits[kind].block(keys[kind], Math.min(2 ** (count - free[kind]), MAX_WAIT_SECONDS));
        }
        // The attempt that reached the limit locks: one entry per lock (an address is never written down).
        if (count === lockAfter[kind] + 1) {
          const event = kind === 'account'
            ? { type: 'user.sign-in-locked' as const, ...(userId ? { user_id: userId } : {}), minutes: policy.lockMinutes }
            : { type: 'sign-in.address-locked' as const, minutes: policy.lockMinutes };
          await database.transaction((tx) => appendAuditEvent(tx, now, THROTTLE, event));
        }
      }
    },

    async succeeded(username) {
      const key = keyOf('account', username);
      await Promise.all([failures.account.delete(key), waits.account.delete(key)]);
    },

    async lockedUntil(username) {
      const res = await failures.account.get(keyOf('account', username));
      return res && blockedFor(res, lockAfter.account) !== undefined ? new Date(Date.now() + res.msBeforeNext) : undefined;
    },

    unlock: (username, userId, now, actor) => lift('account', username, { type: 'user.sign-in-unlocked', user_id: userId }, now, actor),

    unlockAddress: (address, now, actor) => lift('address', address, { type: 'sign-in.address-unlocked' }, now, actor),
  };
}
