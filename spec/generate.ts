// Regenerates the TypeScript types in spec/generated/ from the OpenAPI documents.
// `npm run gen:spec` writes them; tests/spec/generated-types.test.ts fails when they are stale.
import openapiTS, { astToString } from 'openapi-typescript';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

export const SPECS = ['federation', 'local'] as const;

const here = dirname(fileURLToPath(import.meta.url));

export function generatedPath(name: (typeof SPECS)[number]): string {
  return join(here, 'generated', `${name}.ts`);
}

export async function generateTypes(name: (typeof SPECS)[number]): Promise<string> {
  const ast = await openapiTS(pathToFileURL(join(here, `${name}.yaml`)));
  const banner = `// Generated from spec/${name}.yaml by \`npm run gen:spec\`. Do not edit.\n`;
  return banner + astToString(ast);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const name of SPECS) {
    const text = await generateTypes(name);
    const path = generatedPath(name);
    let previous = '';
    try {
      previous = readFileSync(path, 'utf8');
    } catch {
      // first generation
    }
    if (previous !== text) writeFileSync(path, text);
    console.log(`${previous === text ? 'unchanged' : 'wrote'} ${path}`);
  }
}
