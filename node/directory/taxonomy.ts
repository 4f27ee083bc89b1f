// The shared service taxonomy (spec/taxonomy.yaml): checked at build time against the spec's
// schema and against federation.yaml's TaxonomyCode, so that a code without labels, a label
// missing in one of the six languages, or a parent that is not a category never reaches a user;
// the build writes what passed as JSON (spec/compiled/taxonomy.json), which the node reads once.
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { components } from '../../spec/generated/local.js';
import { describeErrors, loadSpec, projectRoot, validatorFor } from '../schema/validators.js';

export type Taxonomy = components['schemas']['Taxonomy'];
export type TaxonomyCategory = components['schemas']['TaxonomyCategory'];
export type LabelLanguage = components['schemas']['LabelLanguage'];

export const TAXONOMY_PATH = join('spec', 'taxonomy.yaml');
/** The taxonomy as the build checked it (git-ignored; `npm run build` writes it). */
export const COMPILED_TAXONOMY_PATH = join('spec', 'compiled', 'taxonomy.json');

/** What is wrong with a taxonomy, as sentences; empty when nothing is. `check` is its schema's validator. */
export function taxonomyProblems(data: unknown, check: ValidateFunction = validatorFor('local', 'Taxonomy')): string[] {
  if (!check(data)) return describeErrors(check.errors).map((e) => `${e.path || 'the taxonomy'} ${e.message}`);
  const taxonomy = data as Taxonomy;
  const problems: string[] = [];
  const codes: string[] = taxonomy.categories.map((c) => c.code);
  const specCodes = specTaxonomyCodes();
  for (const code of specCodes) if (!codes.includes(code)) problems.push(`${code} (in TaxonomyCode) has no category.`);
  for (const [i, code] of codes.entries()) if (codes.indexOf(code) !== i) problems.push(`${code} is listed twice.`);
  for (const category of taxonomy.categories) {
    if (!category.parent) continue;
    const parent = taxonomy.categories.find((c) => c.code === category.parent);
    if (!parent) problems.push(`${category.code} names a parent, ${category.parent}, that is not a category.`);
    else if (parent.parent) problems.push(`${category.code}'s parent ${parent.code} has a parent itself; the taxonomy has two levels.`);
  }
  const expected: LabelLanguage[] = ['en', 'de', 'el', 'it', 'ro', 'bg'];
  if (taxonomy.languages.join() !== expected.join()) problems.push(`languages must be ${expected.join(', ')}.`);
  return problems;
}

function specTaxonomyCodes(): string[] {
  const schemas = (loadSpec('federation').components as { schemas: Record<string, { enum?: string[] }> }).schemas;
  return schemas.TaxonomyCode?.enum ?? [];
}

let loaded: Taxonomy | undefined;

/** The taxonomy, read on first use from what the build checked (a broken file fails the build). */
export function taxonomy(): Taxonomy {
  if (!loaded) {
    const file = join(projectRoot(), COMPILED_TAXONOMY_PATH);
    if (!existsSync(file)) throw new Error(`${COMPILED_TAXONOMY_PATH} is missing: run \`npm run build\`.`);
    loaded = JSON.parse(readFileSync(file, 'utf8')) as Taxonomy;
  }
  return loaded;
}
