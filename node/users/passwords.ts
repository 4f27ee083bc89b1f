// Password hashing with argon2id, off the event loop: @node-rs/argon2 hashes and verifies on
// libuv's thread pool, so a password being checked (64 MiB and two passes: tens of milliseconds,
// more on a small machine) holds up no other request. The parameters are libsodium's interactive
// limits, which crypto_pwhash_str used here before: hashes stored then verify as they are, and new
// ones have the same form, `$argon2id$v=19$m=65536,t=2,p=1$<salt>$<hash>` (tests check both ways).
import type { Options } from '@node-rs/argon2';
import { availableParallelism } from 'node:os';
import { loadSodium } from '../crypto/sodium.js';

/** The native addon, loaded at the first password (a node starts without it, as it does without the web interface). */
let argon2: Promise<typeof import('@node-rs/argon2')> | undefined;
const loadArgon2 = () => (argon2 ??= import('@node-rs/argon2'));

/**
 * libsodium's crypto_pwhash_OPSLIMIT_INTERACTIVE (2 passes) and MEMLIMIT_INTERACTIVE (64 MiB), one
 * lane, a 32-byte hash (and @node-rs/argon2's 16-byte salt, as libsodium's).
 */
export const PASSWORD_HASH_OPTIONS: Options = {
  // Algorithm.Argon2id: the package declares its enums `const`, and exports them empty at run time.
  algorithm: 2,
  memoryCost: 65_536,
  timeCost: 2,
  parallelism: 1,
  outputLen: 32,
};

/**
 * How many passwords are hashed or verified at once in this process: one core fewer than the
 * machine has (one at least, three at most), so that the event loop keeps a core to itself, and
 * one of libuv's four threads stays free for the file and DNS work that shares the pool. Further
 * sign-ins wait their turn; each holds its 64 MiB only while it is hashed. One count for the
 * process, not per node, since the cores and the pool are the process's.
 */
export const HASHES_AT_ONCE = Math.max(1, Math.min(3, availableParallelism() - 1));

let hashing = 0;
const waiting: Array<() => void> = [];

async function inTurn<T>(work: () => Promise<T>): Promise<T> {
  if (hashing < HASHES_AT_ONCE) hashing += 1;
  else await new Promise<void>((go) => waiting.push(go));
  try {
    return await work();
  } finally {
    // A finished hash hands its place to the next waiting, or gives it up.
    const next = waiting.shift();
    if (next) next();
    else hashing -= 1;
  }
}

export async function hashPassword(password: string): Promise<string> {
  const { hash } = await loadArgon2();
  return inTurn(() => hash(password, PASSWORD_HASH_OPTIONS));
}

/** Whether the password is the one hashed; false also for a stored hash that is not an argon2 PHC string. */
export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  const { verify } = await loadArgon2();
  return inTurn(async () => {
    try {
      // The parameters and the salt are read from the stored string.
      return await verify(stored, password);
    } catch {
      return false;
    }
  });
}

/** A random password for a new account, printed once: 20 characters from a readable alphabet. */
export async function generatePassword(): Promise<string> {
  const sodium = await loadSodium();
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  let out = '';
  while (out.length < 20) {
    const byte = sodium.randombytes_uniform(alphabet.length);
    out += alphabet[byte];
  }
  return out.replace(/(.{5})(?=.)/g, '$1-');
}
