import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { issueSetupToken } from '../../../src/accounts/first-run-setup.js';
import { basicAuth } from '../../api/api-client.js';
import { launchChromium, SITE_DOMAIN } from '../../browser/support/chromium.js';
import { startTestServer, type TestServer } from '../../support/test-server.js';
import type { Backend } from '../../support/test-stores.js';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** Where every browser test saves its screenshot (git-ignored); `npm run screenshots` copies a few to docs. */
export const SCREENSHOT_DIR = join(process.cwd(), '.tmp', 'dashboard-screenshots');

/** A listening Acquaint server, reached by Chromium as `http://dash.shop.test:<port>`. */
export interface DashboardHarness {
  server: TestServer;
  browser: Browser;
  /** Origin of the dashboard, on a `*.shop.test` name so sibling sites are same-site but cross-origin. */
  origin: string;
  setupToken: string;
  /** Serves `html` at `http://<host>.shop.test:<port><path>` from a real local server (another site). */
  site(host: string, path: string, html: string): string;
  newPage(): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

export async function startDashboard(backend: Backend = 'sqlite'): Promise<DashboardHarness> {
  const server = await startTestServer({ backend });
  const browser = await launchChromium();
  const port = new URL(server.url).port;
  const contexts: BrowserContext[] = [];
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const pages = new Map<string, string>();
  const sites = createServer((request, response) => {
    const html = pages.get(`${request.headers.host?.split(':')[0]}${request.url}`);
    response
      .writeHead(html ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' })
      .end(html ?? 'not found');
  });
  await new Promise<void>((resolve) => sites.listen(0, '127.0.0.1', resolve));
  const sitePort = (sites.address() as AddressInfo).port;
  return {
    server,
    browser,
    origin: `http://dash.${SITE_DOMAIN}:${port}`,
    setupToken: (await issueSetupToken(server.store)) as string,
    site(host, path, html) {
      pages.set(`${host}.${SITE_DOMAIN}${path}`, html);
      return `http://${host}.${SITE_DOMAIN}:${sitePort}${path}`;
    },
    async newPage() {
      const context = await browser.newContext({
        viewport: { width: 1280, height: 860 },
        reducedMotion: 'reduce',
      });
      contexts.push(context);
      return { context, page: await context.newPage() };
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close();
      await new Promise((resolve) => sites.close(resolve));
      await server.close();
    },
  };
}

/** Runs axe-core in the page; fails on any serious or critical violation, naming it. */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(
            context: Document,
            options: unknown,
          ): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
        };
      }
    ).axe;
    const result = await axe.run(document, {
      runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
    });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${v.id} (${v.impact}): ${v.nodes
            .map((n) => n.target.join(' '))
            .slice(0, 3)
            .join(', ')}`,
      );
  });
  expect(violations, `axe on ${name}`).toEqual([]);
}

/** Saves a screenshot of the page as `<name>.png`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** Signs in through the page's form. */
export async function signIn(page: Page, origin: string, email: string, password: string): Promise<void> {
  await page.goto(`${origin}/`);
  await submitCredentials(page, email, password, 'Sign in');
}

/** Fills the e-mail and password of the form shown (setup, sign-in, invitation) and sends it. */
export async function submitCredentials(
  page: Page,
  email: string,
  password: string,
  button: 'Sign in' | 'Create owner account' | 'Create account',
): Promise<void> {
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: button }).click();
}

/** Opens a dashboard page from the navigation and waits for its heading. */
export async function goTo(page: Page, label: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name: label }).click();
  await page.getByRole('heading', { level: 1, name: label }).waitFor();
}

/** Sends one tracking message to `/v1/<path>` with the project's write key. */
export function track(
  h: DashboardHarness,
  path: string,
  message: Record<string, unknown>,
): Promise<Response> {
  return fetch(`${h.server.url}/v1/${path}`, {
    method: 'POST',
    headers: { authorization: basicAuth(h.server.writeKey), 'content-type': 'application/json' },
    body: JSON.stringify(message),
  });
}
