// The shared taxonomy as data (spec/taxonomy.yaml): every code of TaxonomyCode has a category,
// every category a label in each of the six languages; served to users and printed by the CLI.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { TAXONOMY_PATH, taxonomy, taxonomyProblems } from '../../node/directory/taxonomy.js';
import { loadSpec, projectRoot } from '../../node/schema/validators.js';
import { cli, cliResult } from '../_util/cli.js';
import { expectMatchesSpec } from '../_util/spec-check.js';
import { createTestNetwork, type Json, type TestNetwork, type TestNode } from '../_util/test-node.js';

const LANGUAGES = ['en', 'de', 'el', 'it', 'ro', 'bg'];
const raw = () => parse(readFileSync(join(projectRoot(), TAXONOMY_PATH), 'utf8')) as Json;
const specCodes = () => ((loadSpec('federation').components as Json).schemas.TaxonomyCode.enum as string[]).slice().sort();

describe('the taxonomy file', () => {
  it('has one category for every TaxonomyCode, and no other', () => {
    expect(taxonomy().categories.map((c) => c.code).sort()).toEqual(specCodes());
  });

  it('has a label in every language of the network for every category', () => {
    expect(taxonomy().languages).toEqual(LANGUAGES);
    for (const category of taxonomy().categories) {
      for (const lang of LANGUAGES) expect((category.labels as Record<string, string>)[lang]?.trim(), `${category.code} in ${lang}`).toBeTruthy();
    }
    expect(taxonomyProblems(raw())).toEqual([]);
  });

  it('is refused with a missing label, a missing or doubled code, or a parent that is no category', () => {
    const missingLabel = raw();
    delete missingLabel.categories[3].labels.bg;
    expect(taxonomyProblems(missingLabel).join(' ')).toMatch(/labels.*bg/);
    const emptyLabel = raw();
    emptyLabel.categories[0].labels.el = '';
    expect(taxonomyProblems(emptyLabel)).not.toEqual([]);
    const missingCode = raw();
    missingCode.categories = missingCode.categories.filter((c: Json) => c.code !== 'childcare');
    expect(taxonomyProblems(missingCode)).toEqual(['childcare (in TaxonomyCode) has no category.']);
    const doubled = raw();
    doubled.categories.push(doubled.categories[0]);
    expect(taxonomyProblems(doubled)).toEqual(['employment is listed twice.']);
    const deep = raw();
    deep.categories.find((c: Json) => c.code === 'legal-aid').parent = 'employment';
    expect(taxonomyProblems(deep)).toContain("legal-aid-asylum's parent legal-aid has a parent itself; the taxonomy has two levels.");
  });
});

describe('the taxonomy served and printed', () => {
  let net: TestNetwork;
  let node: TestNode;
  beforeAll(async () => {
    net = await createTestNetwork(1);
    node = net.nodes[0]!;
  });
  afterAll(() => net.close());

  it('is served to a signed-in user, as in the spec', async () => {
    const response = await node.request('/api/v1/taxonomy', { headers: { authorization: `Bearer ${node.token}` } });
    expect(await expectMatchesSpec('local', 'GET', '/api/v1/taxonomy', response)).toEqual(taxonomy());
    expect((await node.request('/api/v1/taxonomy')).status).toBe(401);
  });

  it('is printed by the CLI in the language asked, and refuses another', async () => {
    const out = await cli('taxonomy', '--lang', 'ro');
    expect(out).toMatch(/vocational-training +Formare profesională și ucenicie/);
    expect(out).toMatch(/^ {2}legal-aid-asylum +Asistență juridică: azil$/m);
    expect((await cliResult('taxonomy', '--lang', 'fr')).error?.message).toBe('--lang takes one of en, de, el, it, ro, bg.');
    expect(JSON.parse(await cli('taxonomy', '--json'))).toEqual(taxonomy());
  });
});
