// Hostile requests for every route of the two specs (issue 17 item 8), shared by the property test
// (tests/security/hostile-input.test.ts, in-process) and `npm run fuzz` (bench/fuzz.ts, a real
// process). The routes are read from spec/local.yaml and spec/federation.yaml, so a route added to
// the spec is fuzzed without anyone remembering to. A plan is plain data drawn by fast-check (what
// to send: route, method, path parameters, query, credentials, content type, body); building it
// into a request signs what must be signed (service tokens, envelopes, JWS bodies) with a trusted
// peer's key, so that refusals past the signature checks are reached too.
import { CompactSign } from 'jose';
import fc from 'fast-check';
import { utf8 } from '../../node/crypto/encoding.js';
import type { OkpPublicJwk, SigningKey } from '../../node/identity/keys.js';
import { sealEnvelope, signEnvelopeAttempt } from '../../node/envelope/seal.js';
import { acceptedMessageTypes } from '../../node/envelope/message-types.js';
import { createServiceToken } from '../../node/peers/service-token.js';
import { loadSpec } from '../../node/schema/validators.js';

export type SpecName = 'local' | 'federation';
type Json = Record<string, any>; // any: spec documents are read field by field

export interface SpecRoute {
  spec: SpecName;
  /** The JSON request body's schema, if any (to draw valid bodies from, then spoil one field). */
  bodySchema?: Json;
  method: string;
  /** The path template, e.g. /api/v1/referrals/{id}. */
  path: string;
  operationId: string;
  serviceToken: boolean;
  /** The content types the request body may have (none: no body). */
  bodyTypes: string[];
  /** The top-level properties of a JSON request body, to aim hostile values at. */
  bodyProperties: string[];
  queryParams: string[];
}

function resolve(spec: SpecName, ref: string): { spec: SpecName; schema: Json } {
  const [file, pointer] = ref.split('#') as [string, string];
  const target: SpecName = file === '' ? spec : file.includes('federation') ? 'federation' : 'local';
  let node: Json = loadSpec(target);
  for (const part of pointer.split('/').filter(Boolean)) node = node[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return { spec: target, schema: node };
}

function propertiesOf(spec: SpecName, schema: Json | undefined, depth = 0): string[] {
  if (!schema || depth > 5) return [];
  if (schema.$ref) {
    const resolved = resolve(spec, schema.$ref as string);
    return propertiesOf(resolved.spec, resolved.schema, depth + 1);
  }
  const own = Object.keys((schema.properties as Json | undefined) ?? {});
  const parts = [...((schema.allOf as Json[] | undefined) ?? []), ...((schema.oneOf as Json[] | undefined) ?? []), ...((schema.anyOf as Json[] | undefined) ?? [])];
  return [...new Set([...own, ...parts.flatMap((part) => propertiesOf(spec, part, depth + 1))])];
}

/** Every operation of both specs. */
export function specRoutes(): SpecRoute[] {
  const routes: SpecRoute[] = [];
  for (const spec of ['local', 'federation'] as const) {
    const doc = loadSpec(spec) as Json;
    for (const [path, operations] of Object.entries(doc.paths as Json)) {
      for (const [method, operation] of Object.entries(operations as Json)) {
        if (!(operation as Json).operationId) continue;
        const op = operation as Json;
        const content = (op.requestBody?.content as Json | undefined) ?? {};
        const params = [...((operations as Json).parameters ?? []), ...(op.parameters ?? [])] as Json[];
        routes.push({
          spec,
          method: method.toUpperCase(),
          path,
          operationId: op.operationId as string,
          serviceToken: JSON.stringify(op.security ?? []).includes('serviceToken'),
          bodyTypes: Object.keys(content),
          bodyProperties: propertiesOf(spec, content['application/json']?.schema as Json | undefined),
          ...(content['application/json']?.schema ? { bodySchema: { spec, schema: content['application/json'].schema as Json } } : {}),
          queryParams: params.map((p) => (p.$ref ? resolve(spec, p.$ref as string).schema : p)).filter((p) => p.in === 'query').map((p) => p.name as string),
        });
      }
    }
  }
  return routes;
}

/** The problem types a spec lists (components.schemas.ProblemType). */
export function problemTypes(spec: SpecName): ReadonlySet<string> {
  return new Set((loadSpec(spec) as Json).components.schemas.ProblemType.enum as string[]);
}

/**
 * Values a schema accepts, most of the time: objects with their required properties (and some
 * optional ones), enums, formats and patterns honoured. Enough to get past validation to the
 * handlers, where one spoiled field then tests what validation alone does not.
 */
function schemaArbitrary(spec: SpecName, schema: Json | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 8) return fc.constant(null);
  if (schema.$ref) {
    const resolved = resolve(spec, schema.$ref as string);
    return schemaArbitrary(resolved.spec, resolved.schema, depth + 1);
  }
  if (schema.allOf) return schemaArbitrary(spec, { ...schema, allOf: undefined, ...Object.assign({}, ...(schema.allOf as Json[]).map((part) => (part.$ref ? resolve(spec, part.$ref as string).schema : part))) }, depth + 1);
  const choices = (schema.oneOf ?? schema.anyOf) as Json[] | undefined;
  if (choices) return fc.oneof(...choices.map((choice) => schemaArbitrary(spec, choice, depth + 1)));
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]));
  const type = Array.isArray(schema.type) ? (schema.type as string[]).find((t) => t !== 'null') : (schema.type as string | undefined);
  switch (type ?? (schema.properties ? 'object' : schema.items ? 'array' : 'string')) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Json>;
      const required = new Set((schema.required ?? []) as string[]);
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, property] of Object.entries(properties)) model[name] = schemaArbitrary(spec, property, depth + 1);
      return fc.record(model, { requiredKeys: [...required].filter((k) => k in model) });
    }
    case 'array': {
      const min = (schema.minItems as number | undefined) ?? 0;
      return fc.array(schemaArbitrary(spec, schema.items as Json, depth + 1), { minLength: min, maxLength: Math.max(min, Math.min((schema.maxItems as number | undefined) ?? 3, 3)) })
        .map((items) => (schema.uniqueItems ? [...new Map(items.map((i) => [JSON.stringify(i), i])).values()] : items));
    }
    case 'integer':
      return fc.integer({ min: (schema.minimum as number | undefined) ?? 0, max: (schema.maximum as number | undefined) ?? 1_000 });
    case 'number':
      return fc.double({ min: (schema.minimum as number | undefined) ?? 0, max: (schema.maximum as number | undefined) ?? 1_000, noNaN: true });
    case 'boolean':
      return fc.boolean();
    default: {
      const max = (schema.maxLength as number | undefined) ?? 40;
      switch (schema.format) {
        case 'uuid':
          return fc.uuid();
        case 'date-time':
          return fc.integer({ min: -30, max: 400 }).map((days) => new Date(Date.now() + days * 86_400_000).toISOString());
        case 'date':
          return fc.integer({ min: -30, max: 400 }).map((days) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10));
        case 'uri':
          return fc.constantFrom('https://node.example', 'http://127.0.0.1:9', 'https://unknown.example/path');
        case 'email':
          return fc.constant('someone@example.org');
      }
      if (schema.pattern) {
        try {
          return fc.stringMatching(new RegExp(schema.pattern as string)).filter((text) => text.length <= max);
        } catch {
          return fc.string({ maxLength: max });
        }
      }
      return fc.string({ minLength: (schema.minLength as number | undefined) ?? 0, maxLength: Math.min(max, 60) });
    }
  }
}

/** Every path into a JSON value, down to three levels. */
function pathsOf(value: unknown, prefix: Array<string | number> = [], depth = 0): Array<Array<string | number>> {
  if (depth >= 3 || value === null || typeof value !== 'object') return [];
  const keys: Array<string | number> = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((key) => [[...prefix, key], ...pathsOf((value as Record<string | number, unknown>)[key], [...prefix, key], depth + 1)]);
}

/** `value` with the field at `path` replaced by `replacement`, or removed when it is undefined. */
function spoil(value: unknown, path: Array<string | number>, replacement: unknown): unknown {
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (replacement === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else {
    node[last] = replacement;
  }
  return copy;
}

// --- What to send ---------------------------------------------------------------------------

const NASTY = [
  '', ' ', 'Ana-Popescu-1990', '../../../../etc/passwd', '..%2f..%2f', '%00', '\u0000', '\uFFFE', '\uD800', '\u202Eevil', "'; drop table referrals; --",
  '<script>alert(1)</script>', '${7*7}', '{{7*7}}', '__proto__', 'constructor', 'prototype', 'null', 'undefined', 'NaN', '-1', '0', '1e400', '9007199254740993',
  '0x10', '🙂🙂🙂', 'ro', 'en', 'Ana Popescu', '2026-13-45T25:61:61Z', '2026-02-30', 'http://127.0.0.1:1/', 'file:///etc/passwd', 'javascript:alert(1)',
  'urn:uuid:00000000-0000-0000-0000-000000000000', '00000000-0000-0000-0000-000000000000', 'AAAA.BBBB.CCCC', 'refnet-invite:AAAA.BBBB.CCCC', 'a'.repeat(300),
];

/** Hostile, but short enough for a URL: a long one is refused before routing (431), which the bodies cover. */
export const hostileShortString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 2_000 }).map((n) => 'x'.repeat(n)) },
);

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.uuid() },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 70_000 }).map((n) => 'x'.repeat(n)) },
);

const hostileLeaf: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, 1e308, -0, 2 ** 53 + 1, 0.5) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);

export const hostileJson: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileLeaf,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'id', 'type')), tie('value'), { maxKeys: 5 }),
  ),
})).value;

type Auth = 'valid' | 'none' | 'garbage' | 'wrong-request' | 'stranger' | 'expired';
type Body =
  | { kind: 'none' }
  | { kind: 'json'; value: unknown }
  | { kind: 'fields'; fields: Record<string, unknown> }
  | { kind: 'spoiled'; value: unknown }
  | { kind: 'text'; text: string }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'nested'; depth: number; array: boolean }
  | { kind: 'huge'; size: number }
  | { kind: 'envelope'; type: string; body: unknown; seq: number; realReferral: boolean; tamper: 'none' | 'payload' | 'signature' | 'stranger' }
  | { kind: 'signed'; claims: unknown; typ: string; stranger: boolean };

export interface Plan {
  route: SpecRoute;
  method: string;
  params: Array<{ real: boolean; value: string; raw: boolean }>;
  query: Array<[string, string]>;
  auth: Auth;
  contentType: string | null | 'declared';
  body: Body;
}

const bodyArbitrary = (route: SpecRoute, hugeMax: number): fc.Arbitrary<Body> => {
  const fields = route.bodyProperties.length > 0
    ? fc.dictionary(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...route.bodyProperties) }, { weight: 1, arbitrary: hostileString }), hostileJson, { maxKeys: route.bodyProperties.length + 1 })
    : fc.dictionary(hostileString, hostileJson, { maxKeys: 3 });
  const options: Array<fc.WeightedArbitrary<Body>> = [
    { weight: 2, arbitrary: fc.constant({ kind: 'none' as const }) },
    { weight: 3, arbitrary: hostileJson.map((value) => ({ kind: 'json' as const, value })) },
    { weight: 6, arbitrary: fields.map((f) => ({ kind: 'fields' as const, fields: f })) },
    { weight: 2, arbitrary: fc.oneof(hostileString, fc.constantFrom('{', '{"a":', '[1,2', '{"a":1}}', '\uFEFF{}', 'null', 'true', '1', '""', '{"a":1,"a":2}')).map((text) => ({ kind: 'text' as const, text })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ kind: 'bytes' as const, bytes })) },
    { weight: 1, arbitrary: fc.record({ depth: fc.integer({ min: 50, max: 20_000 }), array: fc.boolean() }).map((n) => ({ kind: 'nested' as const, ...n })) },
    { weight: 1, arbitrary: fc.integer({ min: Math.min(100_000, hugeMax), max: hugeMax }).map((size) => ({ kind: 'huge' as const, size })) },
  ];
  if (route.bodySchema) {
    const { spec, schema } = route.bodySchema as { spec: SpecName; schema: Json };
    options.push({
      weight: 10,
      arbitrary: schemaArbitrary(spec, schema).chain((valid) => {
        const paths = pathsOf(valid);
        return fc.record({
          at: fc.nat(),
          replacement: fc.oneof({ weight: 4, arbitrary: hostileJson }, { weight: 1, arbitrary: fc.constant(undefined) }),
          spoiled: fc.nat({ max: 4 }).map((n) => n > 0),
        }).map(({ at, replacement, spoiled }) => ({
          kind: 'spoiled' as const,
          value: spoiled && paths.length > 0 ? spoil(valid, paths[at % paths.length]!, replacement) : valid,
        }));
      }),
    });
  }
  if (route.spec === 'federation' && route.method === 'POST') {
    options.push(
      {
        weight: route.path === '/federation/v1/envelopes' ? 12 : 1,
        arbitrary: fc.record({
          type: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...acceptedMessageTypes()) }, { weight: 1, arbitrary: hostileString }),
          body: fc.oneof(hostileJson, fc.dictionary(fc.constantFrom('referral_id', 'consent', 'reason', 'note', 'client', 'needs', 'urgency', 'statement', 'status', 'outcome', 'capacity', 'questions', 'answer', 'to', 'onward_referral_id', 'consent_id', 'relayed', 'onward'), hostileJson, { maxKeys: 6 })),
          seq: fc.oneof(fc.integer({ min: 1, max: 3 }), fc.integer()),
          realReferral: fc.boolean(),
          tamper: fc.constantFrom('none', 'none', 'none', 'payload', 'signature', 'stranger'),
        }).map((e) => ({ kind: 'envelope' as const, ...e })),
      },
      {
        weight: 3,
        arbitrary: fc.record({
          claims: hostileJson,
          typ: fc.oneof(fc.constantFrom('referral-envelope+jws', 'key-revocation+jws', 'referral-invitation-redeem+jwt', 'JWT'), hostileString),
          stranger: fc.boolean(),
        }).map((s) => ({ kind: 'signed' as const, ...s })),
      },
    );
  }
  return fc.oneof(...options);
};

const paramCount = (route: SpecRoute) => (route.path.match(/\{[^}]+\}/g) ?? []).length;

/**
 * A plan for one hostile request to one of `routes`. `hugeMax`: the largest body of the kind
 * meant to be too large (past every limit by default; a long run sends smaller ones, past the
 * JSON limit only, to spend its time on variety rather than bytes).
 */
export function planArbitrary(routes: readonly SpecRoute[], options: { hugeMax?: number } = {}): fc.Arbitrary<Plan> {
  const hugeMax = options.hugeMax ?? 12_000_000;
  return fc.constantFrom(...routes).chain((route) =>
    fc.record({
      route: fc.constant(route),
      method: fc.oneof({ weight: 9, arbitrary: fc.constant(route.method) }, { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS') }),
      params: fc.array(fc.record({ real: fc.boolean(), value: hostileShortString, raw: fc.boolean() }), { minLength: paramCount(route), maxLength: paramCount(route) }),
      query: fc.array(fc.tuple(fc.oneof(fc.constantFrom(...(route.queryParams.length ? route.queryParams : ['q'])), hostileShortString), hostileShortString), { maxLength: 4 }),
      auth: route.spec === 'local'
        ? fc.constantFrom<Auth>('valid', 'valid', 'valid', 'valid', 'none', 'garbage')
        : fc.constantFrom<Auth>('valid', 'valid', 'valid', 'none', 'garbage', 'wrong-request', 'stranger', 'expired'),
      contentType: fc.oneof(
        { weight: 6, arbitrary: fc.constant('declared' as const) },
        { weight: 1, arbitrary: fc.constant(null) },
        { weight: 2, arbitrary: fc.constantFrom('application/json', 'application/jose', 'application/jwt', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/pdf', '*/*', 'application/problem+json', 'constructor', '__proto__', 'toString') },
        { weight: 1, arbitrary: hostileString.filter((s) => /^[\x20-\x7e]*$/.test(s)) },
      ),
      body: bodyArbitrary(route, hugeMax),
    }),
  );
}

// --- Building a plan into a request ------------------------------------------------------------

export interface FuzzTarget {
  /** The node's base URL (its id). */
  nodeId: string;
  /** An administrator's API token. */
  token: string;
  /** Ids held by the node, by the path segment that names them (referrals, consents, services, invitations). */
  ids: Record<string, string[]>;
  /** A peer the node trusts, whose keys sign valid service tokens, envelopes and statements. */
  peer: { nodeId: string; signingKey: SigningKey; encryptionKey: OkpPublicJwk };
  /** A key no one trusts. */
  stranger: SigningKey;
  /** The node's current encryption key. */
  encryptionKey: OkpPublicJwk;
  now(): Date;
}

export interface BuiltRequest {
  /** Path and query, to append to the node's base URL. */
  path: string;
  init: RequestInit;
  /** What was sent, shortened, for a failure's report. */
  label: string;
}

/**
 * encodeURIComponent, except that a lone surrogate (which it refuses) is sent as the bytes WTF-8
 * gives it (`%ED%A0%80`): not UTF-8, and so one more thing for the server to decode.
 */
function encode(value: string): string {
  return value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|[^\uD800-\uDFFF]+|[\uD800-\uDBFF][\uDC00-\uDFFF]/g, (part) => {
    if (part.length === 1 && part.charCodeAt(0) >= 0xd800 && part.charCodeAt(0) <= 0xdfff) {
      const c = part.charCodeAt(0);
      return [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    }
    return encodeURIComponent(part);
  });
}

function fillPath(plan: Plan, target: FuzzTarget): string {
  let i = 0;
  const segments = plan.route.path.split('/');
  const resource = (index: number) => segments[index - 1] ?? '';
  return segments
    .map((segment, index) => {
      if (!/^\{[^}]+\}$/.test(segment)) return segment;
      const param = plan.params[i++]!;
      const real = target.ids[resource(index)] ?? [];
      if (param.real && real.length > 0) return encode(real[param.value.length % real.length]!);
      // Raw: slashes and dots as they are (traversal), only what would end the path encoded.
      return param.raw ? param.value.replace(/[?#%\s\uD800-\uDFFF]/g, (c) => encode(c)) : encode(param.value);
    })
    .join('/');
}

/** Not a service token, in ways a header can still carry. */
const GARBAGE_TOKENS = ['garbage', 'a.b.c', 'eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.', '...', 'x'.repeat(9_000), `${'A'.repeat(40)}.${'B'.repeat(40)}.${'C'.repeat(86)}`];

const nowSecs = (target: FuzzTarget) => Math.floor(target.now().getTime() / 1000);

async function serviceToken(plan: Plan, target: FuzzTarget, path: string): Promise<string | undefined> {
  const request = { aud: target.nodeId, method: plan.method, path: path.split('?')[0]! };
  switch (plan.auth) {
    case 'none':
      return undefined;
    case 'garbage':
      return GARBAGE_TOKENS[plan.query.length % GARBAGE_TOKENS.length];
    case 'valid':
      return createServiceToken({ nodeId: target.peer.nodeId, signingKey: target.peer.signingKey }, request, nowSecs(target));
    case 'wrong-request':
      return createServiceToken({ nodeId: target.peer.nodeId, signingKey: target.peer.signingKey }, { ...request, path: '/federation/v1/directory' === request.path ? '/federation/v1/log/checkpoint' : '/federation/v1/directory' }, nowSecs(target));
    case 'stranger':
      return createServiceToken({ nodeId: target.peer.nodeId, signingKey: target.stranger }, request, nowSecs(target));
    case 'expired':
      return createServiceToken({ nodeId: target.peer.nodeId, signingKey: target.peer.signingKey }, request, nowSecs(target) - 3_600);
  }
}

async function bodyBytes(plan: Plan, target: FuzzTarget): Promise<string | Uint8Array | undefined> {
  const body = plan.body;
  switch (body.kind) {
    case 'none':
      return undefined;
    case 'json':
      return JSON.stringify(body.value) ?? 'null';
    case 'fields':
      return JSON.stringify(body.fields);
    case 'spoiled':
      return JSON.stringify(body.value);
    case 'text':
      return body.text;
    case 'bytes':
      return body.bytes;
    case 'nested':
      return body.array ? `${'['.repeat(body.depth)}${']'.repeat(body.depth)}` : `${'{"a":'.repeat(body.depth)}1${'}'.repeat(body.depth)}`;
    case 'huge':
      return `{"a":"${'x'.repeat(body.size)}"}`;
    case 'envelope': {
      const referralId = body.realReferral && target.ids.referrals?.length ? target.ids.referrals[0]! : crypto.randomUUID();
      const sealed = await sealEnvelope({
        type: body.type, from: target.peer.nodeId, to: target.nodeId, referralId, seq: body.seq, createdAt: target.now(), body: body.body,
        recipientKey: target.encryptionKey, senderKey: target.peer.encryptionKey,
      });
      const signingKey = body.tamper === 'stranger' ? target.stranger : target.peer.signingKey;
      const jws = await signEnvelopeAttempt(sealed.payload, { nodeId: target.peer.nodeId, signingKey }, target.now());
      const [h, p, s] = jws.split('.') as [string, string, string];
      if (body.tamper === 'payload') return `${h}.${p.slice(0, -4)}AAAA.${s}`;
      if (body.tamper === 'signature') return `${h}.${p}.${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`;
      return jws;
    }
    case 'signed': {
      const key = body.stranger ? target.stranger : target.peer.signingKey;
      return new CompactSign(utf8.encode(JSON.stringify(body.claims) ?? 'null')).setProtectedHeader({ alg: 'EdDSA', typ: body.typ, kid: key.kid }).sign(key.privateKey);
    }
  }
}

/** The request a plan describes, signed where it must be. */
export async function buildRequest(plan: Plan, target: FuzzTarget): Promise<BuiltRequest> {
  const query = plan.query.length ? `?${plan.query.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')}` : '';
  const path = `${fillPath(plan, target)}${query}`;
  const headers: Record<string, string> = {};
  if (plan.route.spec === 'local') {
    if (plan.auth === 'valid') headers.authorization = `Bearer ${target.token}`;
    else if (plan.auth === 'garbage') headers.authorization = `Bearer refnet_${'A'.repeat(43)}`;
  } else {
    const token = await serviceToken(plan, target, path);
    if (token !== undefined) headers.authorization = `Bearer ${token.replace(/[\r\n]/g, '')}`;
  }
  const body = ['GET', 'HEAD'].includes(plan.method) ? undefined : await bodyBytes(plan, target);
  const contentType = plan.contentType === 'declared' ? (plan.route.bodyTypes[0] ?? 'application/json') : plan.contentType;
  if (body !== undefined && contentType !== null) headers['content-type'] = contentType;
  const shown = body === undefined ? '' : typeof body === 'string' ? body : `<${body.length} bytes>`;
  return {
    path,
    init: { method: plan.method, headers, ...(body === undefined ? {} : { body }) },
    label: `${plan.method} ${path.slice(0, 200)} auth=${plan.auth} content-type=${String(contentType)} body=${shown.slice(0, 200)}${shown.length > 200 ? `… (${shown.length})` : ''}`,
  };
}

// --- Judging the answer ----------------------------------------------------------------------

export interface Verdict {
  status: number;
  /** 4xx: the request was refused, and must have changed nothing. */
  refused: boolean;
  /** What is wrong with the answer (a 5xx, a refusal that is not a problem document of the spec). */
  faults: string[];
}

const specOfPath = (path: string): SpecName => (path.startsWith('/federation/') || path.startsWith('/.well-known/') ? 'federation' : 'local');

export async function judgeResponse(path: string, response: Response): Promise<Verdict> {
  const faults: string[] = [];
  const status = response.status;
  const text = await response.text();
  if (status >= 500) faults.push(`answered ${status}: ${text.slice(0, 300)}`);
  const refused = status >= 400;
  if (refused && status < 500) {
    const contentType = response.headers.get('content-type')?.split(';')[0]?.trim();
    if (contentType !== 'application/problem+json') {
      faults.push(`refused with ${status} as ${String(contentType)}, not a problem document`);
    } else {
      let type: unknown;
      try {
        type = (JSON.parse(text) as { type?: unknown }).type;
      } catch {
        faults.push(`refused with ${status}: the problem document is not JSON`);
      }
      const spec = specOfPath(path);
      if (type !== undefined && !problemTypes(spec).has(String(type))) faults.push(`refused with ${status}, type ${String(type)}: not in spec/${spec}.yaml's ProblemType`);
    }
  }
  return { status, refused, faults };
}
