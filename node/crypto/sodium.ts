// One libsodium instance for the process. The sumo build is used because it carries argon2id
// (password hashing) next to the AEAD and sealed boxes; it is a superset of the small build.
//
// libsodium compiled to WebAssembly draws its randomness from JavaScript four bytes at a time:
// the wrapper's source calls crypto.getRandomValues for each 32-bit word, so a 32-byte key costs
// eight calls into the operating system's generator, and one sealed message (a content key, a
// nonce, two sealed boxes with an ephemeral key pair each, the data keys and nonces at rest) some
// sixty. Those calls were a tenth of the node's busy time. The source is replaced by one that takes
// the same generator's output a page at a time and hands it out word by word, zeroing each word
// as it goes, so what becomes a key does not stay behind in the page. The randomness is the
// operating system's, as before; libsodium's own code (its generators, keys, nonces) is unchanged.
import { randomFillSync } from 'node:crypto';
import sodiumModule from 'libsodium-wrappers-sumo';

export type Sodium = typeof sodiumModule;

/** How many 32-bit words of the operating system's randomness are drawn at once. */
export const RANDOM_POOL_WORDS = 1_024;

/**
 * A source of random 32-bit words for libsodium: `fill` (the operating system's generator) fills a
 * page at a time; each word is zeroed once handed out.
 */
export function pooledRandomSource(fill: (words: Uint32Array) => void = (words) => randomFillSync(words), size = RANDOM_POOL_WORDS): () => number {
  const pool = new Uint32Array(size);
  let next = size;
  return () => {
    if (next === size) {
      fill(pool);
      next = 0;
    }
    const word = pool[next]!;
    pool[next] = 0;
    next += 1;
    return word >>> 0;
  };
}

/** The part of libsodium's module the WebAssembly code calls for randomness. */
interface RandomHook {
  getRandomValue: () => number;
}

let ready: Promise<Sodium> | undefined;

export function loadSodium(): Promise<Sodium> {
  ready ??= sodiumModule.ready.then(() => {
    // The wrappers expose the emscripten module as `libsodium`; its getRandomValue is what
    // randombytes_buf and every key generation call, looked up at each call.
    const module = (sodiumModule as unknown as { libsodium?: RandomHook }).libsodium;
    if (typeof module?.getRandomValue !== 'function') {
      throw new Error('libsodium-wrappers-sumo no longer exposes its random source (libsodium.getRandomValue): check the pooled source against this version.');
    }
    module.getRandomValue = pooledRandomSource();
    return sodiumModule;
  });
  return ready;
}

/** The random source libsodium calls now (tests check it is the pooled one). */
export async function sodiumRandomSource(): Promise<() => number> {
  await loadSodium();
  return (sodiumModule as unknown as { libsodium: RandomHook }).libsodium.getRandomValue;
}
