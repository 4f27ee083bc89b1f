#!/usr/bin/env node
// The `referral-node` command: runs the program the build bundled into dist/bundle/ (made by `npm
// run build`, which `npm install` runs too), never the TypeScript sources, and refuses, in one
// sentence, a build that is missing or older than the sources rather than run old code.
import { fileURLToPath } from 'node:url';
import { buildProblem } from './build-state.js';

const problem = buildProblem(fileURLToPath(new URL('..', import.meta.url)));
if (problem) {
  process.stderr.write(`referral-node: ${problem}\n`);
  process.exit(1);
}
await import('../dist/bundle/referral-node.js');
