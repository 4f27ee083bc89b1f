// Validators compiled from the OpenAPI documents in spec/: the spec is the single source of
// truth for what the node accepts. Both documents are registered with ajv under stable ids so
// local.yaml's references into federation.yaml resolve.
import { Ajv2020, type ValidateFunction, type ErrorObject } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export type SpecName = 'federation' | 'local';

const SPEC_BASE = 'https://spec.referral-network.invalid/';

/** The folder holding package.json, found from this file whether run from source or dist/. */
export function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('Cannot find the project folder (package.json).');
    dir = parent;
  }
  return dir;
}

export function specPath(name: SpecName): string {
  return join(projectRoot(), 'spec', `${name}.yaml`);
}

const documents = new Map<SpecName, Record<string, unknown>>();

export function loadSpec(name: SpecName): Record<string, unknown> {
  let doc = documents.get(name);
  if (!doc) {
    doc = parse(readFileSync(specPath(name), 'utf8')) as Record<string, unknown>;
    documents.set(name, doc);
  }
  return doc;
}

let ajv: Ajv2020 | undefined;

function compiler(): Ajv2020 {
  if (!ajv) {
    // strict: false because OpenAPI documents carry keywords that are not JSON Schema.
    ajv = new Ajv2020({ strict: false, allErrors: true });
    // ajv-formats is CommonJS; its default export is the plugin function.
    const addFormats = addFormatsModule as unknown as (a: Ajv2020) => void;
    addFormats(ajv);
    for (const name of ['federation', 'local'] as const) {
      const { components, paths } = loadSpec(name);
      ajv.addSchema({ $id: `${SPEC_BASE}${name}.yaml`, components, paths }, undefined, undefined, false);
    }
  }
  return ajv;
}

const cache = new Map<string, ValidateFunction>();

/** A validator for a JSON pointer into one of the specs, e.g. ('local', 'CreateReferralRequest'). */
export function validatorFor(spec: SpecName, schemaName: string): ValidateFunction {
  return validatorAt(spec, `/components/schemas/${schemaName}`);
}

export function validatorAt(spec: SpecName, pointer: string): ValidateFunction {
  const ref = `${SPEC_BASE}${spec}.yaml#${pointer}`;
  let validate = cache.get(ref);
  if (!validate) {
    validate = compiler().compile({ $ref: ref });
    cache.set(ref, validate);
  }
  return validate;
}

/** Where and why a value failed its schema, without echoing the value (it may be personal data). */
export function describeErrors(errors: ErrorObject[] | null | undefined): Array<{ path: string; message: string }> {
  return (errors ?? []).slice(0, 20).map((e) => ({ path: e.instancePath || '/', message: e.message ?? 'is invalid' }));
}

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

/**
 * A validator for an operation's query string, built from the parameters the spec declares:
 * unknown parameters are refused, integers must be integers.
 */
export function queryValidatorFor(spec: SpecName, path: string, method: string): ValidateFunction {
  const key = `query:${spec}:${method}:${path}`;
  let validate = cache.get(key);
  if (!validate) {
    const paths = loadSpec(spec).paths as Record<string, Record<string, { parameters?: Array<{ name: string; in: string; required?: boolean; schema: Json }> }>>;
    const parameters = (paths[path]?.[method]?.parameters ?? []).filter((p) => p.in === 'query');
    validate = compiler().compile({
      type: 'object',
      properties: Object.fromEntries(parameters.map((p) => [p.name, absoluteRefs(p.schema, spec)])),
      required: parameters.filter((p) => p.required).map((p) => p.name),
      additionalProperties: false,
    });
    cache.set(key, validate);
  }
  return validate;
}
