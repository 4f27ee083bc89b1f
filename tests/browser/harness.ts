// Driving Debian's Chromium with playwright-core for the web interface's browser tests: launched
// headless from /usr/bin/chromium (never a downloaded browser) with the background networking,
// updates, sync and QUIC off, so that a test talks to 127.0.0.1 and nothing else; a fresh profile
// each launch (Playwright gives every launch a temporary user-data-dir of its own). On every page
// a test looks at, axe-core runs and any serious or critical violation is collected; named pages
// are saved as screenshots in test-artifacts/screenshots.
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = join(fileURLToPath(new URL('../..', import.meta.url)), 'test-artifacts', 'screenshots');

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-domain-reliability',
  '--metrics-recording-only',
  '--no-default-browser-check',
];

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeFinding {
  page: string;
  rule: string;
  impact: string;
  help: string;
  targets: string[];
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** A new person at a desk (or, with `phone`, a phone): cookies of their own, English unless asked. */
export async function newPerson(browser: Browser, options: { phone?: boolean; locale?: string } = {}): Promise<BrowserContext> {
  return browser.newContext({
    viewport: options.phone ? { width: 390, height: 844 } : { width: 1280, height: 900 },
    locale: options.locale ?? 'en-GB',
    acceptDownloads: true,
  });
}

/** Runs axe-core on the page as it is now; serious and critical violations only. */
export async function axeFindings(page: Page, name: string): Promise<AxeFinding[]> {
  // Expressions as text: they run inside the page, where `window` and `axe` exist (not in Node's types).
  // Evaluated through the DevTools protocol rather than added as a <script>: the pages'
  // Content-Security-Policy allows no script, and the test keeps that policy in force.
  if (!(await page.evaluate<boolean>("'axe' in window"))) await page.evaluate(`${AXE_SOURCE}\n;true`);
  const violations = await page.evaluate<Array<Omit<AxeFinding, 'page'>>>(
    `axe.run(document, { resultTypes: ['violations'] }).then((result) => result.violations.map((v) => ({
      rule: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')),
    })))`,
  );
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => ({ page: name, ...v }));
}

/** A checker that remembers every serious or critical finding, and saves screenshots by name. */
export function accessibilityLog() {
  const findings: AxeFinding[] = [];
  const checked: string[] = [];
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    findings,
    checked,
    /** Checks the page; with `screenshot`, also saves it as test-artifacts/screenshots/<screenshot>.png. */
    async check(page: Page, name: string, screenshot?: string): Promise<void> {
      checked.push(name);
      findings.push(...(await axeFindings(page, name)));
      if (screenshot) await page.screenshot({ path: join(SCREENSHOTS, `${screenshot}.png`), fullPage: true });
    },
  };
}

/** Signs in through the sign-in form, as a person would. */
export async function signInAs(page: Page, baseUrl: string, username: string, password: string, language = 'en'): Promise<void> {
  await page.goto(`${baseUrl}/ui/login?lang=${language}`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.locator('form[action="/ui/login"] button[type="submit"]').click();
  await page.waitForURL(/\/ui\/overview$/);
}
