// Whether a password a person chose is too easy to guess: zxcvbn's estimate (@zxcvbn-ts), with the
// common and breached passwords, English words and names, keyboard patterns and the person's own
// names as its dictionaries. Offline: the lists ship with the packages, nothing is asked of any
// server. The dictionaries (a few MB of lists, about a second to load) are loaded at the first
// password checked, never at start (tests/node/startup.test.ts), and kept for the process.
import type { ZxcvbnFactory } from '@zxcvbn-ts/core';

/**
 * zxcvbn's scores run from 0 to 4; 3 is "safely unguessable" (about 10^8 guesses and more): a
 * password scored below is refused. Generated passwords score 4.
 */
export const MIN_PASSWORD_SCORE = 3;
/**
 * The characters of a password that are looked at. zxcvbn's matching grows quickly with the
 * length (a 200-character password takes seconds of the event loop); a password whose first 64
 * characters are guessable is refused, one whose first 64 are not is long enough.
 */
const CHECKED_LENGTH = 64;

let checker: Promise<ZxcvbnFactory> | undefined;

/**
 * A package's exports, loaded as an ES module or as CommonJS: the bundle (scripts/bundle.js) takes
 * these packages' CommonJS builds (their `main`), whose exports are then the default export only.
 */
const exportsOf = <T extends object>(module: T): T => {
  const fallback = (module as { default?: unknown }).default;
  return fallback !== null && typeof fallback === 'object' ? (fallback as T) : module;
};

async function loadChecker(): Promise<ZxcvbnFactory> {
  const [core, common, english] = await Promise.all([
    import('@zxcvbn-ts/core').then(exportsOf),
    import('@zxcvbn-ts/language-common').then(exportsOf),
    import('@zxcvbn-ts/language-en').then(exportsOf),
  ]);
  // No Levenshtein matching: it makes each check last about a second on the event loop, for little more found.
  return new core.ZxcvbnFactory({ graphs: common.adjacencyGraphs, dictionary: { ...common.dictionary, ...english.dictionary }, maxLength: CHECKED_LENGTH });
}

/**
 * Whether `password` is too easy to guess; `userInputs` are what someone who knows the person would
 * try first (the user name and its parts).
 */
export async function isGuessablePassword(password: string, userInputs: readonly string[]): Promise<boolean> {
  const zxcvbn = await (checker ??= loadChecker());
  const inputs = [...new Set(userInputs.flatMap((input) => [input, ...input.split(/[^\p{L}\p{N}]+/u)]).filter((input) => input.length >= 3))];
  return zxcvbn.check(password, inputs).score < MIN_PASSWORD_SCORE;
}
