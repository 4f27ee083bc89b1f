// The one stylesheet (admin-ui/style.css): long words wrap rather than widen a page (a decline
// note with a URL, a fingerprint, an id), and a page printed for the paper file shows its content
// without navigation, forms or buttons. (Chromium renders it in tests/browser/.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNetwork, type TestNetwork, type TestNode } from '../_util/test-node.js';

let net: TestNetwork;
let gr: TestNode;
let css: string;

beforeAll(async () => {
  net = await createTestNetwork(1);
  gr = net.nodes[0]!;
  const response = await gr.request('/ui/style.css');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('text/css; charset=utf-8');
  css = await response.text();
});
afterAll(() => net.close());

/** The declarations of the rule whose selector list is exactly `selector`, within `scope` (the whole sheet, or one @media block). */
function rule(scope: string, selector: string): string | undefined {
  const escaped = selector.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?:^|[}\\n])\\s*${escaped}\\s*\\{([^}]*)\\}`).exec(scope)?.[1];
}

describe('the stylesheet', () => {
  it('wraps long words in table cells, facts, notes, notices and errors', () => {
    expect(rule(css, 'td, dd, .referral-note, .notice, .error, .svc-text')).toContain('overflow-wrap: anywhere');
    expect(rule(css, '.fingerprint')).toContain('word-break: break-all');
  });

  it('prints a page without its navigation, forms and buttons', () => {
    const print = /@media print \{([\s\S]*?)\n\}/.exec(css)?.[1];
    expect(print).toBeDefined();
    const hidden = rule(print!, 'header, .main-nav, .skip, form, button, .languages');
    expect(hidden).toContain('display: none');
  });
});
