// One way out (issue 17 item 4): every request the node makes to another server goes through
// net/outbound.ts (https only, no redirects, no private addresses, answers and times bounded),
// handed to the code that needs it as `ctx.fetch` or a `fetch` parameter. A call of the global
// fetch elsewhere in the node's code fails here, unless it is one of the few that never reach a
// peer, each with its reason.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/** Calls of the global fetch that never go to a peer. */
const NOT_TO_PEERS: Record<string, string> = {
  'node/cli/audit-commands.ts': 'audit verify --url: the operator\'s own node, often on loopback; no redirect followed (tests/e2e/audit-verify.test.ts)',
  'node/conformance/target.ts': 'conformance --target: the node under test the operator names, often on loopback; no redirect followed (tests/conformance/)',
  'node/demo/processes.ts': 'the demo waits for its own local nodes to answer /healthz',
  'node/demo/referrals.ts': 'the demo creates referrals through its own local nodes\' API',
};

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

const CALL = /(?<![.\w])fetch\s*\(/;
/** A binding named fetch in the file (a parameter, a destructured option, a local): its calls are of what was handed in. */
const BINDING = /[(,{]\s*fetch\s*[:?,)}]|\b(?:const|let)\s+fetch\b/;
/** A fetch imported from a module (undici's, or any other): a way out of its own, not one handed in. */
const IMPORTED = /\bimport\s*(?:type\s+)?\{[^}]*\bfetch\b[^}]*\}\s*from|\bimport\s+fetch\b/;

/** The files that call the global fetch. */
function globalFetchCallers(files: readonly string[], read: (file: string) => string): string[] {
  return files.filter((file) => {
    const text = read(file);
    return (CALL.test(text) && (!BINDING.test(text) || IMPORTED.test(text))) || /globalThis\.fetch\b/.test(text);
  });
}

describe('requests to other servers', () => {
  it('go through net/outbound.ts: no other code calls the global fetch', () => {
    const files = ['node', 'server', 'admin-ui'].flatMap(sources);
    const callers = globalFetchCallers(files, (file) => readFileSync(join(root, file), 'utf8'));
    expect(callers.filter((file) => !(file in NOT_TO_PEERS))).toEqual([]);
    // Each exception is still needed (a stale entry would hide a new caller in that file).
    expect(callers.sort()).toEqual(Object.keys(NOT_TO_PEERS).sort());
  });

  it('would find a call of the global fetch, and not one of a fetch handed in', () => {
    const texts: Record<string, string> = {
      'a.ts': 'export const get = () => fetch(\'https://peer.example.org\');',
      'b.ts': 'export async function get(fetch: Fetch) { return fetch(\'https://peer.example.org\'); }',
      'c.ts': 'export const get = (ctx: Ctx) => ctx.fetch(\'https://peer.example.org\');',
      'd.ts': 'const f = globalThis.fetch; export const get = () => f(\'x\');',
      'e.ts': 'import { fetch } from \'undici\';\nexport const get = () => fetch(\'https://peer.example.org\');',
    };
    expect(globalFetchCallers(Object.keys(texts), (file) => texts[file]!)).toEqual(['a.ts', 'd.ts', 'e.ts']);
  });
});
