// One libsodium instance for the process. The sumo build is used because it carries argon2id
// (password hashing) next to the AEAD and sealed boxes; it is a superset of the small build.
import sodiumModule from 'libsodium-wrappers-sumo';

export type Sodium = typeof sodiumModule;

let ready: Promise<Sodium> | undefined;

export function loadSodium(): Promise<Sodium> {
  ready ??= sodiumModule.ready.then(() => sodiumModule);
  return ready;
}
