/**
 * The browser side of the end-to-end tests: Debian's `chromium` driven by playwright-core, the
 * portal's page settings (French, Paris time, one window size for every screenshot), the axe-core
 * check and the screenshots committed under docs/screenshots/.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { skipUnlessTool } from '@vigie/common/testing';
import { ROOT } from '../../../scripts/lib/processes.ts';

/** Where the screenshots go; the README shows them. */
export const SCREENSHOTS_DIR = resolve(ROOT, 'docs', 'screenshots');
const AXE = resolve(ROOT, 'node_modules', 'axe-core', 'axe.min.js');
const CHROMIUM = '/usr/bin/chromium';

/** The skip option of a test that needs Chromium (never skipped in CI: it fails there instead). */
export const skipUnlessChromium = (): string | false => skipUnlessTool('chromium');

/** Start headless Chromium; the caller closes it. */
export async function launchChromium(): Promise<Browser> {
  try {
    return await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
    });
  } catch (err) {
    throw new Error(`could not start Chromium (apt-get install -y chromium): ${String(err)}`);
  }
}

/**
 * A page in a fresh context (its own cookies, so its own session) as a user in France sees the
 * portal; every screenshot is taken at this size.
 */
export async function newPortalPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
  return context.newPage();
}

/** Photograph the whole page into docs/screenshots/`name`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: resolve(SCREENSHOTS_DIR, name), fullPage: true });
}

interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string; message: string }[];
  count: number;
}

let axeSource: string | undefined;

/**
 * Run axe-core on the page as it is now and fail on any serious or critical violation, listing
 * each rule with its impact, what it asks, and the first offending elements (selector and why).
 * Also fails on an image that did not load (e.g. refused by the CSP): axe only checks its text
 * alternative, and no one sees it.
 */
export async function assertAccessible(page: Page, what: string): Promise<void> {
  const broken = (await page.evaluate(`[...document.images].filter((i) => i.complete && i.naturalWidth === 0).map((i) => i.src.slice(0, 80))`)) as string[];
  assert.deepEqual(broken, [], `${what}: image(s) that did not load: ${broken.join(', ')}`);
  // Evaluated through the DevTools protocol, not a <script> tag: the portal's CSP (rightly) refuses
  // inline scripts, and is left on.
  axeSource ??= readFileSync(AXE, 'utf8');
  await page.evaluate(axeSource);
  // A string, evaluated in the page: this file is type-checked without the DOM library.
  const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) =>
    r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      count: v.nodes.length,
      nodes: v.nodes.slice(0, 3).map((n) => ({
        target: n.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : String(t))).join(' '),
        message: [...n.any, ...n.all, ...n.none].map((c) => c.message).find(Boolean) ?? '',
      })),
    })))`)) as AxeFinding[];
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const report = serious
    .map((v) => [
      `  - ${v.id} (${v.impact}): ${v.help} — ${v.count} element(s)`,
      ...v.nodes.map((n) => `      ${n.target}${n.message ? `: ${n.message}` : ''}`),
    ].join('\n'))
    .join('\n');
  assert.deepEqual(serious.map((v) => v.id), [], `${what}: axe-core found ${serious.length} serious or critical violation(s):\n${report}`);
}
