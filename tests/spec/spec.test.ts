// The spec is the contract: generated types must be current, every operation in it must be
// served, and nothing may be served that it does not describe.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { generateTypes, generatedPath, SPECS } from '../../spec/generate.js';
import { loadSpec } from '../../node/schema/validators.js';
import { createTestNetwork } from '../_util/test-node.js';
import { AUDIT_EVENT_TYPES } from '../../node/audit-log/events.js';

describe('the generated types', () => {
  it.each(SPECS)('for %s.yaml are the ones `npm run gen:spec` writes', async (name) => {
    const fresh = await generateTypes(name);
    expect(readFileSync(generatedPath(name), 'utf8'), `spec/generated/${name}.ts is stale: run npm run gen:spec`).toBe(fresh);
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
});
