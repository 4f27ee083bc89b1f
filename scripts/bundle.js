// The programs that run as processes, bundled by esbuild into dist/bundle/ from the TypeScript
// sources (which tsc has just checked): `referral-node` (server/main.ts, run by
// bin/referral-node.js) and the demo (node/demo/main.ts, run by `npm run demo`). Node then loads a
// few large files rather than about 500 small ones. Code splitting keeps every `import()` of the
// sources a chunk of its own, loaded on first use as before: the web interface, the PostgreSQL
// client's module, each migration, each CLI command's services. esbuild's metafile,
// dist/bundle/meta.json, says which source modules each output file holds (the start-up test reads
// it); its modification time is when the bundle started, so the next build can tell whether
// anything it was made from changed since, and skip it.
import { build } from 'esbuild';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const BUNDLE_DIR = join('dist', 'bundle');
/** The programs, by output name (dist/bundle/<name>.js): what is started as a process. */
export const ENTRY_POINTS = { 'referral-node': 'server/main.ts', demo: 'node/demo/main.ts' };
export const METAFILE = join(BUNDLE_DIR, 'meta.json');
/**
 * Left to Node to load from node_modules at run time: better-sqlite3 and @node-rs/argon2 are native
 * addons (argon2's loads the build for its platform with `require`); pg is
 * loaded by `require` only on PostgreSQL, and the demo's cluster imports it; the validators the
 * build compiled (spec/compiled/validators.cjs) require ajv's and ajv-formats' run-time helpers
 * from node_modules themselves; yaml and ajv's compiler are loaded only to compile a schema the
 * build did not (tests). Kept out so that a static import of one can never pull it in.
 */
export const EXTERNAL = ['better-sqlite3', '@node-rs/argon2', 'pg', 'ajv', 'ajv-formats', 'yaml'];
/** Besides the metafile's inputs, what a bundle depends on: its settings and the installed packages. */
const SETTINGS = ['scripts/bundle.js', 'package.json', 'tsconfig.json', 'tsconfig.build.json', 'node_modules/.package-lock.json'];

// The CommonJS packages bundled (commander, pino, prom-client) call `require` for Node's own
// modules; an ES module has none, so each output file makes one. esbuild renames a module's own
// `require` binding (node/schema/validators.ts has one) out of its way.
const BANNER = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/**
 * libsodium's WebAssembly comes as a base64 string in its JavaScript, decoded by a loop in
 * JavaScript at every start: 20 to 30 ms of a cold process, against 2 to 4 for Node's own decoder.
 * The loop is replaced by Buffer.from; should a new version of libsodium word it otherwise, the
 * build says so and leaves the file as it is.
 */
const NATIVE_WASM_DECODE = {
  name: 'libsodium-native-base64',
  setup(bundler) {
    bundler.onLoad({ filter: /libsodium-sumo[\\/]dist[\\/]modules-sumo-esm[\\/]libsodium-sumo\.mjs$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const decoded = source.replace(/\(\w+=>\{for\(var [^{}]*?;return \w+\}\)\("(AGFzbQ[A-Za-z0-9+/]*={0,2})"\)/, (_, wasm) => `Buffer.from("${wasm}","base64")`);
      if (decoded === source) {
        return { contents: source, loader: 'js', warnings: [{ text: 'libsodium decodes its WebAssembly differently now: scripts/bundle.js no longer replaces the decoding, which costs 20 to 30 ms at each start' }] };
      }
      return { contents: decoded, loader: 'js' };
    });
  },
};

const mtime = (file) => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
};

/** Whether the bundle under `root` was made after everything it was made from last changed. */
function current(root) {
  const made = mtime(join(root, METAFILE));
  if (made === undefined) return false;
  let metafile;
  try {
    metafile = JSON.parse(readFileSync(join(root, METAFILE), 'utf8'));
  } catch {
    return false;
  }
  const outputs = Object.keys(metafile.outputs ?? {});
  if (outputs.length === 0 || !outputs.every((file) => existsSync(join(root, file)))) return false;
  // The packages' files keep the times of their tarballs: the lock file npm writes says when they changed.
  const sources = Object.keys(metafile.inputs ?? {}).filter((file) => !file.includes('node_modules/'));
  return [...sources, ...SETTINGS].every((file) => (mtime(join(root, file)) ?? Infinity) < made);
}

/** Bundles the programs into dist/bundle/ under `root`, unless the bundle there is current. */
export async function bundle(root) {
  if (current(root)) return;
  const started = new Date();
  const { metafile } = await build({
    absWorkingDir: root,
    entryPoints: ENTRY_POINTS,
    outdir: BUNDLE_DIR,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    tsconfig: 'tsconfig.build.json',
    external: EXTERNAL,
    banner: { js: BANNER },
    plugins: [NATIVE_WASM_DECODE],
    // Without comments and indentation: a third of kysely's code, for one, is its documentation,
    // which Node would read and scan at every start. Names are kept, so a stack trace still says
    // which function; `node --enable-source-maps` maps its positions back to the sources.
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
  });
  // Chunks of an earlier bundle: names carry a hash of their content, so they would pile up.
  const made = new Set(Object.keys(metafile.outputs).map((file) => join(root, file)));
  const chunks = join(root, BUNDLE_DIR, 'chunks');
  for (const name of existsSync(chunks) ? readdirSync(chunks) : []) if (!made.has(join(chunks, name))) rmSync(join(chunks, name));
  writeFileSync(join(root, METAFILE), JSON.stringify(metafile));
  utimesSync(join(root, METAFILE), started, started);
}

