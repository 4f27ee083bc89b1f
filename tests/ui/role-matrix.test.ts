// The role matrix: every page and action the interface registers, tried by every role. A role the
// page is not for gets 403 and a page that says so, and nothing changes; a role it is for is let
// through (to the page, or to a sentence about what was wrong with an empty form, never a crash).
// No page under /ui is registered outside the router, so none escapes the check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uiRoutes } from '../../admin-ui/routes.js';
import type { Role } from '../../node/users/service.js';
import { createTestNetwork, snapshot, type TestNetwork, type TestNode } from '../_util/test-node.js';
import { signedInAs, textOf, tokenIn, type UiBrowser } from '../_util/ui-browser.js';

let net: TestNetwork;
let at: TestNode;
const browsers = {} as Record<Role, UiBrowser>;
const csrf = {} as Record<Role, string>;
const pages = () => uiRoutes(at.ctx, () => {}).pages.routes;
// Registered outside the router on purpose: they work without a session (the sign-in's two steps), or end one.
const PUBLIC = ['GET /', 'GET /login', 'POST /login', 'GET /login/code', 'POST /login/code', 'POST /logout', 'POST /language', 'GET /style.css', 'GET /*', 'ALL /*'];
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  net = await createTestNetwork(2);
  at = net.nodes[1]!;
  for (const role of ['admin', 'caseworker', 'auditor'] as const) {
    browsers[role] = await signedInAs(at, role, net.clock.now());
    csrf[role] = tokenIn(await browsers[role].html('/ui/overview'));
  }
});
afterAll(() => net.close());

const concrete = (path: string) => `/ui${path.replace(/:[a-zA-Z]+/g, NO_SUCH_ID)}`;
const request = (role: Role, method: 'GET' | 'POST', path: string) =>
  browsers[role].go(concrete(path), method === 'POST' ? { form: { _csrf: csrf[role] } } : {});

describe('the role matrix', () => {
  it('registers every page under /ui with the router', () => {
    const app = uiRoutes(at.ctx, () => {});
    const registered = new Set(app.pages.routes.map((r) => `${r.method} ${r.path}`));
    const unchecked = app.routes.map((r) => `${r.method} ${r.path}`).filter((r) => !registered.has(r) && !PUBLIC.includes(r));
    expect(unchecked).toEqual([]);
    expect(registered.size).toBeGreaterThan(1);
  });

  it.each(['admin', 'caseworker', 'auditor'] as const)('refuses %s every page and action it is not for, and changes nothing', async (role) => {
    const refused = pages().filter((r) => !r.roles.includes(role));
    const before = await snapshot(at);
    for (const route of refused) {
      const response = await request(role, route.method, route.path);
      expect(response.status, `${route.method} ${route.path}`).toBe(403);
      expect(textOf(await response.text())).toContain('does not allow this page or action');
    }
    const after = await snapshot(at);
    // Using a session moves its last-seen time; nothing else may change.
    delete before.ui_sessions;
    delete after.ui_sessions;
    expect(after).toEqual(before);
  });

  it.each(['admin', 'caseworker', 'auditor'] as const)('lets %s through to every page and action it is for', async (role) => {
    for (const route of pages().filter((r) => r.roles.includes(role))) {
      const response = await request(role, route.method, route.path);
      const where = `${route.method} ${route.path}`;
      expect(response.status, where).not.toBe(403);
      expect(response.status, where).toBeLessThan(500);
    }
  });

  it('refuses every action without the session\'s CSRF token', async () => {
    for (const route of pages().filter((r) => r.method === 'POST')) {
      const role = route.roles[0]!;
      const response = await browsers[role].go(concrete(route.path), { form: { _csrf: 'forged' } });
      expect(response.status, route.path).toBe(403);
    }
  });

  it('sends to the sign-in page without a session', async () => {
    for (const route of pages()) {
      const response = await at.app.fetch(new Request(`${at.id}${concrete(route.path)}`, { method: route.method, redirect: 'manual' }));
      // A page asked for is remembered, to go back to after signing in; a form sent is not.
      const path = concrete(route.path);
      const back = route.method === 'GET' && path !== '/ui/overview' ? `/ui/login?next=${encodeURIComponent(path)}` : '/ui/login';
      expect(response.headers.get('location'), route.path).toBe(back);
    }
  });
});
