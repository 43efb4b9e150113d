import { type Browser, type BrowserContext, devices, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bannerBody } from '../personalization/experience-fixtures.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { describeEachBackend } from '../support/test-stores.js';
import './support/acquaint-in-page.js';
import { launchChromium, skipBrowserTests, waitUntil } from './support/chromium.js';
import { FixtureSite } from './support/fixture-site.js';
import { ensureSdkBuilt } from './support/sdk-build.js';
import { sdkLoaded } from './support/sdk-harness.js';

interface Report {
  variants: { name: string; users: number; impressions: number; conversions: number; dismissals: number }[];
}

/**
 * Personalised experiences on a customer's site served from another origin: the snippet loads
 * sdk.js from the Acquaint server, which decides; the assertions look at the page as a visitor
 * sees it and at the report as the owner reads it.
 */
describe.skipIf(skipBrowserTests)('personalised experiences in the browser', () => {
  describeEachBackend('experiences on a real site', (backend) => {
    let browser: Browser;
    let site: FixtureSite;
    let server: TestServer;
    const contexts: BrowserContext[] = [];
    const pageErrors: string[] = [];

    beforeAll(async () => {
      ensureSdkBuilt();
      site = await FixtureSite.start({ host: '', writeKey: '' });
    });
    afterAll(async () => {
      await browser?.close();
      await site?.close();
    });
    beforeEach(async () => {
      browser ??= await launchChromium();
      server = await startTestServer({ backend });
      site.setup = { host: server.url, writeKey: server.writeKey, options: { flushInterval: 200 } };
      pageErrors.length = 0;
    });
    afterEach(async () => {
      for (const context of contexts.splice(0)) await context.close();
      await server.close();
      expect(pageErrors).toEqual([]);
    });

    async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
      const response = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${server.apiKey}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const answer = (await response.json()) as T;
      if (response.status >= 300) throw new Error(`${method} ${path}: ${JSON.stringify(answer)}`);
      return answer;
    }
    async function publish(body: Record<string, unknown>): Promise<string> {
      const { id } = await api<{ id: string }>('POST', '/api/experiences', body);
      await api('POST', `/api/experiences/${id}/publish`);
      return id;
    }
    async function newVisitor(options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
      const context = await browser.newContext(options);
      contexts.push(context);
      return context;
    }
    async function open(context: BrowserContext, path: string): Promise<Page> {
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(site.url(path), { waitUntil: 'domcontentloaded' });
      await sdkLoaded(page);
      return page;
    }
    /** Waits for decide to have answered and its experiences to be rendered. */
    const settledPage = (page: Page) => page.waitForTimeout(600);
    const bannerText = async (page: Page) => {
      await settledPage(page);
      return page.evaluate(() => document.querySelector('.acquaint-banner div')?.textContent ?? null);
    };
    async function logIn(page: Page, userId: string): Promise<void> {
      await page.fill('#login-uid', userId);
      await page.click('#login');
      await waitUntil(
        () =>
          fetch(`${server.url}/api/users/${userId}`, {
            headers: { authorization: `Bearer ${server.apiKey}` },
          }),
        (response) => response.status === 200,
      );
    }
    const report = (id: string) => api<Report>('GET', `/api/experiences/${id}/report`);

    it(`${backend}: a banner shows, is closed by mouse or Escape, and each close is a dismissal`, async () => {
      const id = await publish(
        bannerBody({
          variants: [
            { name: 'gold', weight: 100, content: { html: '<p>Gold offer <a href="#deal">see</a></p>' } },
          ],
        }),
      );
      const page = await open(await newVisitor(), 'article.html');
      expect(await bannerText(page)).toBe('Gold offer see');
      const banner = page.locator('.acquaint-banner');
      expect(await banner.getAttribute('role')).toBe('region');
      expect(await banner.getAttribute('aria-label')).toBeTruthy();
      await page.click('.acquaint-banner a');
      await page.click('.acquaint-close');
      expect(await banner.count()).toBe(0);

      await page.reload();
      await sdkLoaded(page);
      await settledPage(page);
      await page.focus('.acquaint-close');
      expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Close');
      await page.keyboard.press('Escape');
      expect(await page.locator('.acquaint-banner').count()).toBe(0);
      const figures = await waitUntil(
        () => report(id),
        (answer) => answer.variants[0].dismissals === 2,
      );
      expect(figures.variants[0]).toMatchObject({ name: 'gold', users: 1, impressions: 2 });
    });

    it(`${backend}: the same member sees the same variant on phone and laptop`, async () => {
      const variants = Array.from({ length: 10 }, (_, i) => ({
        name: `v${i}`,
        weight: 10,
        content: { html: `variant ${i}` },
      }));
      await publish(bannerBody({ variants }));
      const phone = await open(await newVisitor(devices['Pixel 7']), 'article.html');
      await logIn(phone, 'member-7');
      await phone.reload();
      await sdkLoaded(phone);
      const onPhone = await bannerText(phone);
      const laptop = await open(await newVisitor(), 'article.html');
      await logIn(laptop, 'member-7');
      await laptop.reload();
      await sdkLoaded(laptop);
      expect(onPhone).toMatch(/^variant \d$/);
      expect(await bannerText(laptop)).toBe(onPhone);
    });

    it(`${backend}: a page edit applies without a flash of the old content`, async () => {
      await publish({
        name: 'Hero',
        type: 'page_edit',
        pages: { rules: [{ op: 'equals', value: '/hero.html' }] },
        variants: [
          {
            name: 'warm',
            weight: 100,
            content: {
              edits: [
                { selector: '#hero h1', text: 'Welcome back' },
                { selector: 'a.cta', attr: 'href', value: '/thanks.html' },
              ],
            },
          },
        ],
      });
      const page = await open(await newVisitor(), 'hero.html');
      await page.waitForFunction(() => getComputedStyle(document.documentElement).opacity === '1');
      expect(await page.textContent('#hero h1')).toBe('Welcome back');
      expect(await page.getAttribute('a.cta', 'href')).toBe('/thanks.html');
      const frames = await page.evaluate(
        () => (window as unknown as { frames_seen: { opacity: string; text: string | null }[] }).frames_seen,
      );
      expect(frames.some((frame) => frame.text === 'Welcome')).toBe(true);
      expect(frames.filter((frame) => frame.opacity !== '0' && frame.text === 'Welcome')).toEqual([]);
    });

    it(`${backend}: a redirect happens once`, async () => {
      await publish({
        name: 'To thanks',
        type: 'redirect',
        pages: { rules: [{ op: 'equals', value: '/article.html' }] },
        variants: [{ name: 'go', weight: 100, content: { redirect_url: '/thanks.html' } }],
      });
      const context = await newVisitor();
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(site.url('article.html'));
      await page.waitForURL(/thanks\.html$/);
      await page.goto(site.url('article.html'));
      await sdkLoaded(page);
      await settledPage(page);
      expect(new URL(page.url()).pathname).toBe('/article.html');
    });

    it(`${backend}: once per session holds, and a new session shows it again`, async () => {
      await publish(
        bannerBody({
          frequency: 'once_per_session',
          variants: [{ name: 'hi', weight: 100, content: { html: 'Once' } }],
        }),
      );
      const context = await newVisitor();
      const page = await open(context, 'article.html');
      expect(await bannerText(page)).toBe('Once');
      await page.goto(site.url('article.html?part=2'));
      await sdkLoaded(page);
      expect(await bannerText(page)).toBeNull();
      const other = await open(await newVisitor(), 'article.html');
      expect(await bannerText(other)).toBe('Once');
    });

    it(`${backend}: the control sees nothing, its impression is counted, and a goal after an impression converts`, async () => {
      const control = await publish(
        bannerBody({
          name: 'held out',
          control_weight: 100,
          goal: { event: 'cta_clicked' },
          variants: [{ name: 'shown', weight: 100, content: { html: 'Never' } }],
        }),
      );
      const page = await open(await newVisitor(), 'article.html');
      expect(await bannerText(page)).toBeNull();
      await page.click('#buy');
      const figures = await waitUntil(
        () => report(control),
        (answer) => answer.variants[1].conversions === 1,
      );
      expect(figures.variants).toMatchObject([
        { name: 'shown', users: 0, impressions: 0 },
        { name: 'control', users: 1, impressions: 1, conversions: 1 },
      ]);
    });

    it(`${backend}: an attribute holding HTML stays text in a placeholder`, async () => {
      await publish(
        bannerBody({
          variants: [{ name: 'hello', weight: 100, content: { html: '<p>Hello {{first_name}}</p>' } }],
        }),
      );
      const page = await open(await newVisitor(), 'article.html');
      await page.evaluate(() =>
        acquaint.identify('member-x', { first_name: '<img src=x onerror="window.pwned=1">' }),
      );
      await waitUntil(
        () =>
          fetch(`${server.url}/api/users/member-x`, {
            headers: { authorization: `Bearer ${server.apiKey}` },
          }),
        (response) => response.status === 200,
      );
      await page.reload();
      await sdkLoaded(page);
      expect(await bannerText(page)).toBe('Hello <img src=x onerror="window.pwned=1">');
      expect(await page.evaluate(() => document.querySelectorAll('.acquaint-banner img').length)).toBe(0);
      expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    });
  });
});
