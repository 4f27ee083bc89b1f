// The validators the running node uses, compiled at build time into one CommonJS module of ajv's
// standalone code (spec/compiled/validators.cjs): every schema under components/schemas of both
// documents, and the query string of every operation that takes one. Only the build and the test
// that finds them stale load this module.
// CommonJS: the function is its default export's `default`, as its types say.
import standaloneCode from 'ajv/dist/standalone/index.js';
import { loadSpec, queryKey, queryOperations, querySchema, schemaKey, specAjv, type SpecName } from './validators.js';

const SPECS: SpecName[] = ['federation', 'local'];

/** The source of spec/compiled/validators.cjs for the documents as they are now. */
export function compileValidatorsSource(): string {
  // Referenced schemas are compiled once each and called, not copied into every validator using
  // them: the module is a third of the size.
  const ajv = specAjv({ code: { source: true }, inlineRefs: false });
  const exported: Record<string, string> = {};
  for (const spec of SPECS) {
    const { schemas } = loadSpec(spec).components as { schemas: Record<string, unknown> };
    for (const name of Object.keys(schemas)) {
      const key = schemaKey(spec, `/components/schemas/${name}`);
      exported[key] = key;
    }
    for (const [path, method] of queryOperations(spec)) {
      const key = queryKey(spec, path, method);
      ajv.addSchema(querySchema(spec, path, method), key);
      exported[key] = key;
    }
  }
  // ajv-formats and ajv's runtime helpers are required by the generated code: both stay dependencies.
  const banner = '// Compiled from spec/federation.yaml and spec/local.yaml by `npm run build`. Do not edit.\n';
  return `${banner}${standaloneCode.default(ajv, exported)}\n`;
}
