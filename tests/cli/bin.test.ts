// bin/referral-node.js runs the bundled program in dist/bundle/ and nothing else: a missing build or
// one older than the sources (or than the build's own scripts) is refused in one sentence saying
// what to run, never run as it is. Each
// case runs a copy of bin/ in a project folder of its own, so the real dist/ is not touched.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { markBuilt } from '../../bin/build-state.js';
import { repoRoot } from '../_util/processes.js';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A project folder with bin/ copied in, the given files written (path: text), and their times set. */
function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'refnet-bin-'));
  folders.push(root);
  mkdirSync(join(root, 'bin'));
  for (const name of ['referral-node.js', 'build-state.js']) copyFileSync(join(repoRoot, 'bin', name), join(root, 'bin', name));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const RAN = 'dist/bundle/referral-node.js ran';
const compiledProgram = { 'dist/bundle/referral-node.js': `console.log(${JSON.stringify(RAN)});\n` };

function run(root: string) {
  const result = spawnSync(process.execPath, [join(root, 'bin', 'referral-node.js'), '--help'], { cwd: root, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Sets a file's modification time to `ms` (since the epoch). */
const touch = (file: string, ms: number) => utimesSync(file, new Date(ms), new Date(ms));

describe('bin/referral-node.js', () => {
  it('runs dist/ when it was built after every source changed', () => {
    const root = project({ ...compiledProgram, 'node/node.ts': 'export {};\n', 'spec/federation.yaml': 'openapi: 3.1.0\n' });
    const now = Date.now();
    touch(join(root, 'node/node.ts'), now - 60_000);
    touch(join(root, 'spec/federation.yaml'), now - 60_000);
    markBuilt(root, now - 1_000);
    expect(run(root)).toEqual({ code: 0, stdout: `${RAN}\n`, stderr: '' });
  });

  it('refuses when there is no build, in one sentence saying what to run', () => {
    const root = project({ 'node/node.ts': 'export {};\n' });
    const { code, stdout, stderr } = run(root);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe('referral-node: there is no build in dist/: run `npm run build` (or `npm install`) first.\n');
  });

  it('refuses a stamped build without the bundled program (one made before the build bundled)', () => {
    const root = project({ 'dist/server/main.js': `console.log(${JSON.stringify(RAN)});\n` });
    markBuilt(root, Date.now());
    expect(run(root)).toEqual({ code: 1, stdout: '', stderr: 'referral-node: there is no build in dist/: run `npm run build` (or `npm install`) first.\n' });
  });

  it('takes a changed build script for a changed source: the build makes something else now', () => {
    const root = project({ ...compiledProgram, 'node/node.ts': 'export {};\n', 'scripts/bundle.js': 'export {};\n' });
    touch(join(root, 'node/node.ts'), Date.now() - 60_000);
    markBuilt(root, Date.now() - 30_000);
    touch(join(root, 'scripts/bundle.js'), Date.now());
    expect(run(root).stderr).toBe(`referral-node: dist/ is older than the sources (${join('scripts', 'bundle.js')} changed since the last build): run \`npm run build\`.\n`);
  });

  it('refuses a build older than a source, naming the source, and runs nothing of it', () => {
    const root = project({ ...compiledProgram, 'node/node.ts': 'export {};\n', 'admin-ui/pages/login.tsx': 'export {};\n' });
    const now = Date.now();
    touch(join(root, 'node/node.ts'), now - 60_000);
    markBuilt(root, now - 30_000);
    touch(join(root, 'admin-ui/pages/login.tsx'), now);
    const { code, stdout, stderr } = run(root);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`referral-node: dist/ is older than the sources (${join('admin-ui', 'pages', 'login.tsx')} changed since the last build): run \`npm run build\`.\n`);
  });

  it('takes a changed spec for a changed source: the validators are compiled from it', () => {
    const root = project({ ...compiledProgram, 'spec/local.yaml': 'openapi: 3.1.0\n' });
    markBuilt(root, Date.now() - 30_000);
    touch(join(root, 'spec/local.yaml'), Date.now());
    expect(run(root).stderr).toMatch(/spec.local\.yaml changed since the last build/);
  });

  it('does not take tests, or what the build made, for sources', () => {
    const root = project({ ...compiledProgram, 'node/cli/run.ts': 'export {};\n', 'node/cli/run.test.ts': 'export {};\n', 'spec/compiled/taxonomy.json': '{}\n' });
    touch(join(root, 'node/cli/run.ts'), Date.now() - 60_000);
    markBuilt(root, Date.now() - 30_000);
    expect(run(root).code).toBe(0);
  });

  it('runs dist/ alone where there are no sources (the container image)', () => {
    const root = project(compiledProgram);
    markBuilt(root, Date.now());
    expect(run(root)).toMatchObject({ code: 0, stdout: `${RAN}\n` });
  });

  it('is told by the build when it started, so a source changed while it ran makes it stale', () => {
    const root = project({});
    mkdirSync(join(root, 'dist'));
    const started = Date.now() - 5_000;
    markBuilt(root, started);
    expect(Math.round(statSync(join(root, 'dist', '.build-stamp')).mtimeMs)).toBe(started);
  });
});
