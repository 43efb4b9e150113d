import { createHmac } from 'node:crypto';
import { type Browser, type BrowserContext, devices, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/test-server.js';
import './support/acquaint-in-page.js';
import { launchChromium, skipBrowserTests, waitUntil } from './support/chromium.js';
import { FixtureSite } from './support/fixture-site.js';
import { ensureSdkBuilt } from './support/sdk-build.js';
import { sdkLoaded } from './support/sdk-harness.js';

interface Profile {
  person_id: number;
  identified: boolean;
  bound: boolean;
  attributes: Record<string, unknown>;
  devices: { anonymous_id: string; device_type: string | null }[];
}
interface TimelineEvent {
  anonymous_id: string;
  user_id: string | null;
  type: string;
  name: string | null;
  timestamp: string;
  message_id: string;
  url: string | null;
}

/**
 * The SDK against the real Acquaint server: fixture pages of a customer's site load the snippet,
 * which loads /sdk.js from the server and sends to its /v1/batch; assertions read what the
 * site owner would see through the server API.
 */
describe.skipIf(skipBrowserTests)('identifying visitors of a real site', () => {
  let browser: Browser;
  let site: FixtureSite;
  let server: TestServer;
  const contexts: BrowserContext[] = [];

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
    server = await startTestServer();
    site.setup = { host: server.url, writeKey: server.writeKey, options: { flushInterval: 200 } };
  });
  afterEach(async () => {
    for (const context of contexts.splice(0)) await context.close();
    await server.close();
  });

  async function api<T>(path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
    const response = await fetch(`${server.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${server.apiKey}`, 'content-type': 'application/json' },
    });
    return { status: response.status, body: (await response.json()) as T };
  }
  const profile = (userId: string) => api<Profile>(`/api/users/${userId}`);
  const timeline = async (userId: string) =>
    (await api<{ events: TimelineEvent[] }>(`/api/users/${userId}/events?limit=1000`)).body.events.reverse();
  const eventsArrived = (userId: string, done: (events: TimelineEvent[]) => boolean) =>
    waitUntil(async () => ((await profile(userId)).status === 200 ? timeline(userId) : []), done);

  async function newVisitor(options: Parameters<Browser['newContext']>[0] = {}): Promise<BrowserContext> {
    const context = await browser.newContext(options);
    contexts.push(context);
    return context;
  }
  async function open(context: BrowserContext, path: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(site.url(path), { waitUntil: 'domcontentloaded' });
    await sdkLoaded(page);
    return page;
  }
  async function logIn(page: Page, userId: string): Promise<void> {
    await page.fill('#login-uid', userId);
    await page.click('#login');
  }

  it("identifies on the help article's sign-up form, with its attributes", async () => {
    expect((await api('/api/attributes/age', { method: 'PUT', body: '{"type":"number"}' })).status).toBe(200);
    const page = await open(await newVisitor(), 'signup.html');
    await page.fill('#uid', 'member-1001');
    await page.fill('#email', 'hanako@example.com');
    await page.fill('#phone', '090-1234-5678');
    await page.selectOption('#sex', 'female');
    await page.fill('#age', '34');
    const clickedAt = Date.now();
    await page.click('#btnSignup');

    const { body } = await waitUntil(
      () => profile('member-1001'),
      (answer) => answer.status === 200,
    );
    expect(body).toMatchObject({
      identified: true,
      bound: true,
      attributes: { email: 'hanako@example.com', phone: '090-1234-5678', gender: 'female', age: 34 },
    });
    const lastActive = Date.parse(String(body.attributes.last_active_date));
    expect(Math.abs(lastActive - clickedAt)).toBeLessThan(5000);
    const { body: catalog } = await api<{ attributes: { name: string; type: string }[] }>('/api/attributes');
    const typeOf = (name: string) => catalog.attributes.find((a) => a.name === name)?.type;
    expect([typeOf('age'), typeOf('last_active_date'), typeOf('email')]).toEqual([
      'number',
      'datetime',
      'string',
    ]);

    const events = await eventsArrived('member-1001', (all) => all.length >= 2);
    expect(events.map((e) => [e.type, e.user_id])).toEqual([
      ['page', null],
      ['identify', 'member-1001'],
    ]);
  });

  it('joins a phone and a laptop into one user, with the page views of both from before login', async () => {
    const phone = await open(await newVisitor(devices['Pixel 7']), 'article.html');
    await phone.click('#next');
    await sdkLoaded(phone);
    const laptop = await open(await newVisitor(), 'article.html');
    await laptop.click('#next');
    await sdkLoaded(laptop);
    await logIn(phone, 'user-42');
    await logIn(laptop, 'user-42');
    const phoneId = await phone.evaluate(() => acquaint.getAnonymousId());
    const laptopId = await laptop.evaluate(() => acquaint.getAnonymousId());

    const events = await eventsArrived(
      'user-42',
      (all) => all.filter((e) => e.type === 'identify').length === 2,
    );
    const { body } = await profile('user-42');
    expect(body.devices.map((d) => d.anonymous_id).sort()).toEqual([phoneId, laptopId].sort());
    expect(body.devices.find((d) => d.anonymous_id === phoneId)?.device_type).toBe('mobile');
    expect(body.devices.find((d) => d.anonymous_id === laptopId)?.device_type).not.toBe('mobile');

    const anonymousViews = (anonymousId: string | null) =>
      events.filter((e) => e.type === 'page' && e.user_id === null && e.anonymous_id === anonymousId);
    for (const device of [phoneId, laptopId]) {
      expect(anonymousViews(device).map((e) => new URL(e.url ?? '').search)).toEqual(['', '?part=2']);
    }
  });

  it('keeps two users of one shared browser apart across logout', async () => {
    const page = await open(await newVisitor(), 'article.html');
    await logIn(page, 'user-x');
    await page.evaluate(() => acquaint.track('viewed_own_orders'));
    const deviceOfX = await page.evaluate(() => acquaint.getAnonymousId());
    await page.click('#logout');
    await page.click('#next');
    await sdkLoaded(page);
    await logIn(page, 'user-y');
    await page.evaluate(() => acquaint.track('changed_password'));
    const deviceOfY = await page.evaluate(() => acquaint.getAnonymousId());

    const eventsOfY = await eventsArrived('user-y', (all) => all.some((e) => e.name === 'changed_password'));
    const eventsOfX = await timeline('user-x');
    const [x, y] = [(await profile('user-x')).body, (await profile('user-y')).body];
    expect(x.person_id).not.toBe(y.person_id);
    expect(x.devices.map((d) => d.anonymous_id)).toEqual([deviceOfX]);
    expect(y.devices.map((d) => d.anonymous_id)).toEqual([deviceOfY]);
    expect(eventsOfX.map((e) => e.name ?? e.type)).toEqual(['page', 'identify', 'viewed_own_orders']);
    expect(eventsOfX.every((e) => e.anonymous_id === deviceOfX)).toBe(true);
    expect(eventsOfY.map((e) => e.name ?? e.type)).toEqual(['page', 'identify', 'changed_password']);
    expect(eventsOfY.every((e) => e.anonymous_id === deviceOfY)).toBe(true);
  });

  it('stores every event exactly once after a network cut', async () => {
    const context = await newVisitor();
    const page = await open(context, 'article.html');
    await logIn(page, 'user-42');
    await eventsArrived('user-42', (all) => all.length === 2);

    await context.setOffline(true);
    await page.evaluate(() => {
      for (const step of ['cart', 'shipping', 'payment']) acquaint.track(`checkout_${step}`);
    });
    await page.waitForTimeout(1000);
    expect((await timeline('user-42')).length).toBe(2);
    await context.setOffline(false);

    const events = await eventsArrived('user-42', (all) => all.length >= 5);
    await page.waitForTimeout(1000);
    expect((await timeline('user-42')).map((e) => e.name ?? e.type)).toEqual([
      'page',
      'identify',
      'checkout_cart',
      'checkout_shipping',
      'checkout_payment',
    ]);
    expect(new Set(events.map((e) => e.message_id)).size).toBe(5);
  });

  it('stores a batch once when its answer was lost and the SDK sent it again', async () => {
    const context = await newVisitor();
    let answersLost = 0;
    await context.route(`${server.url}/v1/batch`, async (route) => {
      if (!route.request().postData()?.includes('order_completed') || answersLost > 0)
        return route.continue();
      answersLost++;
      await route.fetch();
      return route.abort('connectionreset');
    });
    const page = await open(context, 'article.html');
    await logIn(page, 'user-42');
    await page.evaluate(() => acquaint.track('order_completed', { total: 120 }));

    await eventsArrived('user-42', (all) => all.some((e) => e.name === 'order_completed'));
    await page.waitForTimeout(2500);
    expect(answersLost).toBe(1);
    expect((await timeline('user-42')).filter((e) => e.name === 'order_completed')).toHaveLength(1);
  });

  it('delivers what was tracked just before the visitor left the page', async () => {
    site.setup.options = { flushInterval: 60_000 };
    const page = await open(await newVisitor(), 'article.html');
    await logIn(page, 'user-42');
    await page.click('#buy');
    await page.waitForURL(/payment\.html/);

    const events = await eventsArrived('user-42', (all) => all.some((e) => e.name === 'cta_clicked'));
    expect(events.map((e) => [e.name ?? e.type, new URL(e.url ?? '').pathname])).toEqual([
      ['page', '/article.html'],
      ['identify', '/article.html'],
      ['cta_clicked', '/article.html'],
    ]);
  });

  it('binds only verified user ids when identity verification is on', async () => {
    await api('/api/project', { method: 'PATCH', body: '{"verify_identity":true}' });
    const userHash = createHmac('sha256', server.identitySecret).update('user-42').digest('hex');
    site.setup.options = { flushInterval: 200, userHash };
    const page = await open(await newVisitor(), 'article.html');
    await logIn(page, 'user-42');
    await page.evaluate(() => acquaint.track('verified_purchase'));
    const impostor = await open(await newVisitor(), 'article.html');
    await logIn(impostor, 'user-43');

    const events = await eventsArrived('user-42', (all) => all.some((e) => e.name === 'verified_purchase'));
    expect(events.find((e) => e.name === 'verified_purchase')?.user_id).toBe('user-42');
    await page.waitForTimeout(1000);
    expect((await profile('user-43')).status).toBe(404);
  });
});
