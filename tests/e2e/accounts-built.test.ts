// The password check and the second factor in the built node (`serve` from dist/bundle/), not only
// in-process: their packages are loaded on use from chunks of the bundle, where a CommonJS
// package's exports are its default export only. A guessable password is refused; a second factor
// is set up from the page's SVG QR code and key, and the next sign-in takes the password and a code.
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, startNode, type RunningNode } from '../_util/processes.js';
import { signIn, textOf, tokenIn, uiBrowser } from '../_util/ui-browser.js';

let node: RunningNode;
beforeAll(async () => {
  node = await startNode({ name: 'Accounts', country: 'GR', languages: ['en'] });
}, 120_000);
afterAll(async () => {
  await node?.stop();
  await cleanup.run();
});

describe('the built node', () => {
  it('refuses a guessable password, and signs in with a second factor set up on its page', async () => {
    const b = uiBrowser({ url: node.url });
    expect((await signIn(b, 'admin', node.password)).status).toBe(303);
    const weak = await b.submit('/ui/settings/password', { current_password: node.password, new_password: 'password1234', repeat_password: 'password1234' }, '/ui/settings');
    expect(weak.status).toBe(422);
    expect(textOf(await weak.text())).toContain('This password is too easy to guess');

    expect((await b.submit('/ui/settings/second-factor/start', {}, '/ui/settings/second-factor')).status).toBe(303);
    const html = await b.html('/ui/settings/second-factor');
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    const key = /aria-describedby="manual-key-hint">\s*([A-Z2-7 ]+?)\s*</.exec(html)![1]!;
    // The node's clock is the real one: this step's code confirms, the next step's signs in (one step of drift is allowed).
    const codeAt = (steps: number) => TOTP.generate({ secret: Secret.fromBase32(key.replace(/\s/g, '')), timestamp: Date.now() + steps * 30_000 });
    // Not in a step's last two seconds, so that the node reads the code in the step it was made for.
    const clearOfStepEnd = async () => {
      const left = 30_000 - (Date.now() % 30_000);
      if (left < 2000) await new Promise((done) => setTimeout(done, left + 100));
    };
    await clearOfStepEnd();
    const confirmed = await b.submit('/ui/settings/second-factor/confirm', { code: codeAt(0), password: node.password }, '/ui/settings/second-factor');
    expect(confirmed.status).toBe(200);
    expect(textOf(await confirmed.text())).toContain('They are shown only this once.');

    const c = uiBrowser({ url: node.url });
    expect((await signIn(c, 'admin', node.password)).headers.get('location')).toBe('/ui/login/code');
    const token = tokenIn(await c.html('/ui/login/code'));
    await clearOfStepEnd();
    const code = await c.go('/ui/login/code', { form: { _csrf: token, code: codeAt(1) } });
    expect(code.status).toBe(303);
    expect(code.headers.get('location')).toBe('/ui/overview');
    expect((await c.go('/ui/overview')).status).toBe(200);
    expect(node.logs()).not.toMatch(/"level":50/);
  });
});
