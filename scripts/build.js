// `npm run build`, which `npm install` and `npm ci` run too (the `prepare` script): the TypeScript
// type-checked and compiled into dist/ (incrementally; the build's own step below runs from it),
// the spec's validators and taxonomy compiled for run time into spec/compiled/ (again only when
// what they are made from changed), the programs bundled into dist/bundle/ (scripts/bundle.js;
// again only when what they are made from changed), and the build stamped, so that
// bin/referral-node.js can tell it is current. Prints nothing when all goes well; a failure exits
// non-zero and leaves the stamp as it was.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { markBuilt } from '../bin/build-state.js';
import { bundle } from './bundle.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const started = Date.now();

const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

/** spec/compiled/ is made from the documents, by these compiled modules, with ajv. */
const compiledFrom = [
  ...readdirSync(join(root, 'spec')).filter((name) => name.endsWith('.yaml')).map((name) => join(root, 'spec', name)),
  ...['spec/compile.js', 'node/schema/standalone.js', 'node/schema/validators.js', 'node/directory/taxonomy.js'].map((path) => join(root, 'dist', path)),
  require.resolve('ajv/package.json'),
];
const { compiledSpecPaths, writeCompiledSpec } = await import('../dist/spec/compile.js');
const outputs = compiledSpecPaths().map((path) => join(root, path));
const mtime = (file) => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
};
const newestInput = Math.max(...compiledFrom.map((file) => mtime(file) ?? Infinity));
if (!outputs.every((file) => (mtime(file) ?? -Infinity) > newestInput)) {
  writeCompiledSpec();
  // Unchanged files are not rewritten; they are current all the same.
  const now = new Date();
  for (const file of outputs) utimesSync(file, now, now);
}
await bundle(root);
markBuilt(root, started);
