// vitest's global set-up: the build (`npm run build`, incremental) once before any test, so that
// the node and CLI processes the tests start (bin/referral-node.js runs dist/ only) and the spec's
// compiled validators and taxonomy (spec/compiled/) are those of the code under test.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const built = spawnSync(process.execPath, ['scripts/build.js'], { cwd: root, encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`The build failed, so no test can run the current code:\n${built.stdout}${built.stderr}`);
}
