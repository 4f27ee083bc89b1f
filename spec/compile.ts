// What the running node needs of spec/, made at build time (scripts/build.js runs it from dist/):
// the validators compiled to ajv's standalone code, and the taxonomy checked and written as JSON.
// Both go to spec/compiled/ (git-ignored), so the node parses no YAML and compiles no schema;
// tests/spec/spec.test.ts fails when what is there differs from what the documents give now.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { COMPILED_TAXONOMY_PATH, TAXONOMY_PATH, taxonomyProblems } from '../node/directory/taxonomy.js';
import { compileValidatorsSource } from '../node/schema/standalone.js';
import { COMPILED_VALIDATORS, projectRoot, schemaKey, specAjv } from '../node/schema/validators.js';

/** spec/taxonomy.yaml as the JSON the node reads; throws, saying what is wrong, when it is not a valid taxonomy. */
export function compileTaxonomySource(): string {
  const data = parse(readFileSync(join(projectRoot(), TAXONOMY_PATH), 'utf8')) as unknown;
  // Checked with a validator compiled from the spec as it is now, not with the build's previous one.
  const check = specAjv().compile({ $ref: schemaKey('local', '/components/schemas/Taxonomy') });
  const problems = taxonomyProblems(data, check);
  if (problems.length > 0) throw new Error(`${TAXONOMY_PATH} is not a valid taxonomy: ${problems.join(' ')}`);
  return `${JSON.stringify(data)}\n`;
}

/** Every file of spec/compiled/, by its path from the project folder, with the text it should hold. */
export function compiledSpecFiles(): Array<{ path: string; text: string }> {
  return [
    { path: COMPILED_VALIDATORS, text: compileValidatorsSource() },
    { path: COMPILED_TAXONOMY_PATH, text: compileTaxonomySource() },
  ];
}

/** The files of spec/compiled/, from the project folder. */
export const compiledSpecPaths = (): string[] => [COMPILED_VALIDATORS, COMPILED_TAXONOMY_PATH];

/** Writes spec/compiled/ (a file only when it changes); returns the paths written. */
export function writeCompiledSpec(): string[] {
  const written: string[] = [];
  for (const { path, text } of compiledSpecFiles()) {
    const file = join(projectRoot(), path);
    let previous: string | undefined;
    try {
      previous = readFileSync(file, 'utf8');
    } catch {
      // First build.
    }
    if (previous === text) continue;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    written.push(path);
  }
  return written;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const path of writeCompiledSpec()) console.log(`wrote ${path}`);
}
