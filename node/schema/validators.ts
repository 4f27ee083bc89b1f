// Validators for the OpenAPI documents in spec/: the spec is the single source of truth for what
// the node accepts. The running node uses the validators the build compiled from it
// (spec/compiled/validators.cjs, ajv's standalone code: standalone.ts), loaded on the first
// validation: it neither parses YAML nor compiles a schema. Anything the build did not compile (a
// response schema a test checks, the build itself) is compiled from the documents on first use,
// with ajv and yaml loaded only then.
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ajv2020, ErrorObject, Options, ValidateFunction } from 'ajv/dist/2020.js';

export type SpecName = 'federation' | 'local';

const require = createRequire(import.meta.url);

let root: string | undefined;

/** The folder holding package.json, found from this file whether run from source or dist/. */
export function projectRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('Cannot find the project folder (package.json).');
    dir = parent;
  }
  return (root = dir);
}

export function specPath(name: SpecName): string {
  return join(projectRoot(), 'spec', `${name}.yaml`);
}

/** Where the build writes the compiled validators (git-ignored; `npm run build` makes them). */
export const COMPILED_VALIDATORS = join('spec', 'compiled', 'validators.cjs');

const SPEC_BASE = 'https://spec.referral-network.invalid/';

/** The name a compiled validator has: the reference to its schema, or the operation for a query string. */
export const schemaKey = (spec: SpecName, pointer: string): string => `${SPEC_BASE}${spec}.yaml#${pointer}`;
export const queryKey = (spec: SpecName, path: string, method: string): string => `query:${spec}:${method}:${path}`;

let compiled: Record<string, ValidateFunction | undefined> | undefined;

function compiledValidators(): Record<string, ValidateFunction | undefined> {
  if (!compiled) {
    const file = join(projectRoot(), COMPILED_VALIDATORS);
    if (!existsSync(file)) throw new Error(`${COMPILED_VALIDATORS} is missing: run \`npm run build\`.`);
    compiled = require(file) as Record<string, ValidateFunction | undefined>;
  }
  return compiled;
}

const documents = new Map<SpecName, Record<string, unknown>>();

/** The parsed OpenAPI document (tests and the build read it; the running node does not). */
export function loadSpec(name: SpecName): Record<string, unknown> {
  let doc = documents.get(name);
  if (!doc) {
    // Loaded here, not imported: only what the build did not compile needs a parser.
    const { parse } = require('yaml') as typeof import('yaml');
    doc = parse(readFileSync(specPath(name), 'utf8')) as Record<string, unknown>;
    documents.set(name, doc);
  }
  return doc;
}

/** An ajv holding both documents under stable ids, so local.yaml's references into federation.yaml resolve. */
export function specAjv(options: Options = {}): Ajv2020 {
  const { Ajv2020 } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  // strict: false because OpenAPI documents carry keywords that are not JSON Schema.
  const ajv = new Ajv2020({ strict: false, allErrors: true, ...options });
  // ajv-formats is CommonJS; its export is the plugin function.
  const addFormats = require('ajv-formats') as (a: Ajv2020) => void;
  addFormats(ajv);
  for (const name of ['federation', 'local'] as const) {
    const { components, paths } = loadSpec(name);
    ajv.addSchema({ $id: `${SPEC_BASE}${name}.yaml`, components, paths }, undefined, undefined, false);
  }
  return ajv;
}

let ajv: Ajv2020 | undefined;
const compiler = (): Ajv2020 => (ajv ??= specAjv());

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function absoluteRefs(value: Json, spec: SpecName): Json {
  if (Array.isArray(value)) return value.map((v) => absoluteRefs(v, spec));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        k === '$ref' && typeof v === 'string' && v.startsWith('#') ? `${SPEC_BASE}${spec}.yaml${v}` : absoluteRefs(v, spec),
      ]),
    );
  }
  return value;
}

type Operations = Record<string, Record<string, { parameters?: Array<{ name: string; in: string; required?: boolean; schema: Json }> }>>;

/** The operations of a spec that take query parameters, as [path, method]. */
export function queryOperations(spec: SpecName): Array<[string, string]> {
  const paths = loadSpec(spec).paths as Operations;
  return Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods)
      .filter(([, op]) => (op.parameters ?? []).some((p) => p.in === 'query'))
      .map(([method]): [string, string] => [path, method]),
  );
}

/** The schema of an operation's query string: the parameters it declares, nothing else. */
export function querySchema(spec: SpecName, path: string, method: string): Record<string, Json> {
  const paths = loadSpec(spec).paths as Operations;
  const parameters = (paths[path]?.[method]?.parameters ?? []).filter((p) => p.in === 'query');
  return {
    type: 'object',
    properties: Object.fromEntries(parameters.map((p) => [p.name, absoluteRefs(p.schema, spec)])),
    required: parameters.filter((p) => p.required).map((p) => p.name),
    additionalProperties: false,
  };
}

const cache = new Map<string, ValidateFunction>();

/** A validator for a JSON pointer into one of the specs, e.g. ('local', 'CreateReferralRequest'). */
export function validatorFor(spec: SpecName, schemaName: string): ValidateFunction {
  return validatorAt(spec, `/components/schemas/${schemaName}`);
}

export function validatorAt(spec: SpecName, pointer: string): ValidateFunction {
  const key = schemaKey(spec, pointer);
  let validate = cache.get(key);
  if (!validate) {
    validate = (pointer.startsWith('/components/schemas/') ? compiledValidators()[key] : undefined) ?? compiler().compile({ $ref: key });
    cache.set(key, validate);
  }
  return validate;
}

/**
 * A validator for an operation's query string, built from the parameters the spec declares:
 * unknown parameters are refused, integers must be integers.
 */
export function queryValidatorFor(spec: SpecName, path: string, method: string): ValidateFunction {
  const key = queryKey(spec, path, method);
  let validate = cache.get(key);
  if (!validate) {
    validate = compiledValidators()[key] ?? compiler().compile(querySchema(spec, path, method));
    cache.set(key, validate);
  }
  return validate;
}

/** Where and why a value failed its schema, without echoing the value (it may be personal data). */
export function describeErrors(errors: ErrorObject[] | null | undefined): Array<{ path: string; message: string }> {
  return (errors ?? []).slice(0, 20).map((e) => ({ path: e.instancePath || '/', message: e.message ?? 'is invalid' }));
}
