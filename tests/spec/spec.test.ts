// The spec is the contract: generated types and what the build compiled from it must be current,
// every operation in it must be served, and nothing may be served that it does not describe.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { generateTypes, generatedPath, SPECS } from '../../spec/generate.js';
import { compiledSpecFiles } from '../../spec/compile.js';
import { COMPILED_VALIDATORS, loadSpec, projectRoot, queryValidatorFor, validatorFor } from '../../node/schema/validators.js';
import { createTestNetwork } from '../_util/test-node.js';
import { AUDIT_EVENT_TYPES, type AuditEvent } from '../../node/audit-log/events.js';

describe('the generated types', () => {
  it.each(SPECS)('for %s.yaml are the ones `npm run gen:spec` writes', async (name) => {
    const fresh = await generateTypes(name);
    expect(readFileSync(generatedPath(name), 'utf8'), `spec/generated/${name}.ts is stale: run npm run gen:spec`).toBe(fresh);
  });
});

describe('what the build compiled from the spec', () => {
  it('is what the documents give now: the validators and the taxonomy in spec/compiled/', () => {
    for (const { path, text } of compiledSpecFiles()) {
      expect(readFileSync(join(projectRoot(), path), 'utf8'), `${path} is stale: run npm run build`).toBe(text);
    }
  });

  it('is what the node validates with: no schema is compiled at run time', () => {
    const compiled = createRequire(import.meta.url)(join(projectRoot(), COMPILED_VALIDATORS)) as Record<string, unknown>;
    expect(validatorFor('local', 'CreateReferralRequest')).toBe(compiled['https://spec.referral-network.invalid/local.yaml#/components/schemas/CreateReferralRequest']);
    expect(validatorFor('federation', 'EnvelopePayload')).toBe(compiled['https://spec.referral-network.invalid/federation.yaml#/components/schemas/EnvelopePayload']);
    expect(queryValidatorFor('local', '/api/v1/referrals', 'get')).toBe(compiled['query:local:get:/api/v1/referrals']);
  });

  it('refuses what the spec refuses, saying where', () => {
    const check = queryValidatorFor('local', '/api/v1/referrals', 'get');
    expect(check({ limit: 10 })).toBe(true);
    expect(check({ limit: 'ten', colour: 'red' })).toBe(false);
    expect(check.errors?.map((e) => e.instancePath || e.params)).toEqual(expect.arrayContaining(['/limit', { additionalProperty: 'colour' }]));
  });
});

describe('the routes', () => {
  const specOperations = () =>
    SPECS.flatMap((name) =>
      Object.entries(loadSpec(name).paths as Record<string, Record<string, { operationId?: string }>>).flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, op]) => ({ spec: name, operationId: op.operationId, route: `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}` })),
      ),
    );

  it('serve every operation of both specs, each with an operationId', async () => {
    const net = await createTestNetwork(1, { trust: false });
    try {
      const served = new Set(net.nodes[0]!.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`));
      for (const op of specOperations()) {
        expect(op.operationId, `${op.route} in ${op.spec}.yaml has no operationId`).toBeTruthy();
        expect(served, `${op.operationId} (${op.route}) is not served`).toContain(op.route);
      }
    } finally {
      await net.close();
    }
  });

  it('serve nothing that the specs do not describe', async () => {
    const net = await createTestNetwork(1, { trust: false });
    try {
      const described = new Set(specOperations().map((op) => op.route));
      // The web interface's pages (/ui/...) are HTML for people, not an API: tests/ui covers them.
      for (const route of net.nodes[0]!.app.routes.filter((r) => r.method !== 'ALL' && r.path !== '/ui' && !r.path.startsWith('/ui/'))) {
        expect(described, `${route.method} ${route.path} is served but not in the spec`).toContain(`${route.method} ${route.path}`);
      }
    } finally {
      await net.close();
    }
  });
});

describe('the audit log entry schema', () => {
  it('lists exactly the event types the node writes', () => {
    const schemas = (loadSpec('federation').components as { schemas: Record<string, { properties: { type: { enum: string[] } } }> }).schemas;
    expect([...schemas.LogEntry!.properties.type.enum].sort()).toEqual([...AUDIT_EVENT_TYPES].sort());
  });

  it('takes the fields of the entries that carry more than ids: sign-in locks, notification choices, recovery codes, peer alerts', () => {
    const valid = validatorFor('federation', 'LogEntry');
    const events: AuditEvent[] = [
      { type: 'user.notifications-changed', user_id: 'u', mail: 'off', address_changed: true },
      { type: 'user.sign-in-locked', minutes: 15 },
      { type: 'sign-in.address-locked', minutes: 15 },
      { type: 'user.recovery-code-used', user_id: 'u', left: 7 },
      { type: 'peer.alert', peer_id: 'https://a.example.org', kind: 'quota-exceeded' },
    ];
    for (const event of events) {
      const entry = { v: 1, index: 0, at: '2026-12-07T10:00:00.000Z', actor: { kind: 'system', id: 'test' }, ...event };
      expect(valid(entry), `${event.type}: ${JSON.stringify(valid.errors)}`).toBe(true);
    }
  });
});
