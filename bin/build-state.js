// Whether dist/ holds a build of the sources as they are: `npm run build` (scripts/build.js, run
// by `npm install` too) stamps the build with the moment it started, and bin/referral-node.js
// refuses to run a build older than a source file, or than the build's own scripts (a change to
// them, a `git pull` of a new way to build, changes what the build makes). An installation without
// sources (the container image) has only dist/, which is then current by definition.
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';

/** Written by the build; its modification time is when the build started. */
export const BUILD_STAMP = join('dist', '.build-stamp');
/** What the build compiles, from the project folder: these folders' TypeScript and YAML, tests left out. */
export const SOURCE_FOLDERS = ['node', 'admin-ui', 'server', 'spec'];
const SOURCE = /\.(ts|tsx|yaml)$/;
const NOT_SOURCE = /\.test\.tsx?$/;
/** The build's own scripts, from the project folder: what they make changes with them. */
export const BUILD_SCRIPTS = [join('scripts', 'build.js'), join('scripts', 'bundle.js')];
/** The program bin/referral-node.js runs, bundled by the build (scripts/bundle.js). */
export const PROGRAM = join('dist', 'bundle', 'referral-node.js');
/** Made by the build inside a source folder. */
const BUILT_FOLDERS = new Set([join('spec', 'compiled')]);

/**
 * The newest source file under `root`, with its modification time in ms. Run at every start of the
 * command, so paths are put together by hand: path.join, normalising each, took half its time.
 */
export function newestSource(root) {
  let newest = { path: undefined, mtimeMs: 0 };
  const base = root.endsWith(sep) ? root : root + sep;
  const visit = (relative) => {
    let entries;
    try {
      entries = readdirSync(base + relative, { withFileTypes: true });
    } catch {
      return; // A folder an installation does not have.
    }
    for (const entry of entries) {
      const path = relative + sep + entry.name;
      if (entry.isDirectory()) {
        if (!BUILT_FOLDERS.has(path)) visit(path);
      } else if (SOURCE.test(entry.name) && !NOT_SOURCE.test(entry.name)) {
        const { mtimeMs } = statSync(base + path);
        if (mtimeMs > newest.mtimeMs) newest = { path, mtimeMs };
      }
    }
  };
  for (const folder of SOURCE_FOLDERS) visit(folder);
  for (const path of BUILD_SCRIPTS) {
    if (!existsSync(join(root, path))) continue;
    const { mtimeMs } = statSync(join(root, path));
    if (mtimeMs > newest.mtimeMs) newest = { path, mtimeMs };
  }
  return newest;
}

/** Why dist/ under `root` cannot be run, as one sentence, or undefined when it is current. */
export function buildProblem(root) {
  const stamp = join(root, BUILD_STAMP);
  if (!existsSync(stamp) || !existsSync(join(root, PROGRAM))) return 'there is no build in dist/: run `npm run build` (or `npm install`) first.';
  const built = statSync(stamp).mtimeMs;
  const newest = newestSource(root);
  if (newest.mtimeMs > built) return `dist/ is older than the sources (${newest.path} changed since the last build): run \`npm run build\`.`;
  return undefined;
}

/** Stamps a finished build as one of the sources as they were at `startedMs`. */
export function markBuilt(root, startedMs) {
  const stamp = join(root, BUILD_STAMP);
  writeFileSync(stamp, `${new Date(startedMs).toISOString()}\n`);
  const started = new Date(startedMs);
  utimesSync(stamp, started, started);
}
